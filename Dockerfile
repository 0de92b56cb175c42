# syntax=docker/dockerfile:1
# Vantage: one image for every role (`docker run vantage agent`, `monitor`, `migrate`, `probe URL`, `--help`).
# Build: docker build -t vantage .   (BuildKit, the default builder since Docker 23, for the cache mount below)

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
# The wrapper and the POM first, the sources last, so that an edit of the code reuses the layers above it.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY db/ db/
COPY src/ src/
# Maven's repository (and the Maven distribution the wrapper fetches) live in a cache mount: kept between builds on
# the same builder, never in a layer of the image.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:21-jre
# A fixed uid/gid, so that volume and secret file ownership can be set on the host (chown 10001).
# /var/lib/vantage/journal is created here, owned by that user: Docker copies this ownership into a new named volume
# mounted on it, so the agent's heartbeat journal is writable without running as root.
RUN groupadd --gid 10001 vantage \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vantage \
    && mkdir -p /var/lib/vantage/journal \
    && chown -R 10001:10001 /var/lib/vantage
COPY --chmod=0755 deploy/healthcheck.sh /usr/local/bin/vantage-healthcheck
WORKDIR /app
COPY --from=build /src/target/vantage.jar /app/vantage.jar

# Inside a container the HTTP port must listen beyond loopback to be reached (published ports, Prometheus, compose
# healthchecks use loopback and work either way). Agent and monitor both use 8080 here: each container has its own
# network. The journal defaults to the volume path, so that heartbeats kept during a database outage survive a
# restart of the container.
ENV VANTAGE_HTTP_ADDRESS=0.0.0.0 \
    VANTAGE_HTTP_PORT=8080 \
    VANTAGE_JOURNAL_DIR=/var/lib/vantage/journal
VOLUME ["/var/lib/vantage/journal"]
EXPOSE 8080

# icmp monitors use Linux ping sockets (SOCK_DGRAM, IPPROTO_ICMP), which need no capability: Docker (20.10 and later)
# sets net.ipv4.ping_group_range to "0 2147483647" in each container's network namespace, so group 10001 may open
# them. With --network host the host's value applies (often "1 0": set it there, see the README, icmp); raw sockets
# would need CAP_NET_RAW, which a non-root user does not get from --cap-add alone.
USER 10001:10001

# Liveness only (/healthz: the process answers); readiness (/readyz) is for orchestrators, see docker-compose.yml.
# The check is a bash script, not curl or wget, which the eclipse-temurin images do not promise to contain, and not a
# second JVM, which would cost more than the agent's own work every 30 s. It follows VANTAGE_HTTP_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["vantage-healthcheck", "/healthz"]

# Heap from the container's memory limit, not the host's; an OutOfMemoryError ends the process so that the restart
# policy starts a clean one instead of leaving a half-working JVM.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/vantage.jar"]
CMD ["--help"]
