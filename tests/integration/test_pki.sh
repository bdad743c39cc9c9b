# Sourced by test scripts that serve HTTPS. `test_ca DIR` makes, in DIR, a test CA
# (ca.pem, ca.key) and a server certificate it signed for 127.0.0.1 and localhost
# (server.pem, server.key), valid two days. Fails (non-zero) if openssl does.
test_ca() {
  (cd "$1" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=warden test CA" 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
      -extfile ext 2>/dev/null)
}

# `start_nginx NGINX WORK SITE`: runs nginx with the server blocks of the file SITE (an
# http-block fragment, e.g. a shipped examples/deployment/*.conf with this run's ports),
# every path of its own under WORK; stops it with `stop_nginx WORK`. Prints nginx's error
# log and fails when nginx refuses the configuration.
start_nginx() {
  local nginx=$1 work=$2 site=$3
  mkdir -p "$work/tmp" && chmod 1777 "$work/tmp"
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log notice;
events { worker_connections 512; }
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $site;
}
CONF
  "$nginx" -t -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" 2>"$work/nginx-t.log" ||
    { echo "nginx refused the configuration:"; cat "$work/nginx-t.log"; return 1; }
  "$nginx" -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" || { cat "$work/nginx-error.log"; return 1; }
}
stop_nginx() { [ -f "$1/nginx.pid" ] && kill -QUIT "$(cat "$1/nginx.pid")" 2>/dev/null; }

# `start_workspace`: `work`, a temporary folder removed at exit (when every pid in `pids` is
# killed), holding a test CA and server certificate (test_ca) that Node trusts.
start_workspace() {
  work=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
  test_ca "$work" || { echo "openssl failed"; exit 1; }
  export NODE_EXTRA_CA_CERTS=$work/ca.pem
}
