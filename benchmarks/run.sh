#!/usr/bin/env bash
# The load benchmark: warden's examples/echo against the TypeScript SDK's stateless echo
# server and against the floor (benchmarks/floor_server.cpp: a bare Beast server doing the
# same bearer check and answering a canned result), all answering `tools/call echo` over
# Streamable HTTP on loopback; warden's rows are also given as shares of the floor.
#
#   bash benchmarks/run.sh [SECONDS_PER_RUN]     (default 5)
#
# Each server runs pinned to core 0 (warden with one I/O thread); wrk runs pinned to core 1
# with one thread. For 1, 16 and 64 connections, three runs each, alternating the servers.
# Then the protocol eras side by side at 16 and 64 connections: one warden process serving
# stateless 2026-07-28 requests (headers checked) and its session era, and the TypeScript
# SDK 2.x's stateless handler. Then warden alone: stateful (one session), a static bearer
# token against ES256 JWT access tokens (with and without the verified-token cache), the
# same JWT DPoP-bound with a fresh proof per request (RFC 9449), TLS, and RSS with 10 000
# idle sessions.
# Prints a table and writes it to benchmarks/RESULTS.md. Bounded: about 5 minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
secs=${1:-5}
bash scripts/install-deps.sh
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "run.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DWARDEN_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target echo floor_server >/dev/null
export WARDEN_NPM_DIR="$root/.deps/npm"
node="$WARDEN_NPM_DIR/node_modules/.bin/node"
echo_bin="$root/build/bench/examples/echo"
floor_bin="$root/build/bench/benchmarks/floor_server"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

source benchmarks/servers.sh
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# measure PID URL CONNS: one wrk run; prints "req_per_s p50_us p99_us rss_mb cpu_pct errors".
measure() {
  local pid=$1 url=$2 conns=$3 t0 t1 line
  t0=$(cpu_ticks "$pid")
  line=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" -s benchmarks/tools_call.lua "$url" | grep '^RESULT')
  t1=$(cpu_ticks "$pid")
  read -r _ reqs dur_us p50 p99 errors <<<"$line"
  awk -v r="$reqs" -v d="$dur_us" -v p50="$p50" -v p99="$p99" -v rss="$(rss_mb "$pid")" \
      -v cpu=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v e="$errors" \
      'BEGIN { printf "%.0f %.0f %.0f %s %.0f %d\n", r / (d / 1e6), p50, p99, rss, 100 * cpu / hz / (d / 1e6), e }'
}
warm() { taskset -c 1 wrk -t1 -c16 -d1s -s benchmarks/tools_call.lua "$1" >/dev/null; }

# The floor: a bare Beast server doing the same bearer check and answering a canned
# result (benchmarks/floor_server.cpp). Every row is also given as a share of it.
token=$(openssl rand -hex 32)
BEARER_TOKEN=$token start floor "$floor_bin" 0
floor_pid=$PID floor_url=$URL
start warden "$echo_bin" --listen 127.0.0.1:0 --stateless
warden_pid=$PID warden_url=$URL
start ts "$node" benchmarks/ts_echo_server.mjs 0
ts_pid=$PID ts_url=$URL
warm "$warden_url"; warm "$ts_url"; BEARER_TOKEN=$token warm "$floor_url"

results=$work/results
: >"$results"
for conns in 1 16 64; do
  for run in 1 2 3; do
    echo "warden $conns $(measure "$warden_pid" "$warden_url" "$conns")" >>"$results"
    echo "ts $conns $(measure "$ts_pid" "$ts_url" "$conns")" >>"$results"
    echo "floor $conns $(BEARER_TOKEN=$token measure "$floor_pid" "$floor_url" "$conns")" >>"$results"
    echo "  $conns connections, run $run done" >&2
  done
done
kill "$warden_pid" "$ts_pid"; wait "$warden_pid" "$ts_pid" 2>/dev/null || true

# new_session URL: initializes a session (the session era) and prints its id.
new_session() {
  curl -s -D - -o /dev/null -X POST "$1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}' |
    awk 'tolower($1) == "mcp-session-id:" {print $2}' | tr -d '\r'
}

