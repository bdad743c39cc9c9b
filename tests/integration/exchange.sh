#!/usr/bin/env bash
# Token exchange without passthrough (RFC 8693): oidc-provider with a token-exchange grant;
# the oauth_resource_server example keeps each accepted token sealed and its
# billing_identity tool has it exchanged for a billing token. Three instances: exchanging
# for the configured audience, for one the AS refuses, and with the AS unreachable.
# exchange_client.mjs runs the cases; then the logs are searched for the tokens.
#   exchange.sh SERVER
set -uo pipefail
server=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
source "$here/ports.sh"
source "$here/test_pki.sh"
start_workspace
ports=$(pick_ports 2) || { echo "no free port"; exit 1; }
read -r as_port dead_port <<<"$ports"
export OAUTH_EXCHANGE_SECRET=$(openssl rand -hex 16)
resource=https://mcp.example.test/mcp
"$node" "$here/oidc_as.mjs" "$as_port" "$work/server.pem" "$work/server.key" "$resource" jwt "$OAUTH_EXCHANGE_SECRET" \
  "$work/as-signing.json" >"$work/as.log" 2>&1 &
pids+=($!)
wait_port "$as_port" oidc-provider || { cat "$work/as.log"; exit 1; }
declare -A endpoint=([ok]="https://127.0.0.1:$as_port/token" [refused]="https://127.0.0.1:$as_port/token"
                     [down]="https://127.0.0.1:$dead_port/token")
declare -A audience=([ok]=https://billing.example.test [refused]=https://elsewhere.example.test [down]=https://billing.example.test)
urls=()
for name in ok refused down; do
  MCP_RESOURCE=$resource OAUTH_ISSUER=https://127.0.0.1:$as_port OAUTH_DISCOVER=1 OAUTH_JWKS_CA_FILE=$work/ca.pem \
    OAUTH_EXCHANGE_TOKEN_ENDPOINT=${endpoint[$name]} OAUTH_EXCHANGE_CLIENT_ID=machine \
    OAUTH_EXCHANGE_AUDIENCE=${audience[$name]} OAUTH_EXCHANGE_SCOPE=billing:read \
    "$server" --listen 127.0.0.1:0 2>"$work/$name.log" &
  pids+=($!)
  url=$(listening_url "$work/$name.log" $!) || exit 1
  urls+=("$url")
done
status=0
"$node" "$here/exchange_client.mjs" "https://127.0.0.1:$as_port" "$OAUTH_EXCHANGE_SECRET" "$resource" "${urls[@]}" \
  "$work/tokens.txt" || status=1
while read -r t; do
  [ -z "$t" ] && continue
  if grep -qF -- "$t" "$work"/ok.log "$work"/refused.log "$work"/down.log; then echo "not ok - a token reached a log"; status=1; break; fi
done < <(cat "$work/tokens.txt"; echo "$OAUTH_EXCHANGE_SECRET")
[ $status = 0 ] && echo "ok - neither the caller's token nor the exchange client's secret is in a log"
exit $status
