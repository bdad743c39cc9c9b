#!/usr/bin/env bash
# DPoP end to end: oidc-provider issues DPoP-bound access tokens (client credentials with a
# proof), two oauth_resource_server instances with OAUTH_DPOP=required, nonces on, share a
# real redis-server; dpop_client.mjs signs proofs with Node's crypto (the TypeScript SDK
# client has no DPoP) and runs the cases. Then every log is searched for the secrets.
#   dpop.sh SERVER REDIS_SERVER
set -uo pipefail
server=$(realpath "$1") redis=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
source "$here/ports.sh"
source "$here/test_pki.sh"
start_workspace
ports=$(pick_ports 2) || { echo "no free port"; exit 1; }
read -r redis_port as_port <<<"$ports"
export REDIS_PASSWORD=$(openssl rand -hex 20) OAUTH_DPOP_NONCE_KEY=$(openssl rand -hex 32) AS_SECRET=$(openssl rand -hex 16)
"$redis" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$REDIS_PASSWORD" \
  --dir "$work" --protected-mode no --loglevel warning >/dev/null 2>&1 &
pids+=($!)
wait_port "$redis_port" redis-server || exit 1
resource=https://mcp.example.test/mcp
"$node" "$here/oidc_as.mjs" "$as_port" "$work/server.pem" "$work/server.key" "$resource" jwt "$AS_SECRET" \
  "$work/as-signing.json" >"$work/as.log" 2>&1 &
pids+=($!)
wait_port "$as_port" oidc-provider || { cat "$work/as.log"; exit 1; }

urls=()
for name in a b; do
  MCP_RESOURCE=$resource REDIS_URL=redis://127.0.0.1:$redis_port OAUTH_ISSUER=https://127.0.0.1:$as_port \
    OAUTH_DISCOVER=1 OAUTH_JWKS_CA_FILE=$work/ca.pem OAUTH_DPOP=required OAUTH_DPOP_NONCE=1 \
    "$server" --listen 127.0.0.1:0 --instance "$name" 2>"$work/$name.log" &
  pids+=($!)
  url=$(listening_url "$work/$name.log" $!) || exit 1
  urls+=("$url")
done
status=0
"$node" "$here/dpop_client.mjs" "https://127.0.0.1:$as_port" "$AS_SECRET" "${urls[0]}" "${urls[1]}" "$resource" \
  "$work/tokens.txt" || status=1
# Neither a token nor a proof nor a secret reaches any log.
while read -r secret; do
  [ -z "$secret" ] && continue
  if grep -qF -- "$secret" "$work"/a.log "$work"/b.log; then echo "not ok - a token or proof reached a log"; status=1; break; fi
done < <(cat "$work/tokens.txt"; echo "$REDIS_PASSWORD"; echo "$OAUTH_DPOP_NONCE_KEY")
[ $status = 0 ] && echo "ok - no token, proof, nonce key or Redis password in the instances' logs"
exit $status
