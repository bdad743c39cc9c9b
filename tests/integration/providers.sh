#!/usr/bin/env bash
# providers.sh SERVER: every provider profile end to end against a fake of that provider's
# issuer over HTTPS (tests/integration/providers_client.mjs says what is checked).
set -u
server=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$here/test_pki.sh"
source "$here/ports.sh"
as_port=$(pick_port) || { echo "no free port"; exit 1; }
test_ca "$dir" || { echo "openssl failed"; exit 1; }
NODE_EXTRA_CA_CERTS=$dir/ca.pem "$node" "$here/providers_client.mjs" "$server" "$dir/ca.pem" "$dir/server.pem" "$dir/server.key" "$as_port"
