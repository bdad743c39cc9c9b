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
source "$here/ports.sh"
port=$(pick_port) || { echo "no free port"; exit 1; }
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
# Keys from the issuer's URL over HTTPS (a test CA), with rotation, an outage and recovery.
source "$here/test_pki.sh"
test_ca "$dir" || exit 1
for k in k1 k2 k3; do "$node" "$examples/mint.mjs" keys "$dir/$k" "$k" || exit 1; done
jwks_port=$(pick_port "$port") || exit 1
if env -u OAUTH_JWKS_FILE -u OAUTH_ISSUER_2 -u OAUTH_JWKS_2 \
     OAUTH_JWKS_URI="https://127.0.0.1:$jwks_port/jwks.json" OAUTH_JWKS_CA_FILE="$dir/ca.pem" \
     OAUTH_JWKS_REFETCH_SECONDS=1 OAUTH_JWKS_MIN_TTL_SECONDS=1 OAUTH_JWKS_MAX_STALE_SECONDS=3 WARDEN_LOG_ARCHIVE="$dir/jwks.log" \
     "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '"$0" "$1" "$WARDEN_URL" "$2" "$3" "$4"' \
     "$node" "$here/jwks_client.mjs" "$dir" "$jwks_port" "$OAUTH_ISSUER"; then
  ok "keys from the issuer's URL: rotation, outage (cached, then 503), recovery"
else bad "keys from the issuer's URL"; fi
# The same rotation with keys kept for an hour: only the unknown-kid refetch can bring k2 in.
if env -u OAUTH_JWKS_FILE -u OAUTH_ISSUER_2 -u OAUTH_JWKS_2 \
     OAUTH_JWKS_URI="https://127.0.0.1:$jwks_port/jwks.json" OAUTH_JWKS_CA_FILE="$dir/ca.pem" \
     OAUTH_JWKS_REFETCH_SECONDS=1 OAUTH_JWKS_MIN_TTL_SECONDS=3600 WARDEN_LOG_ARCHIVE="$dir/jwks-kid.log" \
     "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '"$0" "$1" "$WARDEN_URL" "$2" "$3" "$4" rotation-only' \
     "$node" "$here/jwks_client.mjs" "$dir" "$jwks_port" "$OAUTH_ISSUER"; then
  ok "a rotated key arrives through the unknown-kid refetch alone (keys otherwise kept for an hour)"
else bad "rotation through the unknown kid"; fi
if grep -q "not fetched" "$dir/jwks.log" && grep -q "no usable keys" "$dir/jwks.log" && grep -q "fetched again" "$dir/jwks.log"; then
  ok "the log says when the keys could not be fetched, when they ran out, and when they came back"
