#!/usr/bin/env bash
# with_server.sh SERVER [ARGS...] -- COMMAND [ARGS...]
# Starts an example server (which must listen on port 0 and log "listening on URL"),
# exports its URL as WARDEN_URL (and WARDEN_PID, WARDEN_LOG), runs COMMAND, then stops the server with SIGTERM and
# requires it to exit 0. Exits with COMMAND's status (or 1 if the server misbehaved).
set -u
server=$1; shift
args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
shift
log=$(mktemp)
"$server" "${args[@]}" 2>"$log" &
pid=$!
url=
for _ in $(seq 200); do
  url=$(grep -o 'listening on [^ ]*' "$log" | head -1 | cut -d' ' -f3)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$url" ]; then
  echo "with_server: the server did not start:"; cat "$log"; kill "$pid" 2>/dev/null; exit 1
fi
export WARDEN_URL=$url WARDEN_PID=$pid WARDEN_LOG=$log
"$@"
rc=$?
kill -TERM "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
  echo "with_server: the server did not stop within 10 s of SIGTERM"; kill -KILL "$pid"; rc=1
fi
wait "$pid"; src=$?
if [ "$src" -ne 0 ]; then
  echo "with_server: the server exited with status $src:"; tail -n 40 "$log"; rc=1
fi
# Keep what the server logged for a later look (the secret-leak check), if asked to.
[ -n "${WARDEN_LOG_ARCHIVE:-}" ] && cat "$log" >> "$WARDEN_LOG_ARCHIVE"
rm -f "$log"
exit $rc
