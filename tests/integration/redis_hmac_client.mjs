// Two hmac_signed instances sharing one Redis (redis_hmac.sh starts them): a signed request
// accepted by one instance is refused as a replay by the other; the official SDK client
// works through either; with Redis stopped the servers fail closed (503) and recover.
//   node redis_hmac_client.mjs URL_A URL_B PHASE   (PHASE: shared | down | back)
import { authorization, signedFetch } from '../../examples/hmac_signed/hmac_sign.mjs';
import { rawRequest, sdk } from './harness.mjs';

const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const [urlA, urlB, phase] = process.argv.slice(2);
const key = process.env.BILLING_HMAC_KEY;
let failed = 0;
const ok = (cond, what) => { console.log(`${cond ? 'ok' : 'not ok'} - ${what}`); if (!cond) failed++; };

// One POST with exactly these headers (behind a load balancer every instance sees the same
// public host name).
const post = (url, headers, body) => rawRequest(url, { headers, body });

const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'replayer', version: '1' } } });
const host = 'mcp.internal';
const signedHeaders = () => ({
  host, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
  authorization: authorization('billing-2026', key, 'POST', '/mcp', host, body),
});

if (phase === 'shared') {
  const captured = signedHeaders();
  const first = await post(urlA, captured, body);
  ok(first.status === 200, `a signed request is served by instance A (${first.status})`);
  const replayB = await post(urlB, captured, body);
  ok(replayB.status === 401 && /invalid_token/.test(replayB.headers['www-authenticate'] ?? ''),
     `the same request replayed to instance B is refused (${replayB.status})`);
  const replayA = await post(urlA, captured, body);
  ok(replayA.status === 401, `and replayed to instance A too (${replayA.status})`);
  // A fresh signature is served by B, and the TypeScript SDK client works through both.
  const fresh = await post(urlB, signedHeaders(), body);
  ok(fresh.status === 200, `a freshly signed request is served by instance B (${fresh.status})`);
  for (const [name, url] of [['A', urlA], ['B', urlB]]) {
    const client = new Client({ name: 'warden-redis-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: signedFetch('billing-2026', key) }));
    const r = await client.callTool({ name: 'create_invoice', arguments: { customer: 'Initech', amount: 5 } });
    ok(/signed by billing/.test(r.content[0].text), `the SDK client calls a tool on instance ${name}`);
    await client.close();
  }
} else if (phase === 'down') {
  const r = await post(urlA, signedHeaders(), body);
  ok(r.status === 503, `with Redis down a signed request fails closed with 503 (${r.status})`);
  ok(!/"result"/.test(r.body), 'and is not served');
} else if (phase === 'back') {
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    status = (await post(urlA, signedHeaders(), body)).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  ok(status === 200, `after Redis is back the instance serves again by itself (${status})`);
  const captured = signedHeaders();
  ok((await post(urlB, captured, body)).status === 200, 'instance B accepts a new request');
  ok((await post(urlA, captured, body)).status === 401, 'which instance A refuses as a replay');
}
process.exit(failed ? 1 : 0);
