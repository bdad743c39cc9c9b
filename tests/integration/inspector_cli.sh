#!/usr/bin/env bash
# The MCP Inspector CLI drives the `everything` example as a developer would from a
# terminal, one call per run.
#   inspector_cli.sh stdio SERVER_BINARY   launches the server over stdio for each call
#   inspector_cli.sh http URL              talks Streamable HTTP to a running server
set -uo pipefail
mode=$1 target=$2
bin="${WARDEN_NPM_DIR:?run scripts/install-deps.sh}/node_modules/.bin"
export PATH="$bin:$PATH"
export MCP_CATALOG_PATH=$(mktemp -d)/catalog.json   # keep the Inspector out of $HOME
passed=0 failed=0

# run NAME EXPECTED_EXIT JS_ASSERTION -- inspector args...
run() {
  local name=$1 want=$2 js=$3; shift 4
  local out rc
  if [ "$mode" = stdio ]; then
    out=$(timeout 60 mcp-inspector --cli "$@" -- "$target" --stdio 2>/dev/null); rc=$?
  else
    out=$(timeout 60 mcp-inspector --cli "$target" --transport http "$@" 2>/dev/null); rc=$?
  fi
  if [ "$rc" -ne "$want" ]; then
    echo "not ok - $name (exit $rc, wanted $want)"; echo "$out" | head -20; failed=$((failed+1)); return
  fi
  if printf '%s' "$out" | node -e "const r=JSON.parse(require('fs').readFileSync(0,'utf8')); if(!($js)) process.exit(1)"; then
    echo "ok - $name"; passed=$((passed+1))
  else
    echo "not ok - $name"; echo "$out" | head -20; failed=$((failed+1))
  fi
}

run 'tools/list' 0 "r.tools.length >= 13 && r.tools.every(t => t.description && t.inputSchema)" -- --method tools/list
run 'tools/call with arguments' 0 "r.structuredContent.sum === 3.5" -- --method tools/call --tool-name add --tool-arg a=1 b=2.5
run 'tools/call without arguments' 0 "r.content[0].text.length > 0" -- --method tools/call --tool-name test_simple_text
run 'tools/call isError exits 5' 5 "r.isError === true" -- --method tools/call --tool-name test_error_handling
run 'resources/list' 0 "r.resources.some(x => x.uri === 'test://static-text')" -- --method resources/list
run 'resources/templates/list' 0 "r.resourceTemplates[0].uriTemplate === 'test://template/{id}/data'" -- --method resources/templates/list
run 'resources/read' 0 "r.contents[0].text.includes('static text')" -- --method resources/read --uri test://static-text
run 'resources/read template' 0 "r.contents[0].text.includes('123')" -- --method resources/read --uri test://template/123/data
run 'prompts/list' 0 "r.prompts.length === 5" -- --method prompts/list
run 'prompts/get' 0 "r.messages[0].content.text.includes('arg1=\\'x\\'')" -- --method prompts/get --prompt-name test_prompt_with_arguments --prompt-args arg1=x arg2=y
run 'logging/setLevel' 0 "Object.keys(r).length === 0" -- --method logging/setLevel --log-level debug
run 'tools/call with logging' 0 "r.content[0].text.includes('successfully')" -- --method tools/call --tool-name test_tool_with_logging

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
