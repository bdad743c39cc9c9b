#!/usr/bin/env bash
# Installs what is missing, builds the `everything` example, and starts it on
# http://127.0.0.1:8080/mcp (Streamable HTTP, loopback only). Arguments replace the
# default ones, e.g. `scripts/run-example.sh --stdio` or `--listen 127.0.0.1:9000`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh --build
cmake -S . -B build/example -G Ninja -DCMAKE_BUILD_TYPE=Release -DWARDEN_BUILD_TESTS=OFF >/dev/null
cmake --build build/example --target everything >&2
[ $# -gt 0 ] || set -- --listen 127.0.0.1:8080
if [ "$1" = "--listen" ] && [ $# -ge 2 ]; then
  url="http://$2/mcp"
  cat >&2 <<MSG
everything: serving MCP at $url (Ctrl-C to stop)
Claude Code (.mcp.json):
  { "mcpServers": { "everything": { "type": "http", "url": "$url" } } }
MSG
fi
exec build/example/examples/everything "$@"
