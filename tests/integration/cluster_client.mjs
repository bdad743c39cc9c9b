// Three hmac_signed instances behind a real nginx (examples/deployment/nginx.conf) sharing
// one real Redis; cluster.sh starts them all. Through nginx, over TLS:
//   node cluster_client.mjs NGINX_URL URL_A URL_B URL_C PID_A
// - sessions spread over the instances and each keeps reaching its own (affinity on the
//   session id's instance prefix, in Mcp-Session-Id or a legacy client's ?sessionId=);
// - a session sent to another instance is refused with 404 (never served there), and
//   another client presenting it reaches its instance and gets 403 (the same client with
//   its next key continues it);
// - a signed request accepted by one instance is a replay for all of them;
// - failed authentications count across instances: an address guessing key ids is refused
//   with 429 after 20 failures however nginx spreads them, a key id hammered from elsewhere
//   after 10 from every address but those it has authenticated from, where its owner is
//   still served;
// - a task (the tasks extension, 2026-07-28 requests) started on A is polled, read and
//   cancelled through B, C and nginx, and is no other client's;
// - instance A killed: its sessions get 404 and start again elsewhere, the others keep
//   serving, what lives in Redis (the nonces, the attacker's bucket) is still there, and the
//   task A was running reads as failed once its heartbeat stops.
import { readFileSync } from 'node:fs';
import { authorization, signedFetch } from '../../examples/hmac_signed/hmac_sign.mjs';
import { rawRequest as send, runner, sdk } from './harness.mjs';

const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { SSEClientTransport } = await sdk('client/sse.js');

const [nginxUrl, urlA, urlB, urlC, pidA] = process.argv.slice(2);
const key = process.env.BILLING_HMAC_KEY, nextKey = process.env.BILLING_HMAC_KEY_NEXT;
const partnerKey = process.env.PARTNER_HMAC_KEY;
const host = new URL(nginxUrl).host;
const { check, finish } = runner(120_000);
const urls = { a: urlA, b: urlB, c: urlC };

const initBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cluster', version: '1' } } });
const callBody = (id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call',
  params: { name: 'create_invoice', arguments: { customer: 'Initech', amount: 5 } } });
const signed = (body, { keyId = 'billing-2026', secret = key, session } = {}) => ({
  host, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18', ...(session ? { 'mcp-session-id': session } : {}),
  authorization: authorization(keyId, secret, 'POST', '/mcp', host, body),
});

