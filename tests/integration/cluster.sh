#!/usr/bin/env bash
# Several instances behind a real nginx, sharing a real Redis: three hmac_signed processes
# (`--instance a|b|c --trusted-proxy 127.0.0.1`), nginx configured with the shipped
# examples/deployment/nginx.conf (only ports, certificate paths and the listen address
# changed), TLS at nginx. cluster_client.mjs runs the cases; then the logs are checked for
# the misrouting warning and searched for every secret.
#   cluster.sh HMAC_SIGNED REDIS_SERVER NGINX
set -uo pipefail
server=$1 redis=$2 nginx=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shipped=$here/../../examples/deployment/nginx.conf
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  stop_nginx "$work"
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
# (below the ephemeral range: nothing else can take them while the others start)
source "$here/ports.sh"
source "$here/test_pki.sh"
ports=$(pick_ports 5) || { echo "no free port"; exit 1; }
read -r redis_port nginx_port port_a port_b port_c <<<"$ports"

export BILLING_HMAC_KEY=$(openssl rand -hex 32) BILLING_HMAC_KEY_NEXT=$(openssl rand -hex 32) PARTNER_HMAC_KEY=$(openssl rand -hex 32)
export REDIS_PASSWORD=$(openssl rand -hex 20) REDIS_URL=redis://127.0.0.1:$redis_port
export WARDEN_STORAGE_KEY=$(openssl rand -base64 32) # seals the task records in Redis
"$redis" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$REDIS_PASSWORD" \
  --dir "$work" --protected-mode no --loglevel warning >/dev/null 2>&1 &
pids+=($!)
wait_port "$redis_port" redis-server || exit 1

# nginx's certificate, from a CA the client trusts.
test_ca "$work" || { echo "openssl failed"; exit 1; }
export NODE_EXTRA_CA_CERTS=$work/ca.pem

declare -A port=([a]=$port_a [b]=$port_b [c]=$port_c) pid=()
for name in a b c; do
  "$server" --listen "127.0.0.1:${port[$name]}" --instance "$name" --trusted-proxy 127.0.0.1 \
    --allow-host "127.0.0.1:$nginx_port" 2>"$work/$name.log" &
  pid[$name]=$!
  pids+=($!)
done
for name in a b c; do wait_port "${port[$name]}" "instance $name" || { cat "$work/$name.log"; exit 1; }; done

# The shipped configuration, with this run's ports, certificate and address.
sed -e "s/127\.0\.0\.1:8001/127.0.0.1:$port_a/; s/127\.0\.0\.1:8002/127.0.0.1:$port_b/; s/127\.0\.0\.1:8003/127.0.0.1:$port_c/" \
    -e "s|listen 443 ssl;|listen 127.0.0.1:$nginx_port ssl;|" \
    -e "s|/etc/ssl/mcp/fullchain.pem|$work/server.pem|; s|/etc/ssl/mcp/privkey.pem|$work/server.key|" \
    "$shipped" >"$work/warden.conf"
for n in 8001 8002 8003; do
  grep -q "127.0.0.1:$n" "$work/warden.conf" && { echo "port $n left in the configuration"; exit 1; }
done
start_nginx "$nginx" "$work" "$work/warden.conf" || exit 1
wait_port "$nginx_port" nginx || { cat "$work/nginx-error.log"; exit 1; }

status=0
CLUSTER_LOG_A=$work/a.log node "$here/cluster_client.mjs" "https://127.0.0.1:$nginx_port/mcp" "http://127.0.0.1:$port_a/mcp" \
  "http://127.0.0.1:$port_b/mcp" "http://127.0.0.1:$port_c/mcp" "${pid[a]}" || status=1

for name in b c; do kill -TERM "${pid[$name]}"; done
for name in b c; do wait "${pid[$name]}" || { echo "not ok - instance $name exited with $?"; status=1; }; done
if grep -q 'a request for a session of instance "a" reached instance "b"' "$work/b.log"; then
  echo "ok - instance B logged the session of A it refused"
else
  echo "not ok - no misrouting line in B's log:"; cat "$work/b.log"; status=1
fi
if grep -qE 'connect\(\) failed \(111|upstream server temporarily disabled' "$work/nginx-error.log"; then
  echo "ok - nginx saw instance A gone and moved on"
else
  echo "not ok - nginx's error log does not show the dead instance:"; cat "$work/nginx-error.log"; status=1
fi
if grep -rqF -e "$BILLING_HMAC_KEY" -e "$BILLING_HMAC_KEY_NEXT" -e "$PARTNER_HMAC_KEY" -e "$REDIS_PASSWORD" -e "$WARDEN_STORAGE_KEY" "$work"/*.log; then
  echo "not ok - a secret reached a log"; status=1
else
  echo "ok - no secret in any log (instances, nginx access and error logs)"
fi
exit $status
