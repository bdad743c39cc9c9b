#!/usr/bin/env bash
# Two builds of examples/echo side by side, in one run: a static bearer token, stateless
# `tools/call echo`, 64 connections; each server pinned to core 0 (so one I/O thread), wrk
# pinned to core 1. Rounds alternate the binaries, so that drift in the machine hits both.
#
#   bash benchmarks/echo_ab.sh BASELINE_ECHO CANDIDATE_ECHO [SECONDS_PER_RUN] [ROUNDS]
#
# ANONYMOUS=1 runs both without a token (the servers' default, as in run.sh's first table);
# CONNECTIONS=N changes the 64.
#
# Prints each run and the medians, and the candidate's median as a share of the baseline's.
# Bounded: ROUNDS x 2 runs of SECONDS (defaults 5 and 5: under a minute).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
[ $# -ge 2 ] || { echo "usage: echo_ab.sh BASELINE_ECHO CANDIDATE_ECHO [SECONDS] [ROUNDS]" >&2; exit 2; }
base=$1 cand=$2 secs=${3:-5} rounds=${4:-5}
command -v wrk >/dev/null || { echo "echo_ab.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

source benchmarks/servers.sh
conns=${CONNECTIONS:-64}
[ "${ANONYMOUS:-0}" = 1 ] && token=
run() { BEARER_TOKEN=$token taskset -c 1 wrk -t1 -c"$conns" -d"${2}s" -s benchmarks/tools_call.lua "$1" | awk '/^RESULT/ {
  if ($6 != 0) { print "errors: " $6 > "/dev/stderr"; exit 1 } printf "%.0f\n", $2 / ($3 / 1e6) }'; }

[ -n "$token" ] && export ECHO_BEARER_TOKEN=$token
start baseline "$base" --listen 127.0.0.1:0 --stateless; base_url=$URL
start candidate "$cand" --listen 127.0.0.1:0 --stateless; cand_url=$URL
run "$base_url" 1 >/dev/null; run "$cand_url" 1 >/dev/null
for i in $(seq "$rounds"); do
  b=$(run "$base_url" "$secs"); c=$(run "$cand_url" "$secs")
  echo "round $i: baseline $b req/s, candidate $c req/s"
  echo "$b" >>"$work/b"; echo "$c" >>"$work/c"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb=$(median "$work/b") mc=$(median "$work/c")
awk -v b="$mb" -v c="$mc" 'BEGIN { printf "median: baseline %d req/s, candidate %d req/s: candidate = %.1f%% of baseline\n", b, c, 100 * c / b }'