async function connect() {
  const transport = new StreamableHTTPClientTransport(new URL(nginxUrl), { fetch: signedFetch('billing-2026', key) });
  const client = new Client({ name: 'warden-cluster-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, instance: transport.sessionId.split('.')[0] };
}
const invoice = async (c) => {
  const r = await c.client.callTool({ name: 'create_invoice', arguments: { customer: 'Initech', amount: 5 } });
  if (!/signed by billing/.test(r.content?.[0]?.text ?? '')) throw new Error(`unexpected result ${JSON.stringify(r)}`);
};

const clients = [];
await check('9 SDK clients through nginx: sessions on all three instances, each served by its own 5 times', async () => {
  for (let i = 0; i < 9; i++) clients.push(await connect());
  const spread = new Set(clients.map((c) => c.instance));
  if (spread.size !== 3 || ![...spread].every((n) => n in urls)) throw new Error(`instances: ${[...spread]}`);
  for (let round = 0; round < 5; round++) await Promise.all(clients.map(invoice));
  console.log(`# sessions per instance: ${['a', 'b', 'c'].map((n) => `${n}=${clients.filter((c) => c.instance === n).length}`).join(' ')}`);
});

const onA = () => clients.find((c) => c.instance === 'a');
await check('a session of instance A sent straight to B or C: 404, not served', async () => {
  const id = onA().transport.sessionId;
  for (const url of [urlB, urlC]) {
    const r = await send(url, { headers: signed(callBody(7), { session: id }), body: callBody(7) });
    if (r.status !== 404 || /"result"/.test(r.body) || !/session not found/.test(r.body))
      throw new Error(`${url}: ${r.status} ${r.body}`);
  }
});

await check('another client (the partner\'s key) presenting A\'s session through nginx: 403 from A, not served', async () => {
  const id = onA().transport.sessionId;
  const body = callBody(8);
  const r = await send(nginxUrl, { headers: signed(body, { keyId: 'partner-2026', secret: partnerKey, session: id }), body });
  if (r.status !== 403 || /"result"/.test(r.body) || !/another principal/.test(r.body)) throw new Error(`${r.status} ${r.body}`);
  await invoice(onA()); // and the owner's session is untouched
});

await check('the same client with its next key (a rotation) continues its session on A', async () => {
  const id = onA().transport.sessionId;
  const body = callBody(9);
  const r = await send(nginxUrl, { headers: signed(body, { keyId: 'billing-next', secret: nextKey, session: id }), body });
  if (r.status !== 200 || !/signed by billing with key billing-next/.test(r.body)) throw new Error(`${r.status} ${r.body}`);
});

await check('6 legacy HTTP+SSE clients (2024-11-05) through nginx: each POST /messages?sessionId= reaches its stream\'s instance', async () => {
  const legacy = [];
  for (let i = 0; i < 6; i++) {
    const transport = new SSEClientTransport(new URL('/sse', nginxUrl), { fetch: signedFetch('billing-2026', key) });
    const client = new Client({ name: 'warden-cluster-legacy', version: '1.0.0' });
    await client.connect(transport);
    legacy.push({ client, transport, instance: transport._endpoint.searchParams.get('sessionId').split('.')[0] });
  }
  const spread = new Set(legacy.map((c) => c.instance));
  if (spread.size < 2 || ![...spread].every((n) => n in urls)) throw new Error(`instances: ${[...spread]}`);
  for (let round = 0; round < 3; round++) await Promise.all(legacy.map(invoice));
  for (const c of legacy) await c.client.close();
});

// The tasks extension over 2026-07-28 requests (no session), sent straight to each instance
// or through nginx: the task lives in Redis, its handler on the instance that took the call.
let rpcId = 100;
async function modern(url, method, params, { name, keyId = 'billing-2026', secret = key } = {}) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params: { ...params, _meta: {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } } } });
  const headers = { ...signed(body, { keyId, secret }), 'mcp-protocol-version': '2026-07-28', 'mcp-method': method,
                    ...(name !== undefined ? { 'mcp-name': name } : {}) };
  const r = await send(url, { headers, body });
  const data = r.body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
  const msg = JSON.parse(data.length ? data[data.length - 1] : r.body);
  if (msg.error) throw Object.assign(new Error(`${method} at ${url}: ${msg.error.code} ${msg.error.message}`), { code: msg.error.code });
  return msg.result;
}
const startExport = (url, seconds) =>
  modern(url, 'tools/call', { name: 'export_invoices', arguments: { seconds } }, { name: 'export_invoices' });
