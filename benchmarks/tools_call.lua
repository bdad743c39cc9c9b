-- wrk script: POST tools/call echo with a fresh id per request. MCP_SESSION_ID, when set,
-- is sent as Mcp-Session-Id (stateful servers); BEARER_TOKEN as Authorization: Bearer.
-- MCP_ERA=2026 sends requests of the stateless era (MCP 2026-07-28): the version and the
-- client's capabilities in params._meta, mirrored by MCP-Protocol-Version, Mcp-Method and
-- Mcp-Name, which the server checks against the body.
local counter = 0
local session = os.getenv("MCP_SESSION_ID")
local bearer = os.getenv("BEARER_TOKEN")
local modern = os.getenv("MCP_ERA") == "2026"
-- DPOP_PROOFS: a file of DPoP proofs, one per line, each used for one request; the token
-- (BEARER_TOKEN) is then sent as Authorization: DPoP.
local proofs = os.getenv("DPOP_PROOFS") and io.open(os.getenv("DPOP_PROOFS"), "r")
-- MAX_REQUESTS: stop after this many responses (the soak); non-2xx answers are counted.
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "")
local answered, bad_status = 0, 0

request = function()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = modern and "2026-07-28" or "2025-11-25",
  }
  if session and session ~= "" then headers["Mcp-Session-Id"] = session end
  if proofs then
    headers["Authorization"] = "DPoP " .. bearer
    headers["DPoP"] = proofs:read("*l") or "exhausted"
  elseif bearer and bearer ~= "" then
    headers["Authorization"] = "Bearer " .. bearer
  end
  local meta = ""
  if modern then
    headers["Mcp-Method"] = "tools/call"
    headers["Mcp-Name"] = "echo"
    meta = ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
      '"io.modelcontextprotocol/clientCapabilities":{}}'
  end
  local body = '{"jsonrpc":"2.0","id":' .. counter ..
    ',"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}' .. meta .. '}}'
  return wrk.format("POST", nil, headers, body)
end

if max_requests then
  response = function(status, headers, body)
    answered = answered + 1
    if status < 200 or status > 299 then bad_status = bad_status + 1 end
    if answered >= max_requests then wrk.thread:stop() end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.0f %.0f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
