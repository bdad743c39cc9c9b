#!/usr/bin/env bash
# The soak: 1 000 000 authenticated `tools/call` requests (static bearer token, stateless)
# at 256 connections against examples/echo, with its RSS sampled every second. Fails when
# any request fails or RSS grows past the tolerance between the first quarter and the end.
#
#   bash benchmarks/soak.sh [REQUESTS] [CONNECTIONS]     (defaults 1000000 256)
#
# The server runs pinned to core 0 (one I/O thread), wrk to core 1. Appends the figures and
# an RSS plot to benchmarks/RESULTS.md. Bounded: at most 10 minutes of load.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
total=${1:-1000000}
conns=${2:-256}
tolerance_mb=${SOAK_RSS_TOLERANCE_MB:-8}
bash scripts/install-deps.sh --build
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "soak.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DWARDEN_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target echo >/dev/null
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

token=$(openssl rand -hex 32)
ECHO_BEARER_TOKEN=$token taskset -c 0 build/bench/examples/echo --listen 127.0.0.1:0 --stateless 2>"$work/server.log" &
pid=$!
url=
for _ in $(seq 200); do
  url=$(grep -o 'listening on [^ ]*' "$work/server.log" | head -1 | cut -d' ' -f3 || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "soak.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }

# Warm up (allocator pools, connection buffers) and measure the rate, so that the soak's
# duration covers REQUESTS with a margin; then sample RSS every second during the run.
warm=$(BEARER_TOKEN=$token taskset -c 1 wrk -t1 -c"$conns" -d5s -s benchmarks/tools_call.lua "$url" | grep '^RESULT')
read -r _ wreqs wdur _ <<<"$warm"
secs=$(awk -v n="$total" -v r="$wreqs" -v d="$wdur" 'BEGIN { s = int(1.2 * n / (r / (d / 1e6))) + 1; print (s > 600 ? 600 : s) }')
( t=0; while kill -0 "$pid" 2>/dev/null; do echo "$t $(rss_kb)"; sleep 1; t=$((t + 1)); done ) >"$work/rss" &
sampler=$!
start=$(date +%s.%N)
line=$(BEARER_TOKEN=$token taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s \
         -s benchmarks/tools_call.lua "$url" | grep '^RESULT')
end=$(date +%s.%N)
sleep 1
kill "$sampler" 2>/dev/null || true
read -r _ reqs dur_us p50 p99 errors <<<"$line"
final_rss=$(rss_kb)
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
pid=

samples=$(wc -l <"$work/rss")
quarter=$(awk -v n="$samples" 'NR == int(n / 4) + 1 { print $2 }' "$work/rss")
peak=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$work/rss")
growth_kb=$((final_rss - quarter))
rate=$(awk -v r="$reqs" -v d="$dur_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
verdict=pass
[ "$reqs" -ge "$total" ] || verdict=fail
[ "$errors" -eq 0 ] || verdict=fail
[ "$growth_kb" -le $((tolerance_mb * 1024)) ] || verdict=fail

# RSS over time as a text plot: one row per sample group, the bar's length in MB.
plot=$(awk -v n="$samples" 'BEGIN { step = (n > 24) ? int((n + 23) / 24) : 1 }
  (NR - 1) % step == 0 { printf "%4ds %6.1f MB %s\n", $1, $2 / 1024, substr("##################################################", 1, int($2 / 1024 / 2)) }' "$work/rss")
report=$(cat <<REPORT

## Soak (\`bash benchmarks/soak.sh $total $conns\`, $(date -u +%Y-%m-%d))

Authenticated \`tools/call\` (static bearer token, stateless) against \`examples/echo\`, server on
core 0 with one I/O thread, wrk on core 1 with $conns connections, for a duration that covers $total requests.

| requests | errors (connect, read, write, non-2xx, timeout) | seconds | req/s | p50 ms | p99 ms | RSS after warm-up MB | RSS at 1/4 MB | RSS at end MB | peak MB | verdict |
|---|---|---|---|---|---|---|---|---|---|---|
| $reqs | $errors | $(awk -v d="$dur_us" 'BEGIN { printf "%.1f", d / 1e6 }') | $rate | $(awk -v v="$p50" 'BEGIN { printf "%.2f", v / 1000 }') | $(awk -v v="$p99" 'BEGIN { printf "%.2f", v / 1000 }') | $(awk 'NR == 1 { printf "%.1f", $2 / 1024 }' "$work/rss") | $(awk -v v="$quarter" 'BEGIN { printf "%.1f", v / 1024 }') | $(awk -v v="$final_rss" 'BEGIN { printf "%.1f", v / 1024 }') | $(awk -v v="$peak" 'BEGIN { printf "%.1f", v / 1024 }') | $verdict |

RSS sampled every second (one bar character per 2 MB):

\`\`\`
$plot
\`\`\`
REPORT
)
echo "$report"
echo "$report" >>benchmarks/RESULTS.md
[ "$verdict" = pass ]
