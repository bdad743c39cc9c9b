#!/usr/bin/env bash
# headersHelper for Claude Code: prints {"Authorization": "Bearer <token>"} on stdout.
# The token comes from the file $MCP_BEARER_TOKEN_FILE (which must be yours and 0600) or
# from $MCP_BEARER_TOKEN. On any problem it says why on stderr and exits non-zero, so the
# client reports the failure instead of sending a bad header.
set -euo pipefail
token=${MCP_BEARER_TOKEN:-}
if [ -n "${MCP_BEARER_TOKEN_FILE:-}" ]; then
  file=$MCP_BEARER_TOKEN_FILE
  [ -f "$file" ] && [ ! -L "$file" ] || { echo "get-headers: $file is not a regular file" >&2; exit 1; }
  [ "$(stat -c %u "$file")" = "$(id -u)" ] || { echo "get-headers: $file is not yours" >&2; exit 1; }
  case "$(stat -c %a "$file")" in
    600|400) ;;
    *) echo "get-headers: $file is readable by others; chmod 600 $file" >&2; exit 1 ;;
  esac
  token=$(head -c 4096 "$file" | tr -d '\r\n')
fi
[ -n "$token" ] || { echo "get-headers: set MCP_BEARER_TOKEN_FILE or MCP_BEARER_TOKEN" >&2; exit 1; }
case "$token" in
  *[!A-Za-z0-9._~+/=-]*) echo "get-headers: the token is not a valid bearer token" >&2; exit 1 ;;
esac
printf '{"Authorization": "Bearer %s"}\n' "$token"
