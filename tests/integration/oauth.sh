#!/usr/bin/env bash
# oauth.sh SERVER: the oauth_resource_server example with two issuers whose keys and tokens
# come from examples/oauth_resource_server/mint.mjs; the TypeScript SDK client and the
# Inspector CLI (with an Authorization header) against it.
set -u
server=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
examples=$(cd "$here/../../examples/oauth_resource_server" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
export PATH="$WARDEN_NPM_DIR/node_modules/.bin:$PATH"
export MCP_CATALOG_PATH=$(mktemp -d)/catalog.json
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$(dirname "$MCP_CATALOG_PATH")"' EXIT
"$node" "$examples/mint.mjs" keys "$dir/as1" && "$node" "$examples/mint.mjs" keys "$dir/as2" || exit 1
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed+1)); }
bad() { echo "not ok - $1"; failed=$((failed+1)); }

out=$(env -u OAUTH_ISSUER "$server" --listen 127.0.0.1:0 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q OAUTH_ISSUER <<<"$out"; then ok "without an issuer it refuses to start, naming OAUTH_ISSUER"
else bad "no issuer: $rc $out"; fi
echo '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}' > "$dir/weak.json"
out=$(OAUTH_ISSUER=https://as.example.test OAUTH_JWKS_FILE="$dir/weak.json" "$server" --listen 127.0.0.1:0 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q "RSA key of" <<<"$out"; then ok "a weak key in the JWK set stops start-up"
else bad "weak key: $rc $out"; fi

export OAUTH_ISSUER=https://as.example.test OAUTH_JWKS_FILE="$dir/as1/jwks.json"
export OAUTH_ISSUER_2=https://as2.example.test OAUTH_JWKS_2="$(cat "$dir/as2/jwks.json")" OAUTH_TENANT_2=globex
# The resource URI is the URL the server prints; with port 0 it is known only then, so the
# test pins a port chosen here.
port=$((20000 + RANDOM % 30000))
export MCP_RESOURCE="http://127.0.0.1:$port/mcp"
if "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '"$0" "$1" "$WARDEN_URL" "$2" "$3"' \
     "$node" "$here/oauth_client.mjs" "$dir/as1" "$dir/as2"; then
  ok "the TypeScript SDK client with access tokens: metadata, scopes, step-up, refusals"
else bad "the TypeScript SDK client with access tokens"; fi

jwt=$("$node" "$examples/mint.mjs" token "$dir/as1" "$OAUTH_ISSUER" "$MCP_RESOURCE" notes:read)
if "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '
     out=$(timeout 60 mcp-inspector --cli "$WARDEN_URL" --transport http --header "Authorization: Bearer $0" \
           --method tools/call --tool-name whoami 2>/dev/null) &&
     printf "%s" "$out" | grep -q "ada via notes-cli"' "$jwt"; then
  ok "the Inspector CLI with --header Authorization: Bearer <JWT>"
else bad "the Inspector CLI with a bearer header"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
