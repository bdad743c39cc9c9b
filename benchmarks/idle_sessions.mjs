// Opens N sessions (initialize + notifications/initialized) on a Streamable HTTP server and
// leaves them open. Usage: node idle_sessions.mjs URL N
const [url, n] = [process.argv[2], Number(process.argv[3] || 10000)];
const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'idle', version: '1' } } });
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let opened = 0;
async function one() {
  const r = await fetch(url, { method: 'POST', headers, body: init });
  const id = r.headers.get('mcp-session-id');
  await r.text();
  if (r.status !== 200 || !id) throw new Error(`initialize: ${r.status}`);
  const n2 = await fetch(url, { method: 'POST', headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
                                body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await n2.text();
  opened++;
}
let started = 0;
const workers = Array.from({ length: 32 }, async () => { while (started < n) { started++; await one(); } });
await Promise.all(workers);
console.log(`opened ${opened}`);
