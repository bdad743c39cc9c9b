#!/usr/bin/env bash
# The static-credential examples with real clients: the TypeScript SDK client sending
# headers (auth_client.mjs), the Inspector CLI with --header, credential files with
# rotation on SIGHUP; then every log line of the run is searched for every secret used.
#   auth_examples.sh EXAMPLES_DIR TOOLS_DIR
set -uo pipefail
examples=$1 tools=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin="${WARDEN_NPM_DIR:?run scripts/install-deps.sh}/node_modules/.bin"
export PATH="$bin:$PATH"
export MCP_CATALOG_PATH=$(mktemp -d)/catalog.json
work=$(mktemp -d)
trap 'rm -rf "$work" "$(dirname "$MCP_CATALOG_PATH")"' EXIT
export WARDEN_LOG_ARCHIVE=$work/server.log
: >"$WARDEN_LOG_ARCHIVE"
out=$work/client.log
status=0
secret() { openssl rand -hex 24; }
file_secret() { install -m 600 /dev/null "$CREDENTIALS_DIRECTORY/$1"; printf '%s\n' "$2" >"$CREDENTIALS_DIRECTORY/$1"; }

# run EXAMPLE: serves EXAMPLE at debug level, drives it with the SDK client and the Inspector.
run() {
  local example=$1; shift
  "$here/with_server.sh" "$examples/$example" --listen 127.0.0.1:0 --log-level debug -- \
    bash -c "node '$here/auth_client.mjs' $example \"\$WARDEN_URL\" && $*" >>"$out" 2>&1 || status=1
}
inspect() { # inspect 'HEADER...' JS: one Inspector CLI call of whoami-like tool, checked by JS
  echo "mcp-inspector --cli \"\$WARDEN_URL\" --transport http $1 --method tools/list | node -e \"const r=JSON.parse(require('fs').readFileSync(0,'utf8')); if(!($2)) process.exit(1); console.log('ok - inspector cli with --header')\" || { echo 'not ok - inspector cli with --header'; exit 1; }"
}

# static_bearer: tokens in files (CREDENTIALS_DIRECTORY), the read-only one in the environment.
export CREDENTIALS_DIRECTORY=$work/creds-bearer
mkdir -m 700 "$CREDENTIALS_DIRECTORY"
export WRITER=$(secret) READER=$(secret) NEXT=$(secret)
file_secret MCP_BEARER_TOKEN "$WRITER"
export MCP_READONLY_TOKEN=$READER
run static_bearer "$(inspect "--header 'Authorization: Bearer $READER'" "r.tools.length === 3")"
unset MCP_READONLY_TOKEN

# api_key: everything in files.
export CREDENTIALS_DIRECTORY=$work/creds-api
mkdir -m 700 "$CREDENTIALS_DIRECTORY"
export ACME_API_KEY=k_$(secret) ACME_API_SECRET=$(secret) PARTNER_API_KEY=k_$(secret) PARTNER_API_SECRET=$(secret)
for v in ACME_API_KEY ACME_API_SECRET PARTNER_API_KEY PARTNER_API_SECRET; do file_secret $v "${!v}"; done
run api_key "$(inspect "--header 'X-API-Key: $ACME_API_KEY' --header 'X-API-Secret: $ACME_API_SECRET'" "r.tools.length === 2")"

# multi_tenant: the environment only.
export CREDENTIALS_DIRECTORY=$work/creds-none
mkdir -m 700 "$CREDENTIALS_DIRECTORY"
export ACME_TOKEN=$(secret) GLOBEX_TOKEN=$(secret)
run multi_tenant "$(inspect "--header 'X-Auth-Token: $GLOBEX_TOKEN' --header 'X-Tenant-ID: globex'" "r.tools.length === 2")"

# basic_migration: Basic users hashed with tools/hash_password, in a file; a token in the environment.
export CREDENTIALS_DIRECTORY=$work/creds-basic
mkdir -m 700 "$CREDENTIALS_DIRECTORY"
export ALICE_PASSWORD="$(secret) with spaces: and colons" MCP_BEARER_TOKEN=$(secret)
# A hash below OWASP's minimum is refused at start-up (profile::production), naming the fix.
printf '%s' "$ALICE_PASSWORD" | "$tools/hash_password" --ln 12 --p 1 alice >"$work/users" 2>"$work/weak.err" || status=1
grep -q "below OWASP's minimum" "$work/weak.err" && echo "ok - hash_password warns of a weak hash" >>"$out" ||
  { echo "not ok - hash_password did not warn: $(cat "$work/weak.err")"; status=1; }