const getTask = (url, id, who) => modern(url, 'tasks/get', { taskId: id }, { name: id, ...who });
async function until(url, id, done, ms = 25_000) {
  const end = Date.now() + ms;
  let t;
  while (Date.now() < end) {
    t = await getTask(url, id);
    if (done(t)) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${id} through ${url}: still ${JSON.stringify(t)}`);
}

let stranded;
await check('a task started on instance A is polled through B, C and nginx, and its result read on any', async () => {
  const t = await startExport(urlA, 1);
  if (t.resultType !== 'task' || !t.taskId || t.status !== 'working') throw new Error(JSON.stringify(t));
  for (const url of [urlB, urlC, nginxUrl]) {
    const seen = await getTask(url, t.taskId);
    if (seen.taskId !== t.taskId || !['working', 'completed'].includes(seen.status)) throw new Error(`${url}: ${JSON.stringify(seen)}`);
  }
  const done = await until(urlC, t.taskId, (x) => x.status === 'completed');
  if (!/exported \d+ invoices/.test(done.result?.content?.[0]?.text ?? '')) throw new Error(JSON.stringify(done));
  const again = await getTask(urlB, t.taskId);
  if (again.status !== 'completed' || again.result?.content?.[0]?.text !== done.result.content[0].text)
    throw new Error(JSON.stringify(again));
  // Another client (the partner's key) finds no such task, on any instance.
  for (const url of [urlA, urlB, nginxUrl]) {
    let code;
    try { await getTask(url, t.taskId, { keyId: 'partner-2026', secret: partnerKey }); } catch (e) { code = e.code; }
    if (code !== -32602) throw new Error(`the partner reading billing's task through ${url}: ${code ?? 'served'}`);
  }
  stranded = (await startExport(urlA, 120)).taskId; // still running when A is killed below
});

await check('a cancel sent through C reaches the handler running on A', async () => {
  const t = await startExport(urlA, 60);
  await until(urlB, t.taskId, (x) => x.statusMessage !== undefined); // it runs, and says how far it got
  const ack = await modern(urlC, 'tasks/cancel', { taskId: t.taskId }, { name: t.taskId });
  if (ack.resultType !== 'complete' || 'status' in ack) throw new Error(JSON.stringify(ack));
  await until(urlB, t.taskId, (x) => x.status === 'cancelled');
  // The handler on A says so in A's log once it saw the stop (A learns of it from Redis
  // within a heartbeat).
  const end = Date.now() + 10_000;
  while (!/export_invoices: cancelled after/.test(readFileSync(process.env.CLUSTER_LOG_A, 'utf8'))) {
    if (Date.now() > end) throw new Error("A's log does not show the task's handler stopping");
    await new Promise((r) => setTimeout(r, 100));
  }
});

let captured;
await check('a signed request served through nginx is refused as a replay by every instance and by nginx', async () => {
  captured = signed(initBody);
  const first = await send(nginxUrl, { headers: captured, body: initBody, from: '127.0.0.4' });
  if (first.status !== 200) throw new Error(`first: ${first.status} ${first.body}`);
  // (from an address of its own: these 4 failures must not touch the other clients' buckets)
  for (const url of [nginxUrl, urlA, urlB, urlC]) {
    const r = await send(url, { headers: captured, body: initBody, from: '127.0.0.4' });
    if (r.status !== 401 || !/invalid_token/.test(r.headers['www-authenticate'] ?? '')) throw new Error(`${url}: ${r.status}`);
  }
});

// Bad signatures through nginx until refused; nginx spreads them over the instances.
async function hammer(from, keyId) {
  let failures = 0;
  for (let i = 1; i <= 40; i++) {
    const r = await send(nginxUrl, { headers: signed(initBody, { keyId: keyId(i), secret: 'ab'.repeat(32) }), body: initBody, from });
    if (r.status === 429) return { failures, retryAfter: r.headers['retry-after'], body: r.body };
    if (r.status !== 401) throw new Error(`attempt ${i} from ${from}: ${r.status}`);
    failures++;
  }
  return { failures };
}

await check('an address guessing key ids: 429 after 20 failures in all (buckets per instance would allow 60)', async () => {
  const r = await hammer('127.0.0.2', (i) => `guess-${i}`);
  console.log(`# 127.0.0.2: ${r.failures} failures spread over 3 instances, then 429 (Retry-After: ${r.retryAfter})`);
  if (r.failures !== 20 || !(Number(r.retryAfter) >= 1) || !/too_many_requests/.test(r.body))
    throw new Error(`${r.failures} failures, then ${JSON.stringify(r)}`);
  const good = await send(nginxUrl, { headers: signed(initBody), body: initBody, from: '127.0.0.2' });
  if (good.status !== 429) throw new Error(`a valid signature from the blocked address: ${good.status}`);
});

