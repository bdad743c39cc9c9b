#!/usr/bin/env bash
# upstream.sh UPSTREAM_API REDIS_SERVER: the upstream_api example against a real
# authorization server (oidc-provider issuing rotating refresh tokens), fake upstream APIs
# over HTTPS and a real Redis; then every log is searched for the secrets.
set -u
bin=$(realpath "$1") redis=$2
here=$(cd "$(dirname "$0")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
wait_line() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "no '$2' in $1:"; cat "$1"; exit 1; }
source "$here/test_pki.sh"
test_ca "$dir" || exit 1
export NODE_EXTRA_CA_CERTS=$dir/ca.pem
# (below the ephemeral range: the redirect ports are listened on only at login, much later)
source "$here/ports.sh"
ports=$(pick_ports 5) || { echo "no free port"; exit 1; }
read -r as_port api_port redis_port dev_port prod_port <<<"$ports"
export UPSTREAM_CLIENT_SECRET=$(openssl rand -hex 24) INTROSPECT_SECRET=$(openssl rand -hex 24) WEATHER_KEY=wk_$(openssl rand -hex 16)
export DEV_REDIRECT=http://127.0.0.1:$dev_port/callback PROD_REDIRECT=http://127.0.0.1:$prod_port/callback

# The authorization server knows the client with both deployments' loopback redirect URIs.
OIDC_AS_UPSTREAM_SECRET=$UPSTREAM_CLIENT_SECRET OIDC_AS_UPSTREAM_REDIRECT="$DEV_REDIRECT $PROD_REDIRECT" OIDC_AS_ACCESS_TTL=60 \
  "$node" "$here/oidc_as.mjs" "$as_port" "$dir/server.pem" "$dir/server.key" "https://127.0.0.1:$api_port" opaque \
  "$INTROSPECT_SECRET" "$dir/as-signing.json" >"$dir/as.log" 2>&1 &
pids+=($!)
"$node" "$here/upstream_fake_api.mjs" "$api_port" "$dir/server.pem" "$dir/server.key" \
  "https://127.0.0.1:$as_port/token/introspection" "$INTROSPECT_SECRET" "$WEATHER_KEY" >"$dir/api.log" 2>&1 &
pids+=($!)
"$redis" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --protected-mode no >/dev/null 2>&1 &
pids+=($!)
wait_line "$dir/as.log" listening
wait_line "$dir/api.log" listening
status=0
"$node" "$here/upstream_client.mjs" "$bin" "$dir" "$as_port" "$api_port" "redis://127.0.0.1:$redis_port" 2>"$dir/client.log" || status=1
# No secret in any log the servers wrote (their stderr went to client.log through the SDK).
for s in "$UPSTREAM_CLIENT_SECRET" "$WEATHER_KEY"; do
  if grep -qF "$s" "$dir/client.log"; then echo "not ok - a secret reached a log"; status=1; fi
done
[ $status -eq 0 ] || { echo "--- stderr:"; tail -n 40 "$dir/client.log"; echo "--- as:"; tail -n 20 "$dir/as.log"; }
exit $status