# The protocol eras, alternated in one loop: one warden process serving the stateless era
# (2026-07-28: _meta in every request, MCP-Protocol-Version, Mcp-Method and Mcp-Name checked
# against the body) and the session era (one initialized session), and the TypeScript SDK
# 2.x's stateless handler speaking 2026-07-28.
start eras "$echo_bin" --listen 127.0.0.1:0
eras_pid=$PID eras_url=$URL
eras_sid=$(new_session "$eras_url")
start tsv2 "$node" benchmarks/ts_v2_echo_server.mjs 0
tsv2_pid=$PID tsv2_url=$URL
MCP_ERA=2026 warm "$eras_url"; MCP_SESSION_ID=$eras_sid warm "$eras_url"; MCP_ERA=2026 warm "$tsv2_url"
eras=$work/eras
: >"$eras"
for conns in 16 64; do
  for run in 1 2 3; do
    echo "w2026 $conns $(MCP_ERA=2026 measure "$eras_pid" "$eras_url" "$conns")" >>"$eras"
    echo "wsession $conns $(MCP_SESSION_ID=$eras_sid measure "$eras_pid" "$eras_url" "$conns")" >>"$eras"
    echo "tsv2 $conns $(MCP_ERA=2026 measure "$tsv2_pid" "$tsv2_url" "$conns")" >>"$eras"
    echo "  eras, $conns connections, run $run done" >&2
  done
done
kill "$eras_pid" "$tsv2_pid"; wait "$eras_pid" "$tsv2_pid" 2>/dev/null || true

# Warden alone: stateful, TLS, idle sessions.
start stateful "$echo_bin" --listen 127.0.0.1:0
sid=$(new_session "$URL")
warm_sid() { MCP_SESSION_ID=$sid warm "$1"; }
warm_sid "$URL"
extra=$work/extra
: >"$extra"
for run in 1 2 3; do echo "stateful 64 $(MCP_SESSION_ID=$sid measure "$PID" "$URL" 64)" >>"$extra"; done
"$node" benchmarks/idle_sessions.mjs "$URL" 10000 >/dev/null
idle_rss=$(rss_mb "$PID")
kill "$PID"; wait "$PID" 2>/dev/null || true

