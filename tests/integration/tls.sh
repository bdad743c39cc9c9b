#!/usr/bin/env bash
# tls.sh SERVER: HTTPS with a test CA generated here. Start-up refuses a missing or
# mismatched certificate/key with a clear message; a client that trusts the CA gets the
# whole TypeScript SDK client run; one that does not is refused; TLS 1.1 is refused.
set -u
server=$1
here=$(cd "$(dirname "$0")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed+1)); }
bad() { echo "not ok - $1"; failed=$((failed+1)); }

source "$here/test_pki.sh"
test_ca "$dir" || exit 1

out=$("$server" --listen 127.0.0.1:0 --tls-cert missing.pem --tls-key server.key 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q 'missing.pem' <<<"$out"; then ok "a missing certificate stops start-up"; else bad "missing certificate: $rc $out"; fi
out=$("$server" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key ca.key 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q 'does not match' <<<"$out"; then ok "a mismatched key stops start-up"; else bad "mismatched key: $rc $out"; fi
chmod 000 server.key
# Root reads every file: as root, the server runs as nobody for this one check.
as_user=() run_server=$server
if [ "$(id -u)" -eq 0 ]; then
  # A copy in the test's own directory: the build tree may sit where nobody cannot enter.
  chmod 755 "$dir"; cp "$server" "$dir/server-copy"; chmod 755 "$dir/server-copy"
  as_user=(runuser -u nobody --) run_server=$dir/server-copy
fi
out=$("${as_user[@]}" "$run_server" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key server.key 2>&1); rc=$?
if [ $rc -eq 78 ] && grep -q 'server.key' <<<"$out"; then ok "an unreadable key stops start-up"; else bad "unreadable key: $rc $out"; fi
chmod 600 server.key

if NODE_EXTRA_CA_CERTS="$dir/ca.pem" "$here/with_server.sh" "$server" --listen 127.0.0.1:0 --tls-cert server.pem \
     --tls-key server.key -- bash -c '[[ "$WARDEN_URL" == https://* ]] && "$0" "$1" http "$WARDEN_URL"' \
     "$node" "$here/ts_client.mjs"; then
  ok "a client that trusts the test CA works over HTTPS"
else
  bad "the TypeScript SDK client over HTTPS"
fi

if NODE_EXTRA_CA_CERTS="$dir/ca.pem" "$here/with_server.sh" "$server" --listen 127.0.0.1:0 --tls-cert server.pem \
     --tls-key server.key -- bash -c 'u=${WARDEN_URL%/mcp}/ws; "$0" "$1" ws "wss${u#https}"' "$node" "$here/ts_client.mjs"; then
  ok "the TypeScript SDK client over WebSocket with TLS (wss)"
else
  bad "the TypeScript SDK client over wss"
fi

if "$here/with_server.sh" "$server" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key server.key -- bash -c '
     env -u NODE_EXTRA_CA_CERTS "$0" -e "fetch(process.argv[1], {method: \"POST\"}).then(() => process.exit(0), (e) => { console.log(String(e.cause && e.cause.code)); process.exit(3); })" "$WARDEN_URL" | grep -q -E "CERT|VERIFY"
     r1=$?
     port=${WARDEN_URL##*:}; port=${port%%/*}
     # The client at security level 0, so that TLS 1.1 is refused by the server, not by the
     # client: the same client gets TLS 1.2.
     echo | openssl s_client -connect 127.0.0.1:$port -tls1_1 -cipher "DEFAULT@SECLEVEL=0" >/dev/null 2>&1 && exit 1
     echo | openssl s_client -connect 127.0.0.1:$port -tls1_2 -cipher "DEFAULT@SECLEVEL=0" >/dev/null 2>&1 || exit 1
     exit $r1' "$node"; then
  ok "a client that does not trust the CA is refused; TLS 1.1 is refused by the server (TLS 1.2 from the same client is not)"
else
  bad "untrusted client or TLS 1.1 was accepted"
fi
# Beyond loopback with no allowed-host list, the certificate's DNS names (localhost) are the
# list: a rebound name gets 403.
if "$here/with_server.sh" "$server" --listen 0.0.0.0:0 --tls-cert server.pem --tls-key server.key -- bash -c '
     port=${WARDEN_URL##*:}; port=${port%%/*}
     status() { curl -sk -o /dev/null -w "%{http_code}" -X POST "https://127.0.0.1:$port/mcp" -H "Host: $1" \
       -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
       --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"; }
     [ "$(status "localhost:$port")" != 403 ] && [ "$(status rebound.attacker.example)" = 403 ]'; then
  ok "beyond loopback, the certificate's names are the allowed hosts"
else
  bad "certificate names as allowed hosts"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
