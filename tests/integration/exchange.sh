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
as=https://127.0.0.1:$as_port billing=https://billing.example.test
declare -A endpoint=([ok]=$as/token [refused]=$as/token [down]=https://127.0.0.1:$dead_port/token [short]=$as/token [obo]=$as/token)
declare -A audience=([ok]=$billing [refused]=https://elsewhere.example.test [down]=$billing [short]=$billing [obo]=)
declare -A scope=([ok]=billing:read [refused]=billing:read [down]=billing:read [short]="billing:read short" [obo]=billing:read)
declare -A grant=([ok]=token-exchange [refused]=token-exchange [down]=token-exchange [short]=token-exchange [obo]=jwt-bearer)
names="ok refused down short obo"
urls=()
for name in $names; do
  MCP_RESOURCE=$resource OAUTH_ISSUER=$as OAUTH_DISCOVER=1 OAUTH_JWKS_CA_FILE=$work/ca.pem \
    OAUTH_EXCHANGE_TOKEN_ENDPOINT=${endpoint[$name]} OAUTH_EXCHANGE_CLIENT_ID=machine OAUTH_EXCHANGE_GRANT=${grant[$name]} \
    OAUTH_EXCHANGE_AUDIENCE=${audience[$name]} OAUTH_EXCHANGE_SCOPE="${scope[$name]}" \
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
  if grep -qF -- "$t" "$work"/*.log; then echo "not ok - a token reached a log"; status=1; break; fi
done < <(cat "$work/tokens.txt"; echo "$OAUTH_EXCHANGE_SECRET")
[ $status = 0 ] && echo "ok - neither the caller's token nor the exchange client's secret is in a log"
exit $status
