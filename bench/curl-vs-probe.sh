#!/usr/bin/env bash
# Probe timings vs curl -w on the same loopback demo targets: medians of N runs each.
# Builds nothing: run `./mvnw -B -q package -DskipTests` first. Loopback only (127.0.0.1, localhost).
#   usage: bench/curl-vs-probe.sh            (N=20 by default; N=5 bench/curl-vs-probe.sh for a quick look)
# Each `vantage probe` run is a fresh JVM that warms up against in-process loopback targets before timing
# (see ProbeCommand); curl is one process per run. Both use HTTP/1.1 and a new connection per run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20}
JAR=target/vantage.jar
[ -f "$JAR" ] || { echo "missing $JAR: run ./mvnw -B -q package -DskipTests" >&2; exit 2; }
if ! command -v curl >/dev/null; then apt-get install -y -q curl >/dev/null; fi
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }

work=$(mktemp -d)
java -cp "$JAR" dev.vantage.demo.DemoTargets >"$work/urls" &
demo=$!
trap 'kill $demo 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^tcp ' "$work/urls" && break; sleep 0.1; done
grep -q '^tcp ' "$work/urls" || { echo "the demo targets did not start (java 21+ on PATH?)" >&2; exit 1; }
url() { awk -v n="$1" '$1 == n { print $2 }' "$work/urls"; }

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

# columns: namelookup connect appconnect pretransfer starttransfer total (ms)
curl_runs() {
    local target=$1; shift
    for i in $(seq $((N + 3))); do
        curl -s -o /dev/null --http1.1 "$@" -w '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}\n' "$target" \
            | awk -v skip=$((i <= 3)) '!skip { for (i = 1; i <= NF; i++) printf "%.3f ", $i * 1000; print "" }'
    done
}
probe_runs() {
    local target=$1; shift
    for _ in $(seq "$N"); do
        java -jar "$JAR" probe --json "$@" "$target" | jq -r '.timings
            | (.redirect // 0) as $r | ($r + (.dns // 0)) as $n | ($n + (.connect // 0)) as $c
            | ($c + (.tls // 0)) as $p
            | "\($n) \($c) \(if .tls then $p else 0 end) \($p) \(.timeToFirstByte) \(.total)"' || true
    done
}

printf '| target | | namelookup | connect | appconnect | pretransfer | starttransfer | total |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
row() {
    local name=$1 tool=$2 file=$3 cells=""
    for col in 1 2 3 4 5 6; do cells="$cells | $(awk -v c=$col '{ print $c }' "$file" | median)"; done
    printf '| %s | %s%s |\n' "$name" "$tool" "$cells"
}
localhost_fast=$(url http/fast | sed 's/127.0.0.1/localhost/')
for name in http/fast localhost/fast http/slow http/big https/fast https/slow https/big http/redirect; do
    target=$([ "$name" = localhost/fast ] && echo "$localhost_fast" || url "$name")
    curl_opts=(); probe_opts=()
    case $name in https/*) curl_opts+=(-k); probe_opts+=(-k) ;; esac
    case $name in */redirect) curl_opts+=(-L) ;; esac
    curl_runs "$target" "${curl_opts[@]}" >"$work/curl"
    probe_runs "$target" "${probe_opts[@]}" >"$work/probe"
    row "$name" curl "$work/curl"
    row "$name" probe "$work/probe"
done
