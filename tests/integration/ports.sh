# Sourced by test scripts that must fix a port before the server starts (the OAuth resource
# URI names it). `pick_port [TAKEN...]` prints a port below the kernel's ephemeral range
# (so no concurrent test's bind(0) or outgoing connection can be holding it), on which
# nothing listens now, and which is none of TAKEN.
pick_port() {
  local lo hi p t taken
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { lo=32768; hi=60999; }
  for _ in $(seq 100); do
    if [ "$lo" -gt 21024 ]; then p=$((20000 + RANDOM % (lo - 20000)))
    elif [ "$hi" -lt 64511 ]; then p=$((hi + 1 + RANDOM % (65535 - hi)))
    else p=$((20000 + RANDOM % 30000)); fi
    taken=0
    for t in "$@"; do [ "$t" = "$p" ] && taken=1; done
    [ "$taken" = 1 ] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    echo "$p"
    return 0
  done
  return 1
}

# `pick_ports N`: N distinct such ports on one line.
pick_ports() {
  local ports=() p
  for _ in $(seq "$1"); do
    p=$(pick_port "${ports[@]}") || return 1
    ports+=("$p")
  done
  echo "${ports[*]}"
}

# `wait_port PORT WHAT`: waits up to 10 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing listens on $1 ($2)"
  return 1
}

# `listening_url LOG PID`: waits up to 10 s for an example server (started with
# --listen HOST:0, its stderr in LOG) to log "listening on URL", and prints URL; fails
# with LOG when it does not, or when PID exits first.
listening_url() {
  local url=
  for _ in $(seq 200); do
    url=$(grep -o 'listening on [^ ]*' "$1" | head -1 | cut -d' ' -f3)
    [ -n "$url" ] && { echo "$url"; return 0; }
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "the server did not start:" >&2; cat "$1" >&2
  return 1
}
