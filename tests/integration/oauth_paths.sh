#!/usr/bin/env bash
# oauth_paths.sh SERVER NGINX: the oauth_resource_server example where it does not own the
# host's root, behind a real nginx configured with the shipped
# examples/deployment/nginx-paths.conf (only ports, certificate paths and listen addresses
# changed): one server mounted at /tools/mcp (--path), and two behind prefixes nginx strips
# (/team-a: metadata at the path-inserted URL; /team-b: MCP_RESOURCE_METADATA_URL under the
# prefix). oauth_paths_client.mjs runs the cases through nginx with the TypeScript SDK.
set -uo pipefail
server=$(realpath "$1") nginx=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shipped=$here/../../examples/deployment/nginx-paths.conf
mint=$here/../../examples/oauth_resource_server/mint.mjs
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
work=$(mktemp -d)
chmod 755 "$work"
pids=()
source "$here/ports.sh"
source "$here/test_pki.sh"
cleanup() {
  stop_nginx "$work"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
ports=$(pick_ports 5) || { echo "no free port"; exit 1; }
read -r mcp_host team_host port_tools port_a port_b <<<"$ports"

test_ca "$work" || { echo "openssl failed"; exit 1; }
export NODE_EXTRA_CA_CERTS=$work/ca.pem
"$node" "$mint" keys "$work/as" || exit 1
export OAUTH_ISSUER=https://as.example.test OAUTH_JWKS_FILE=$work/as/jwks.json

# The three servers, each told its public URI; nginx talks to them on loopback.
start() { # start NAME PORT PUBLIC_HOST_PORT ARGS...
  local name=$1 port=$2 public=$3; shift 3
  "$server" --listen "127.0.0.1:$port" --trusted-proxy 127.0.0.1 --allow-host "127.0.0.1:$public" "$@" \
    2>"$work/$name.log" &
  pids+=($!)
}
MCP_RESOURCE="https://127.0.0.1:$mcp_host/tools/mcp" start tools "$port_tools" "$mcp_host" --path /tools/mcp
MCP_RESOURCE="https://127.0.0.1:$team_host/team-a/mcp" start team-a "$port_a" "$team_host"
MCP_RESOURCE="https://127.0.0.1:$team_host/team-b/mcp" \
  MCP_RESOURCE_METADATA_URL="https://127.0.0.1:$team_host/team-b/.well-known/oauth-protected-resource" \
  start team-b "$port_b" "$team_host"
for p in "$port_tools" "$port_a" "$port_b"; do wait_port "$p" server || { cat "$work"/*.log; exit 1; }; done

# The shipped configuration with this run's ports: the first server block listens on
# mcp_host, the second on team_host.
sed -e "s/127\.0\.0\.1:8101/127.0.0.1:$port_tools/; s/127\.0\.0\.1:8102/127.0.0.1:$port_a/; s/127\.0\.0\.1:8103/127.0.0.1:$port_b/" \
    -e "0,/listen 443 ssl;/s//listen 127.0.0.1:$mcp_host ssl;/" -e "s/listen 443 ssl;/listen 127.0.0.1:$team_host ssl;/" \
    -e "s|/etc/ssl/mcp/fullchain.pem|$work/server.pem|; s|/etc/ssl/mcp/privkey.pem|$work/server.key|" \
    "$shipped" >"$work/paths.conf"
grep -qE "listen 443|:810[123]" "$work/paths.conf" && { echo "a port of the shipped file left in the configuration"; exit 1; }
start_nginx "$nginx" "$work" "$work/paths.conf" || exit 1
wait_port "$mcp_host" nginx && wait_port "$team_host" nginx || { cat "$work/nginx-error.log"; exit 1; }

status=0
"$node" "$here/oauth_paths_client.mjs" "$work/as" "$OAUTH_ISSUER" "https://127.0.0.1:$mcp_host" \
  "https://127.0.0.1:$team_host" || status=1
if grep -qE "\[(error|crit|alert|emerg)\]" "$work/nginx-error.log"; then
  echo "not ok - nginx logged errors:"; cat "$work/nginx-error.log"; status=1
else
  echo "ok - nginx logged no error"
fi
exit $status