else bad "JWKS log lines"; cat "$dir/jwks.log"; fi
# An issuer found through its RFC 8414 metadata (jwks_uri taken from there).
disc_iss="https://127.0.0.1:$jwks_port"
"$node" "$here/jwks_server.mjs" "$jwks_port" "$dir/server.pem" "$dir/server.key" "$dir/jwks.json" "$disc_iss" > "$dir/jwks_server.out" &
jwks_pid=$!
for _ in $(seq 100); do grep -q listening "$dir/jwks_server.out" 2>/dev/null && break; sleep 0.05; done
disc_token=$("$node" "$examples/mint.mjs" token "$dir/k1" "$disc_iss" "$MCP_RESOURCE" notes:read)
if env -u OAUTH_JWKS_FILE -u OAUTH_ISSUER_2 -u OAUTH_JWKS_2 OAUTH_ISSUER="$disc_iss" OAUTH_DISCOVER=1 \
     OAUTH_JWKS_CA_FILE="$dir/ca.pem" "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '
     code=$(node -e "fetch(process.argv[1], {method: \"POST\", headers: {\"content-type\": \"application/json\",
       accept: \"application/json, text/event-stream\", authorization: \"Bearer \" + process.argv[2]},
       body: JSON.stringify({jsonrpc: \"2.0\", id: 1, method: \"initialize\", params: {protocolVersion: \"2025-11-25\",
       capabilities: {}, clientInfo: {name: \"d\", version: \"1\"}}})}).then((r) => console.log(r.status))" "$WARDEN_URL" "$0")
     [ "$code" = 200 ]' "$disc_token"; then
  ok "keys found through the issuer's RFC 8414 metadata"
else bad "discovery"; fi
kill "$jwks_pid" 2>/dev/null; wait "$jwks_pid" 2>/dev/null
# Opaque tokens and RFC 7662 introspection, with client credentials from the environment.
export INTROSPECT_SECRET=$(openssl rand -hex 24)
if env -u OAUTH_JWKS_FILE -u OAUTH_ISSUER_2 -u OAUTH_JWKS_2 \
     OAUTH_INTROSPECTION_ENDPOINT="https://127.0.0.1:$jwks_port/introspect" OAUTH_INTROSPECTION_CLIENT_ID=warden-rs \
     OAUTH_JWKS_CA_FILE="$dir/ca.pem" WARDEN_LOG_ARCHIVE="$dir/introspection.log" \
     "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '"$0" "$1" "$WARDEN_URL" "$2" "$3" "$4" "$5" "$6"' \
     "$node" "$here/introspection_client.mjs" "$dir" "$jwks_port" "$OAUTH_ISSUER" warden-rs "$INTROSPECT_SECRET"; then
  ok "opaque tokens through introspection: active, refused, outage (cache, then 503), recovery"
else bad "introspection"; fi
if grep -q -F "$INTROSPECT_SECRET" "$dir/introspection.log"; then bad "the introspection secret is in the log"
else ok "the introspection client secret never appears in the log"; fi
# End to end with oidc-provider as the authorization server: JWT access tokens (keys found
# through its metadata), then opaque tokens through introspection.
as_port=$(pick_port "$port" "$jwks_port") || exit 1
export AS_SECRET=$(openssl rand -hex 24)
for format in jwt opaque; do
  if [ "$format" = jwt ]; then
    keys=(OAUTH_DISCOVER=1)
  else
    keys=(OAUTH_INTROSPECTION_ENDPOINT="https://127.0.0.1:$as_port/token/introspection"
          OAUTH_INTROSPECTION_CLIENT_ID=warden-rs INTROSPECT_SECRET="$AS_SECRET")
  fi
  if env -u OAUTH_JWKS_FILE -u OAUTH_ISSUER_2 -u OAUTH_JWKS_2 OAUTH_ISSUER="https://127.0.0.1:$as_port" "${keys[@]}" \
       OAUTH_CHALLENGE_SCOPES=notes:read OAUTH_JWKS_CA_FILE="$dir/ca.pem" NODE_EXTRA_CA_CERTS="$dir/ca.pem" \
       "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '"$0" "$1" "$2" "$WARDEN_URL" "$3" "$4" "$5"' \
       "$node" "$here/oidc_client.mjs" "$format" "$as_port" "$dir" "$AS_SECRET"; then
    ok "oidc-provider and the TypeScript SDK client, $format access tokens: the whole flow, step-up, another resource, an outage"
  else bad "oidc-provider end to end ($format)"; fi
done
# Another provider's token shape, chosen with OAUTH_PROFILE: Keycloak (typ JWT, the client in
# azp, realm roles as scopes); its ID token and an RFC 9068 token are refused under it.
kc_tokens=$(MINT="$examples/mint.mjs" "$node" --input-type=module -e '
  const { mint } = await import(process.env.MINT);
  const [dir, iss, aud] = process.argv.slice(1);
  const now = Math.floor(Date.now() / 1000);
  const base = { iss, aud: [aud, "account"], sub: "kc-user", azp: "kc-client", typ: "Bearer", iat: now, exp: now + 300,
                 jti: "kc-1", scope: "openid", realm_access: { roles: ["notes:read"] } };
  console.log(mint(dir, base, { typ: "JWT" }));
  console.log(mint(dir, { ...base, typ: "ID" }, { typ: "JWT" }));
  console.log(mint(dir, { ...base, client_id: "kc-client" }));' "$dir/as1" "$OAUTH_ISSUER" "$MCP_RESOURCE")
mapfile -t kc <<<"$kc_tokens"
if OAUTH_PROFILE=keycloak "$here/with_server.sh" "$server" --listen "127.0.0.1:$port" -- bash -c '
     access=$0 id=$1 rfc9068=$2
     status() { node -e "fetch(process.argv[1], {method: \"POST\", headers: {\"content-type\": \"application/json\",
       accept: \"application/json, text/event-stream\", authorization: \"Bearer \" + process.argv[2]},
       body: JSON.stringify({jsonrpc: \"2.0\", id: 1, method: \"initialize\", params: {protocolVersion: \"2025-11-25\",
       capabilities: {}, clientInfo: {name: \"k\", version: \"1\"}}})}).then((r) => console.log(r.status))" "$WARDEN_URL" "$1"; }
     out=$(timeout 60 mcp-inspector --cli "$WARDEN_URL" --transport http --header "Authorization: Bearer $access" \
           --method tools/call --tool-name whoami 2>/dev/null) &&
     printf "%s" "$out" | grep -q "kc-user via kc-client" && printf "%s" "$out" | grep -q "notes:read" &&
     [ "$(status "$id")" = 401 ] && [ "$(status "$rfc9068")" = 401 ]' "${kc[0]}" "${kc[1]}" "${kc[2]}"; then
  ok "OAUTH_PROFILE=keycloak: a Keycloak access token is accepted (client azp, realm roles as scopes); its ID token and an at+jwt token are not"
else bad "the keycloak profile through the example"; fi
out=$(OAUTH_PROFILE=azure "$server" --listen 127.0.0.1:0 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q "is not a profile" <<<"$out"; then ok "an unknown OAUTH_PROFILE stops start-up, naming the profiles"
else bad "unknown profile: $rc $out"; fi
# Plain http to an issuer is refused under profile::production.
out=$(env -u OAUTH_JWKS_FILE OAUTH_ISSUER=http://127.0.0.1:9/as OAUTH_DISCOVER=1 "$server" --listen 127.0.0.1:0 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q "https only" <<<"$out"; then ok "plain http to an issuer is refused under profile::production"
else bad "plain http issuer: $rc $out"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
