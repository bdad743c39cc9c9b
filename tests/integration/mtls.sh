#!/usr/bin/env bash
# mtls.sh SERVER EVERYTHING: the mtls example with certificates made here by a test CA.
# Start-up refuses what cannot work, with the fix in the message; then the TypeScript SDK
# client presents certificates directly (mutual_tls, with and without a CRL) and through a
# trusted proxy's header (behind_mtls_terminator), and the hostile cases are refused, each
# with its reason in the server log.
set -u
server=$(realpath "$1") everything=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
dir=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
cd "$dir"
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed+1)); }
bad() { echo "not ok - $1"; failed=$((failed+1)); }

quiet() { "$@" >/dev/null 2>&1 || { echo "mtls.sh: failed: $*"; exit 1; }; }
ca() { # ca NAME: a self-signed CA
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # leaf NAME CA CN EXTENSIONS...: a certificate signed by CA
  local name=$1 issuer=$2 cn=$3; shift 3
  printf '%s\n' "$@" > "$name.ext"
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
  quiet openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial -out "$name.pem" \
    -days 2 -extfile "$name.ext"
}
ca server-ca
ca clients-ca
ca other-ca
leaf server server-ca localhost 'subjectAltName=IP:127.0.0.1,DNS:localhost'
client='extendedKeyUsage=clientAuth'
leaf deployer clients-ca deployer 'subjectAltName=URI:spiffe://example.org/ns/ci/sa/deployer' "$client"
leaf reporter clients-ca reporter 'subjectAltName=DNS:reporter.internal.example' "$client"
leaf stranger clients-ca stranger 'subjectAltName=URI:spiffe://example.org/ns/other/sa/stranger' "$client"
leaf cn_only clients-ca reporter.internal.example "$client"
leaf ca_leaf clients-ca deployer 'basicConstraints=critical,CA:TRUE' 'subjectAltName=URI:spiffe://example.org/ns/ci/sa/deployer'
leaf server_purpose clients-ca deployer 'extendedKeyUsage=serverAuth' 'subjectAltName=URI:spiffe://example.org/ns/ci/sa/deployer'
leaf revoked clients-ca deployer 'subjectAltName=URI:spiffe://example.org/ns/ci/sa/deployer' "$client"
leaf foreign other-ca deployer 'subjectAltName=URI:spiffe://example.org/ns/ci/sa/deployer' "$client"
touch index.txt; echo 1000 > crlnumber
printf '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=2\n' > ca.cnf
quiet openssl ca -config ca.cnf -keyfile clients-ca.key -cert clients-ca.pem -revoke revoked.pem
quiet openssl ca -config ca.cnf -keyfile clients-ca.key -cert clients-ca.pem -gencrl -out clients.crl

export MTLS_OPERATORS='URI:spiffe://example.org/ns/ci/sa/deployer=deployer'
export MTLS_READERS='DNS:reporter.internal.example=reporter'
tls=(--tls-cert server.pem --tls-key server.key)

expect_refusal() { # expect_refusal WHAT PATTERN COMMAND...: exit 78 and PATTERN in the output
  local what=$1 pattern=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 78 ] && grep -q -- "$pattern" <<<"$out"; then ok "$what"; else bad "$what: status $rc: $out"; fi
}
expect_refusal "start-up without the client CA names --tls-client-ca" 'tls-client-ca' \
  "$server" --listen 127.0.0.1:0 "${tls[@]}"
expect_refusal "a client CA file without a certificate is refused" 'holds no PEM certificate' \
  "$server" --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca deployer.key
expect_refusal "a CRL file without a CRL is refused" 'holds no PEM CRL' \
  "$server" --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca clients-ca.pem --tls-client-crl clients-ca.pem
expect_refusal "no identities: the allowlist is named" 'settings.auth.mtls.identities' \
  env -u MTLS_OPERATORS -u MTLS_READERS "$server" --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca clients-ca.pem
expect_refusal "a server whose transport does not verify client certificates refuses a client CA" \
  'does not verify client certificates' "$everything" --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca clients-ca.pem
out=$("$server" --listen 127.0.0.1:0 "${tls[@]}" --tls-client-crl clients.crl 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q 'tls-client-crl needs --tls-client-ca' <<<"$out"; then ok "--tls-client-crl alone is a usage error"
else bad "--tls-client-crl alone: $rc $out"; fi

run() { # run NAME MODE CRL -- SERVER-ARGS...: the client against the server; its log kept in NAME.log
  local name=$1 mode=$2 crl=$3; shift 4
  WARDEN_LOG_ARCHIVE="$dir/$name.log" "$here/with_server.sh" "$server" "$@" -- \
    bash -c '"$0" "$1" "$2" "$WARDEN_URL" "$3" $4' "$node" "$here/mtls_client.mjs" "$mode" "$dir" "$crl"
}
if run direct direct '' -- --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca clients-ca.pem; then
  ok "mutual TLS: the TypeScript SDK client with certificates; hostile certificates refused"
else bad "mutual TLS"; fi
reasons=('unsuitable certificate purpose' 'CA certificate (CA:TRUE)' 'unable to get local issuer certificate')
for reason in "${reasons[@]}"; do
  if grep -q "refused: client certificate: .*$reason" direct.log; then ok "the log says why: $reason"
  else bad "the log does not say: $reason"; fi
done
if grep -q 'client certificate names no allowed identity (URI:spiffe://example.org/ns/other/sa/stranger)' direct.log; then
  ok "the log names the certificate's SANs that matched nothing"
else bad "no log line for the stranger"; fi

if run direct-crl direct crl -- --listen 127.0.0.1:0 "${tls[@]}" --tls-client-ca clients-ca.pem --tls-client-crl clients.crl; then
  ok "mutual TLS with a CRL: a revoked certificate is refused, the others work"
else bad "mutual TLS with a CRL"; fi
if grep -q 'refused: client certificate: certificate revoked' direct-crl.log; then ok "the log says: certificate revoked"
else bad "no log line for the revoked certificate"; fi

if run proxy proxy crl -- --listen 127.0.0.1:0 --trusted-proxy 127.0.0.1 --tls-client-ca clients-ca.pem \
     --tls-client-crl clients.crl; then
  ok "behind a trusted TLS terminator: forwarded certificates verified again"
else bad "behind a trusted TLS terminator"; fi
if run untrusted untrusted-proxy '' -- --listen 127.0.0.1:0 --trusted-proxy 192.0.2.10 --tls-client-ca clients-ca.pem; then
  ok "the certificate header from anyone but the trusted proxy is ignored"
else bad "untrusted proxy"; fi

# Nothing private in any log: no key material, no PEM at all.
if [ ! -s direct.log ] || [ ! -s proxy.log ]; then bad "the server logs were not kept"
elif cat ./*.log | grep -q -e 'PRIVATE KEY' -e 'BEGIN CERTIFICATE'; then bad "a log holds PEM data"
else ok "no PEM data in any log"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