file_secret MCP_BASIC_USERS "$(cat "$work/users")"
"$examples/basic_migration" --listen 127.0.0.1:0 2>"$work/weak.log"
rc=$?
if [ $rc -eq 78 ] && grep -q "MCP_BASIC_USERS line 1 (alice): scrypt ln=12,r=8,p=1 is below OWASP's minimum" "$work/weak.log" &&
   grep -q "rehash it with tools/hash_password" "$work/weak.log"; then
  echo "ok - a weak password hash stops the server (exit 78) with the fix" >>"$out"
else
  echo "not ok - weak password hash: exit $rc" >>"$out"; cat "$work/weak.log" >>"$out"; status=1
fi
cat "$work/weak.log" >>"$WARDEN_LOG_ARCHIVE"
rm -f "$CREDENTIALS_DIRECTORY/MCP_BASIC_USERS"
printf '%s' "$ALICE_PASSWORD" | "$tools/hash_password" alice >"$work/users" || status=1
file_secret MCP_BASIC_USERS "$(cat "$work/users")"
grep -q '^alice:\$scrypt\$ln=15,r=8,p=3\$' "$work/users" && echo "ok - hash_password makes a scrypt line (OWASP's cost by default)" >>"$out" ||
  { echo "not ok - hash_password output"; status=1; }
run basic_migration "$(inspect "--header 'Authorization: Bearer $MCP_BEARER_TOKEN'" "r.tools.length === 1")"

# hmac_signed: the key in the environment; the SDK client signs with hmac_sign.mjs.
export BILLING_HMAC_KEY=$(secret)
bridge=$here/../../examples/hmac_signed/signing-bridge.mjs
run hmac_signed "timeout 60 mcp-inspector --cli -e BILLING_HMAC_KEY=\$BILLING_HMAC_KEY -e WARDEN_NPM_DIR=\$WARDEN_NPM_DIR node '$bridge' \"\$WARDEN_URL\" --method tools/call --tool-name create_invoice --tool-arg customer=Initech amount=5 | node -e \"const r=JSON.parse(require('fs').readFileSync(0,'utf8')); if(!/signed by billing/.test(r.content[0].text)) process.exit(1); console.log('ok - inspector cli over stdio through the signing bridge')\" || { echo 'not ok - inspector cli through the signing bridge'; exit 1; }"

# A server that cannot start says why, listing every problem, and exits 78.
env -u ACME_TOKEN -u GLOBEX_TOKEN "$examples/multi_tenant" --listen 127.0.0.1:0 2>"$work/refused.log"
rc=$?
if [ $rc -eq 78 ] && grep -q "warden error:   ACME_TOKEN - " "$work/refused.log" &&
   grep -q "warden error:   GLOBEX_TOKEN - " "$work/refused.log"; then
  echo "ok - missing credentials: exit 78, all listed, one log line each" >>"$out"
else
  echo "not ok - missing credentials: exit $rc" >>"$out"; cat "$work/refused.log" >>"$out"; status=1
fi
cat "$work/refused.log" >>"$WARDEN_LOG_ARCHIVE"

cat "$out"
# Nothing secret in any log: the servers' (debug level) or the clients'.
leaks=0
for s in "$WRITER" "$READER" "$NEXT" "$ACME_API_KEY" "$ACME_API_SECRET" "$PARTNER_API_KEY" "$PARTNER_API_SECRET" \
         "$ACME_TOKEN" "$GLOBEX_TOKEN" "$ALICE_PASSWORD" "$MCP_BEARER_TOKEN" "$BILLING_HMAC_KEY"; do
  if grep -qF -- "$s" "$WARDEN_LOG_ARCHIVE"; then echo "not ok - a secret appears in the server log"; leaks=1; fi
done
lines=$(wc -l <"$WARDEN_LOG_ARCHIVE")
if [ $leaks -eq 0 ] && grep -q "refused POST /mcp" "$WARDEN_LOG_ARCHIVE" && grep -q "\[redacted fp:" "$WARDEN_LOG_ARCHIVE"; then
  echo "ok - $lines server log lines (debug level, with refusals and redacted headers) hold no secret"
else
  echo "not ok - secret check over $lines server log lines"; status=1
fi
exit $status
