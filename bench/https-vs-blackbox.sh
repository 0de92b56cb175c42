#!/usr/bin/env bash
# Agent CPU per probe side by side with Prometheus blackbox_exporter (Go), in one run, against ONE nginx target on
# 127.0.0.1: HTTPS with a self-signed RSA-2048 certificate, HTTPS with a self-signed ECDSA P-256 certificate, and
# plain HTTP. For each case AgentBench runs an agent with `monitors` monitors every 1 s on the nginx URL while a
# ProbeDriver JVM asks blackbox_exporter for the same number of probes per second; both CPUs come from
# /proc/<pid>/stat over the same window (the driver's own CPU is not counted). Both verify the certificate (the agent
# with verify_tls true against a trust store holding it, the exporter with tls_config.ca_file) and neither resumes a
# TLS session: blackbox_exporter builds a new HTTP client and tls.Config (no ClientSessionCache) for every probe, and
# nginx logs $ssl_session_reused for every request, counted below per client.
# Builds nothing: run `./mvnw -B -q package -DskipTests` first. Loopback only.
#   usage: bench/https-vs-blackbox.sh [cases...]     cases: rsa ecdsa http (default: all three)
#   env:   RATE=100 (HTTPS probes/s), HTTP_RATE=500, WARMUP=20, WINDOW=60, JAVA_OPTS (agent JVM flags, e.g. -Xmx256m),
#          AGENT_ARGS (more AgentBench keys), PROVIDERS="jsse native" (the agent's TLS provider, one run each per
#          HTTPS case; plain HTTP runs once, with the first), INTERVAL=1 (the monitors' interval: RATE x INTERVAL
#          monitors), BLACKBOX=off (the agent alone, e.g. for its throughput and RSS at 2,000 monitors)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-100}
PROVIDERS=${PROVIDERS:-jsse native}
INTERVAL=${INTERVAL:-1}
BLACKBOX=${BLACKBOX:-on}
HTTP_RATE=${HTTP_RATE:-500}
WARMUP=${WARMUP:-20}
WINDOW=${WINDOW:-60}
# The benches; its manifest brings target/vantage.jar beside it. JAR=<other build> compares builds: another
# vantage-bench.jar beside its vantage.jar, or a vantage.jar from before issue 16, which held the benches.
JAR=${JAR:-target/vantage-bench.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -q package -DskipTests" >&2; exit 2; }
if ! command -v prometheus-blackbox-exporter >/dev/null; then
    apt-get install -y -q prometheus-blackbox-exporter >/dev/null
fi
command -v nginx >/dev/null || apt-get install -y -q nginx-light >/dev/null
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(rsa ecdsa http)

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Self-signed certificates for 127.0.0.1, and a trust store holding both for the agent's JVM.
san="subjectAltName=IP:127.0.0.1,DNS:localhost"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "$san" \
    -keyout "$work/rsa.key" -out "$work/rsa.crt" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 -addext "$san" \
    -keyout "$work/ecdsa.key" -out "$work/ecdsa.crt" 2>/dev/null
cat "$work/rsa.crt" "$work/ecdsa.crt" >"$work/ca.pem"
for k in rsa ecdsa; do
    keytool -importcert -noprompt -alias "$k" -file "$work/$k.crt" -keystore "$work/trust.p12" \
        -storetype PKCS12 -storepass benchbench >/dev/null 2>&1
done

# One nginx worker; its access log records, per request, whether the TLS session was resumed and the key exchange.
cat >"$work/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    log_format bench '\$http_user_agent|\$ssl_protocol|\$ssl_session_reused|\$ssl_curve';
    access_log $work/access.log bench buffer=256k flush=1s;
    client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
    keepalive_timeout 0;
    ssl_protocols TLSv1.2 TLSv1.3;
    server { listen 127.0.0.1:18443 ssl; ssl_certificate $work/rsa.crt; ssl_certificate_key $work/rsa.key;
             location / { return 200 "ok\n"; } }
    server { listen 127.0.0.1:18444 ssl; ssl_certificate $work/ecdsa.crt; ssl_certificate_key $work/ecdsa.key;
             location / { return 200 "ok\n"; } }
    server { listen 127.0.0.1:18080; location / { return 200 "ok\n"; } }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)

cat >"$work/blackbox.yml" <<EOF
modules:
  bench_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: $work/ca.pem
EOF
prometheus-blackbox-exporter --config.file="$work/blackbox.yml" --web.listen-address=127.0.0.1:19115 \
    --log.level=warn &
bb=$!
pids+=($bb)

for _ in $(seq 100); do
    [ -f "$work/nginx.pid" ] && curl -sf -o /dev/null http://127.0.0.1:19115/-/healthy && break
    sleep 0.1
done
worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)

echo "machine: $(nproc) cores, $(uptime)"
echo "blackbox_exporter: $(prometheus-blackbox-exporter --version 2>&1 | head -1)"
run_case() {
    local c=$1 provider=$2 url rate side=()
    case $c in
        rsa) url=https://127.0.0.1:18443/ rate=$RATE ;;
        ecdsa) url=https://127.0.0.1:18444/ rate=$RATE ;;
        http) url=http://127.0.0.1:18080/ rate=$HTTP_RATE ;;
        *) echo "unknown case $c (rsa, ecdsa, http)" >&2; exit 2 ;;
    esac
    if [ "$BLACKBOX" != off ]; then
        side=(blackbox="http://127.0.0.1:19115/probe?module=bench_2xx&target=$url" blackboxPid="$bb")
    fi
    : >"$work/access.log"
    kill -USR1 "$(cat "$work/nginx.pid")" # reopen the log
    echo
    echo "== $c, agent TLS provider $provider: $url at $rate probes/s, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2086
    java ${JAVA_OPTS:-} -Dvantage.tls.provider="$provider" \
        -Djavax.net.ssl.trustStore="$work/trust.p12" -Djavax.net.ssl.trustStorePassword=benchbench \
        -cp "$JAR" dev.vantage.bench.AgentBench https target="$url" verify=true targetPid="$worker" \
        monitors=$((rate * INTERVAL)) interval="$INTERVAL" warmup="$WARMUP" window="$WINDOW" "${side[@]}" \
        ${AGENT_ARGS:-}
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 1.5 # the access log buffer is flushed every second
    echo "nginx requests by client | protocol | session reused (r) or not (.) | key exchange:"
    awk -F'|' '{ ua = $1 ~ /Go-http-client|Blackbox/ ? "blackbox_exporter" : ($1 ~ /Vantage/ ? "agent" : $1);
                 n[ua "|" $2 "|" $3 "|" $4]++ } END { for (k in n) printf "  %8d  %s\n", n[k], k }' \
        "$work/access.log" | sort -k2
}

read -r -a providers <<<"$PROVIDERS"
for c in "${cases[@]}"; do
    if [ "$c" = http ]; then
        run_case http "${providers[0]}"
    else
        for p in "${providers[@]}"; do run_case "$c" "$p"; done
    fi
done
