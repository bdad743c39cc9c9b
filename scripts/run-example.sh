#!/usr/bin/env bash
# Installs what is missing, builds the `everything` example, and starts it on stdio.
# Extra arguments go to the server (try --help).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh --build
cmake -S . -B build/example -G Ninja -DCMAKE_BUILD_TYPE=Release -DWARDEN_BUILD_TESTS=OFF >/dev/null
cmake --build build/example --target everything >&2
echo "everything: serving MCP on stdin/stdout (Ctrl-D or Ctrl-C to stop)" >&2
[ $# -gt 0 ] || set -- --stdio
exec build/example/examples/everything "$@"
