#!/usr/bin/env bash
# DNS query time of the dns type vs `dig +stats` against the same loopback server (the demo's DemoDns): medians of N
# runs each. Builds nothing: run `./mvnw -B -q package -DskipTests` first. Loopback only.
#   usage: bench/dig-vs-probe.sh        (N=20 by default)
# dig prints its query time in whole milliseconds; vantage's is response_time_ms (sent until answered), in µs.
# "agent": DnsBench, N probes in one warm JVM, as an agent runs them. "vantage probe": a fresh JVM per run (after
# its warm-up on its own in-process targets), while its JIT threads still compile.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20}
JAR=target/vantage.jar
BENCH_JAR=target/vantage-bench.jar # the benches; its manifest brings vantage.jar beside it
for f in "$JAR" "$BENCH_JAR"; do
    [ -f "$f" ] || { echo "missing $f: run ./mvnw -B -q package -DskipTests" >&2; exit 2; }
done
command -v dig >/dev/null || { echo "needs dig (Debian: apt-get install bind9-dnsutils)" >&2; exit 2; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }

work=$(mktemp -d)
java -cp "$JAR" dev.vantage.demo.DemoTargets >"$work/urls" &
demo=$!
trap 'kill $demo 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^dns ' "$work/urls" && break; sleep 0.1; done
url=$(awk '$1 == "dns" { print $2 }' "$work/urls")
[ -n "$url" ] || { echo "the demo targets did not start" >&2; exit 1; }
port=$(sed -E 's#dns://127\.0\.0\.1:([0-9]+)/.*#\1#' <<<"$url")
name=${url##*/}

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

for _ in $(seq "$N"); do
    dig @127.0.0.1 -p "$port" "$name" A +stats +tries=1 +time=2 | awk '/Query time:/ { print $4 }'
done >"$work/dig"
java -cp "$BENCH_JAR" dev.vantage.bench.DnsBench "$url" "$N" | grep -v median >"$work/agent"
for _ in $(seq "$N"); do
    java -jar "$JAR" probe --json "$url" | jq -r '.timings.total'
done >"$work/vantage"

echo "dns query time, median of $N (ms): dig $(median <"$work/dig")  agent $(median <"$work/agent")  vantage probe $(median <"$work/vantage")"
echo "dig runs:           $(tr '\n' ' ' <"$work/dig")"
echo "agent runs:         $(tr '\n' ' ' <"$work/agent")"
echo "vantage probe runs: $(tr '\n' ' ' <"$work/vantage")"
