#!/usr/bin/env bash
# Installs everything warden's build, examples and tests need on Debian 12, as root:
# Debian packages (compilers, CMake, Boost 1.81, Catch2, OpenSSL, libpq, Node; PostgreSQL
# for the tests) and the pinned npm
# tools (the official TypeScript SDK client, the MCP Inspector, Node 22) into .deps/npm.
# Idempotent: when everything is there it returns in about a second.
#
#   install-deps.sh            everything (what scripts/test.sh needs)
#   install-deps.sh --build    only what building the library and examples needs
set -euo pipefail
want_npm=1
[ "${1:-}" = "--build" ] && want_npm=0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev catch2 libssl-dev libpq-dev libhiredis-dev; do
  have_pkg "$p" || need_pkgs+=("$p")
done
# A real PostgreSQL server for the postgres_stdio example's test.
if [ "$want_npm" = 1 ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
  # A real Redis for storage::redis and the multi-instance tests (started by the tests).
  command -v redis-server >/dev/null || need_pkgs+=(redis-server)
  # A real nginx in front of several instances (tests/integration/cluster.sh).
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need_pkgs+=(nginx)
  # Raw requests with chosen Host headers over TLS (tests/integration/tls.sh).
  command -v curl >/dev/null || need_pkgs+=(curl)
fi
# Tools: accept any installation that provides the command (a machine may carry its own Node).
command -v g++ >/dev/null || need_pkgs+=(g++)
command -v clang++ >/dev/null || need_pkgs+=(clang)
# libFuzzer's runtime (the fuzz targets of the clang configuration).
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need_pkgs+=(libclang-rt-14-dev)
command -v cmake >/dev/null || need_pkgs+=(cmake)
command -v ninja >/dev/null || need_pkgs+=(ninja-build)
command -v git >/dev/null || need_pkgs+=(git)
command -v openssl >/dev/null || need_pkgs+=(openssl)
if [ "$want_npm" = 1 ]; then
  command -v node >/dev/null || need_pkgs+=(nodejs)
  command -v npm >/dev/null || need_pkgs+=(npm)
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${need_pkgs[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # The tests start their own Redis, PostgreSQL and nginx on free loopback ports: keep the
  # packages' services from starting (and from taking port 80) while they are installed.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  apt-get install -y -q --no-install-recommends ca-certificates "${need_pkgs[@]}" || {
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    exit 1
  }
  [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# Pinned npm tools, installed from the committed lock file into a project-local folder.
[ "$want_npm" = 1 ] || exit 0
npm_dir="$root/.deps/npm"
stamp="$npm_dir/.installed-lock"
if ! cmp -s "$root/scripts/npm/package-lock.json" "$stamp" 2>/dev/null; then
  echo "install-deps: installing pinned npm tools into .deps/npm"
  mkdir -p "$npm_dir"
  cp "$root/scripts/npm/package.json" "$root/scripts/npm/package-lock.json" "$npm_dir/"
  # Trust the system's CA store too (Debian's npm otherwise uses only its own bundle),
  # so a registry behind a proxy whose CA the machine trusts works.
  cafile=()
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cafile=(--cafile /etc/ssl/certs/ca-certificates.crt)
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error "${cafile[@]}")
  "$npm_dir/node_modules/.bin/node" --version >/dev/null
  cp "$root/scripts/npm/package-lock.json" "$stamp"
fi
