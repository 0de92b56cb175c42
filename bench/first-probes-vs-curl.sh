#!/usr/bin/env bash
# TTFB of an agent's FIRST probes vs curl's time_starttransfer, interleaved in the same window, on loopback only.
# Builds nothing: run `./mvnw -B -q package -DskipTests` first.
#   usage: bench/first-probes-vs-curl.sh [rounds=5 probes=10 others=20 othersInterval=1 jars=A.jar,B.jar
#                                         agentEnv=VANTAGE_WARMUP=false agentJvm='-Xmx128m']
# Each round starts a fresh `vantage agent` JVM (embedded PostgreSQL, demo targets in their own JVM), takes the first
# `probes` heartbeats of the monitor on /slow (the 200 ms target) beside `others` monitors on /fast, and runs curl
# against the same URL half an interval after each of the agent's slots. With jars=A,B the rounds alternate between
# two builds, so that both are measured side by side in one run. See dev.vantage.bench.FirstProbesBench.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/vantage-bench.jar # the benches; its manifest brings target/vantage.jar beside it
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -q package -DskipTests" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $(curl --version | head -1 | cut -d' ' -f1-2)"
java -cp "$JAR" dev.vantage.bench.FirstProbesBench "$@"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