await check('a key id hammered from another address: 429 after 10 failures in all; its owner where it works is served', async () => {
  // Its owner has worked from 127.0.0.3 before (the marker lives in Redis: any instance knows).
  const before = await send(nginxUrl, { headers: signed(initBody), body: initBody, from: '127.0.0.3' });
  if (before.status !== 200) throw new Error(`the key's owner on 127.0.0.3: ${before.status} ${before.body}`);
  // The 4 replays above were failures of this key id too.
  const r = await hammer('127.0.0.5', () => 'billing-2026');
  console.log(`# 127.0.0.5 on billing-2026: ${r.failures} failures (+4 replays), then 429`);
  if (r.failures !== 6) throw new Error(`${r.failures} failures, then ${JSON.stringify(r)}`);
  for (let i = 0; i < 3; i++) {
    const user = await send(nginxUrl, { headers: signed(initBody), body: initBody, from: '127.0.0.3' });
    if (user.status !== 200) throw new Error(`the key's owner on 127.0.0.3: ${user.status} ${user.body}`);
  }
  // A clean address that never authenticated with it meets the empty bucket: one guess per
  // address from many addresses is no way around it.
  const stranger = await send(nginxUrl, { headers: signed(initBody), body: initBody, from: '127.0.0.9' });
  if (stranger.status !== 429) throw new Error(`a new address on the hammered key id: ${stranger.status}`);
  await Promise.all(clients.map(invoice)); // and the SDK clients on 127.0.0.1
});

await check('instance A killed: its sessions get 404 and start again on B or C; B and C keep serving', async () => {
  process.kill(Number(pidA), 'SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  for (const c of clients.filter((x) => x.instance !== 'a')) await invoice(c);
  const orphans = clients.filter((c) => c.instance === 'a');
  for (const c of orphans) {
    let status;
    try { await invoice(c); } catch (e) { status = e.code ?? String(e.message).match(/\b(\d{3})\b/)?.[1]; }
    if (Number(status) !== 404) throw new Error(`a session of the dead instance: ${status ?? 'served'}`);
    await c.client.close().catch(() => {});
    const again = await connect();
    if (again.instance === 'a') throw new Error('a new session on the dead instance');
    await invoice(again);
    clients.push(again);
  }
  console.log(`# ${orphans.length} sessions of A started again on ${[...new Set(clients.slice(-orphans.length).map((c) => c.instance))]}`);
});

await check('the task A was running when it was killed reads as failed through B and C, with the reason', async () => {
  for (const url of [urlB, urlC]) {
    const t = await until(url, stranded, (x) => x.status !== 'working');
    if (t.status !== 'failed' || !/stopped before it finished/.test(t.error?.message ?? '') || 'result' in t)
      throw new Error(JSON.stringify(t));
  }
});

await check('after the kill, what lives in Redis holds: the nonce is still a replay, the attacker still refused', async () => {
  // (from 127.0.0.3, where the key's owner works: the hammered key id's bucket is empty, so
  // from anywhere else even a replay is refused before verification, with 429)
  for (const [url, from] of [[nginxUrl, '127.0.0.3'], [urlB, '127.0.0.3'], [urlC, '127.0.0.3']]) {
    const r = await send(url, { headers: captured, body: initBody, from });
    if (r.status !== 401 || !/invalid_token/.test(r.headers['www-authenticate'] ?? '')) throw new Error(`${url}: replay ${r.status}`);
  }
  for (const url of [nginxUrl, urlB, urlC]) {
    const r = await send(url, { headers: signed(initBody), body: initBody, from: '127.0.0.5' });
    if (r.status !== 429) throw new Error(`the hammering address after the kill: ${r.status}`);
  }
});

for (const c of clients.filter((x) => x.instance !== 'a')) await c.client.close().catch(() => {});
finish();