# The static bearer token and ES256 JWT access tokens (with and without the verified-token
# cache), measured in turn within one loop so that they share the machine's state.
ECHO_BEARER_TOKEN=$token start bearer "$echo_bin" --listen 127.0.0.1:0 --stateless
bearer_pid=$PID bearer_url=$URL
"$node" examples/oauth_resource_server/mint.mjs keys "$work/as" >/dev/null
jwt=$("$node" examples/oauth_resource_server/mint.mjs token "$work/as" https://as.bench.test http://127.0.0.1/mcp "" 3600)
export ECHO_ISSUER=https://as.bench.test ECHO_RESOURCE=http://127.0.0.1/mcp ECHO_JWKS="$(cat "$work/as/jwks.json")"
start jwt "$echo_bin" --listen 127.0.0.1:0 --stateless
jwt_pid=$PID jwt_url=$URL
ECHO_TOKEN_CACHE=0 start jwt_nocache "$echo_bin" --listen 127.0.0.1:0 --stateless
nocache_pid=$PID nocache_url=$URL
ECHO_DPOP=1 start dpop "$echo_bin" --listen 127.0.0.1:0 --stateless
dpop_pid=$PID dpop_url=$URL
unset ECHO_ISSUER ECHO_RESOURCE ECHO_JWKS
# Each DPoP run gets fresh proofs (one per request, iat now): enough for 30 000 req/s.
proofs() { "$node" benchmarks/dpop_proofs.mjs "$work/as" https://as.bench.test http://127.0.0.1/mcp $((30000 * secs)) \
             "$work/dpop_token" "$work/proofs"; }
BEARER_TOKEN=$token warm "$bearer_url"; BEARER_TOKEN=$jwt warm "$jwt_url"; BEARER_TOKEN=$jwt warm "$nocache_url"
proofs; DPOP_PROOFS=$work/proofs BEARER_TOKEN=$(cat "$work/dpop_token") warm "$dpop_url"
# Five runs (their ratio is a target): the bearer and JWT rows back to back, in turn first,
# each run started with the page cache written out (every server writes its audit log to a
# file; the disk's write-back of one row's log is not charged to the next).
for run in 1 2 3 4 5; do
  for row in $( ((run % 2)) && echo "bearer jwt" || echo "jwt bearer"); do
    sync
    if [ "$row" = bearer ]; then echo "bearer 64 $(BEARER_TOKEN=$token measure "$bearer_pid" "$bearer_url" 64)" >>"$extra"
    else echo "jwt 64 $(BEARER_TOKEN=$jwt measure "$jwt_pid" "$jwt_url" 64)" >>"$extra"; fi
  done
  sync
  echo "jwt_nocache 64 $(BEARER_TOKEN=$jwt measure "$nocache_pid" "$nocache_url" 64)" >>"$extra"
  proofs; sync
  echo "dpop 64 $(DPOP_PROOFS=$work/proofs BEARER_TOKEN=$(cat "$work/dpop_token") measure "$dpop_pid" "$dpop_url" 64)" >>"$extra"
  sync
  echo "floor 64 $(BEARER_TOKEN=$token measure "$floor_pid" "$floor_url" 64)" >>"$extra"
done
kill "$bearer_pid" "$jwt_pid" "$nocache_pid" "$dpop_pid" "$floor_pid"
wait "$bearer_pid" "$jwt_pid" "$nocache_pid" "$dpop_pid" "$floor_pid" 2>/dev/null || true

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" 2>/dev/null
start tls "$echo_bin" --listen 127.0.0.1:0 --stateless --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
warm "$URL"
for run in 1 2 3; do echo "tls 64 $(measure "$PID" "$URL" 64)" >>"$extra"; done
kill "$PID"; wait "$PID" 2>/dev/null || true

# The table: median and range of req/s, medians of the rest.
summarize() { # FILE NAME CONNS
  awk -v n="$2" -v c="$3" '$1 == n && $2 == c { print }' "$1" | sort -k3,3n |
    awk '{ r[NR] = $3; p50[NR] = $4; p99[NR] = $5; rss[NR] = $6; cpu[NR] = $7; err += $8 }
         END { m = int((NR + 1) / 2);
               printf "%s|%s|%s|%s - %s|%s|%s|%s|%s|%d\n", n, c, r[m], r[1], r[NR], p50[m] / 1000, p99[m] / 1000, rss[m], cpu[m], err }' n="$2" c="$3"
}
table=$work/table
{
  echo "| server | connections | req/s (median) | req/s (range) | p50 ms | p99 ms | RSS MB | CPU % | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for conns in 1 16 64; do
    for s in floor warden ts; do summarize "$results" "$s" "$conns"; done
  done | awk -F'|' '{ name = "warden (echo)"; if ($1 == "ts") name = "TypeScript SDK 1.32.2";
                      if ($1 == "floor") name = "floor: bare Beast, bearer check, canned result";
                      printf "| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s |\n", name, $2, $3, $4, $5, $6, $7, $8, $9 }'
  echo
  echo "| connections | warden / floor | TypeScript SDK / floor | warden / TypeScript SDK (median req/s) |"
  echo "|---|---|---|---|"
  for conns in 1 16 64; do
    w=$(summarize "$results" warden "$conns" | cut -d'|' -f3)
    t=$(summarize "$results" ts "$conns" | cut -d'|' -f3)
    f=$(summarize "$results" floor "$conns" | cut -d'|' -f3)
    awk -v w="$w" -v t="$t" -v f="$f" -v c="$conns" 'BEGIN { printf "| %s | %.0f%% | %.1f%% | %.1fx |\n", c, 100 * w / f, 100 * t / f, w / t }'
  done
  echo
  echo "| warden mode (64 connections) | req/s (median) | req/s (range) | p50 ms | p99 ms | RSS MB | CPU % | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  for s in stateful bearer jwt jwt_nocache dpop tls; do summarize "$extra" "$s" 64; done |
    awk -F'|' '{ name = "stateful, one session";
                 if ($1 == "tls") name = "stateless over TLS (keep-alive)";
                 if ($1 == "bearer") name = "stateless, static bearer token (auth::bearer)";
                 if ($1 == "jwt") name = "stateless, ES256 JWT access token (auth::oauth_resource_server)";
                 if ($1 == "jwt_nocache") name = "stateless, ES256 JWT, verified-token cache off";
                 if ($1 == "dpop") name = "stateless, DPoP-bound ES256 JWT, a new ES256 proof per request (auth::dpop_resource_server)";
                 printf "| %s | %s | %s | %.2f | %.2f | %s | %s | %s |\n", name, $3, $4, $5, $6, $7, $8, $9 }'
  b=$(summarize "$extra" bearer 64 | cut -d'|' -f3)
  j=$(summarize "$extra" jwt 64 | cut -d'|' -f3)
  f=$(summarize "$extra" floor 64 | cut -d'|' -f3)
  d=$(summarize "$extra" dpop 64 | cut -d'|' -f3)
  awk -v b="$b" -v j="$j" -v f="$f" -v d="$d" 'BEGIN { printf "\nJWT access token vs static bearer token (median req/s): %.0f%%\n", 100 * j / b;
    printf "DPoP-bound JWT with its proof vs the JWT as a bearer token (median req/s): %.0f%%\n", 100 * d / j;
    printf "Authenticated tools/call (static bearer, audit on, to a file) vs the floor in the same loop: %.0f%% (floor %.0f req/s)\n", 100 * b / f, f }'
  echo
  echo "RSS of warden's echo with 10 000 idle sessions open: $idle_rss MB"
  echo
  echo "| protocol era | server | connections | req/s (median) | req/s (range) | p50 ms | p99 ms | RSS MB | CPU % | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for conns in 16 64; do
    for s in w2026 wsession tsv2; do summarize "$eras" "$s" "$conns"; done
  done | awk -F'|' '{ era = "2026-07-28, stateless"; name = "warden (echo)";
                      if ($1 == "wsession") era = "2025-11-25, one session";
                      if ($1 == "tsv2") name = "TypeScript SDK 2.4.0 (createMcpHandler)";
                      printf "| %s | %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s |\n", era, name, $2, $3, $4, $5, $6, $7, $8, $9 }'
  echo
  echo "| connections | warden 2026-07-28 / TypeScript SDK 2.x (median req/s) | warden 2026-07-28 / warden session (median req/s) |"
  echo "|---|---|---|"
  for conns in 16 64; do
    m=$(summarize "$eras" w2026 "$conns" | cut -d'|' -f3)
    o=$(summarize "$eras" wsession "$conns" | cut -d'|' -f3)
    t=$(summarize "$eras" tsv2 "$conns" | cut -d'|' -f3)
    awk -v m="$m" -v o="$o" -v t="$t" -v c="$conns" 'BEGIN { printf "| %s | %.1fx | %.0f%% |\n", c, m / t, 100 * m / o }'
  done
} >"$table"
cat "$table"
# Sections of the other benchmarks (compile.sh, soak.sh, echo_ab.sh) survive this rewrite.
kept=$(awk '/^## / { keep = ($0 ~ /^## (Compile time|Soak|Throughput after)/) } keep' benchmarks/RESULTS.md 2>/dev/null || true)
{
  echo "# Benchmark results"
  echo
  echo "Produced by \`bash benchmarks/run.sh $secs\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m));"
  echo "each server pinned to core 0, \`wrk -t1\` pinned to core 1, ${secs} s per run, 3 runs per row"
  echo "(5 for the static bearer, JWT, DPoP rows and the floor beside them, each started after \`sync\`),"
  echo "servers alternated. Requests: \`tools/call echo {\"text\":\"hello\"}\`, stateless unless noted."
  echo
  cat "$table"
  [ -z "$kept" ] || printf '\n%s\n' "$kept"
} >benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md"
