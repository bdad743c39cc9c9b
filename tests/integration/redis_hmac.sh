#!/usr/bin/env bash
# Two hmac_signed processes sharing one real redis-server (with a password): replays are
# refused across instances; Redis stopped mid-run makes them fail closed (503, one log line
# each), and started again they recover by themselves. Every log is searched for the secrets.
#   redis_hmac.sh HMAC_SIGNED REDIS_SERVER
set -uo pipefail
server=$1 redis=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}" ${redis_pid:-}; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
# (below the ephemeral range: Redis is stopped and started again on it mid-test)
source "$here/ports.sh"
export BILLING_HMAC_KEY=$(openssl rand -hex 32) REDIS_PASSWORD=$(openssl rand -hex 20)
port=$(pick_port) || { echo "no free port"; exit 1; }
start_redis() {
  "$redis" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$REDIS_PASSWORD" \
    --dir "$work" --protected-mode no --loglevel warning >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0; sleep 0.05; done
  echo "redis-server did not start"; exit 1
}
start_redis
export REDIS_URL=redis://127.0.0.1:$port
# Without the key that seals task records, an instance sharing Redis refuses to start.
timeout 10 env -u WARDEN_STORAGE_KEY "$server" --listen 127.0.0.1:0 --allow-host mcp.internal 2>"$work/nokey.log"
code=$?
if [ "$code" -eq 78 ] && grep -q "set WARDEN_STORAGE_KEY" "$work/nokey.log"; then
  echo "ok - without WARDEN_STORAGE_KEY the instance refuses to keep task results in Redis in the clear (78)"
else
  echo "not ok - without WARDEN_STORAGE_KEY: exit $code"; cat "$work/nokey.log"; status_nokey=1
fi
export WARDEN_STORAGE_KEY=$(openssl rand -base64 32) # seals the task records in Redis
urls=()
for name in a b; do
  "$server" --listen 127.0.0.1:0 --allow-host mcp.internal 2>"$work/$name.log" &
  pids+=($!)
  url=$(listening_url "$work/$name.log" $!) || exit 1
  urls+=("$url")
done
status=${status_nokey:-0}
node "$here/redis_hmac_client.mjs" "${urls[0]}" "${urls[1]}" shared || status=1
kill -KILL "$redis_pid"; wait "$redis_pid" 2>/dev/null
node "$here/redis_hmac_client.mjs" "${urls[0]}" "${urls[1]}" down || status=1
start_redis
node "$here/redis_hmac_client.mjs" "${urls[0]}" "${urls[1]}" back || status=1
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" || { echo "not ok - an instance exited with $?"; status=1; }; done
pids=()
if grep -q "is unreachable" "$work/a.log" && grep -q "reachable again" "$work/a.log"; then
  echo "ok - instance A logged the outage and the recovery"
else
  echo "not ok - outage and recovery lines in the log:"; cat "$work/a.log"; status=1
fi
if [ "$(grep -c 'is unreachable' "$work/a.log")" -le 2 ]; then echo "ok - no log flood during the outage"; else echo "not ok - log flood"; status=1; fi
if grep -qF -e "$BILLING_HMAC_KEY" -e "$REDIS_PASSWORD" -e "$WARDEN_STORAGE_KEY" "$work"/*.log; then
  echo "not ok - a secret reached a log"; status=1
else
  echo "ok - no secret in any log"
fi
exit $status
