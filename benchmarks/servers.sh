# Sourced by the load benchmarks: starting a server pinned to core 0. Needs $work (a
# scratch folder) and the array pids (killed on exit by the caller's trap).

# start NAME COMMAND...: starts a server on core 0 (its log in $work/NAME.log) and sets URL
# (from its "listening on" line) and PID.
start() {
  local log=$work/$1.log; shift
  taskset -c 0 "$@" 2>"$log" &
  PID=$!; pids+=("$PID"); URL=
  for _ in $(seq 200); do
    URL=$(grep -o 'listening on [^ ]*' "$log" | head -1 | cut -d' ' -f3 || true)
    [ -n "$URL" ] && return 0
    sleep 0.05
  done
  echo "$(basename "$0"): server did not start:" >&2; cat "$log" >&2; exit 1
}
