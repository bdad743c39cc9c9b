// The official TypeScript SDK client against the static-credential examples, sending
// credentials in headers as Claude Code's "headers" setting does, plus raw requests for
// the refusals a client must be able to tell apart.
//   node auth_client.mjs static_bearer|api_key|multi_tenant|basic_migration|hmac_signed URL
// Secrets come from the environment that auth_examples.sh sets.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runner, sdk } from './harness.mjs';

const [example, url] = process.argv.slice(2);
const env = process.env;
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const { check, finish } = runner(90_000);

async function connect(headers) {
  const client = new Client({ name: 'warden-auth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}
const text = (r) => r.content[0].text;
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
async function raw(headers, target = url) {
  const r = await fetch(target, { method: 'POST', body: initialize,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } });
  const body = await r.text();
  return { status: r.status, challenge: r.headers.get('www-authenticate') ?? '', body };
}
async function until(fn, what) {
  for (let i = 0; i < 100; i++) { if (await fn()) return; await new Promise((r) => setTimeout(r, 50)); }
  throw new Error(`never: ${what}`);
}
function writeSecret(name, value) {
  const file = path.join(env.CREDENTIALS_DIRECTORY, name);
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, value + '\n', { mode: 0o600 });
}
const works = async (headers) => (await raw(headers)).status === 200;

if (example === 'static_bearer') {
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  await check('refusals: 401 without a challenge error, 401 invalid_token, 400 for a malformed request', async () => {
    const none = await raw({});
    assert.equal(none.status, 401);
    assert.equal(none.challenge, 'Bearer realm="mcp"');
    const wrong = await raw(bearer('not-the-token-0123456789'));
    assert.equal(wrong.status, 401);
    assert.match(wrong.challenge, /error="invalid_token"/);
    // A token only in the query string is never read: no credentials. Beside one in the
    // header it is a request that uses two methods.
    const query = await raw({}, `${url}?access_token=${env.WRITER}`);
    assert.equal(query.status, 401);
    assert.equal(query.challenge, 'Bearer realm="mcp"');
    const both = await raw(bearer(env.WRITER), `${url}?access_token=${env.WRITER}`);
    assert.equal(both.status, 400);
    assert.match(both.challenge, /error="invalid_request"/);
    const twoWords = await raw(bearer(`${env.WRITER} extra`));
    assert.equal(twoWords.status, 400);
    assert.match(twoWords.challenge, /error="invalid_request"/);
    for (const r of [none, wrong, query, both, twoWords]) assert.ok(!r.body.includes(env.WRITER));
  });
  await check('the writer token reads and writes', async () => {
    const c = await connect(bearer(env.WRITER));
    assert.deepEqual((await c.listTools()).tools.map((t) => t.name).sort(), ['add_note', 'list_notes', 'whoami']);
    assert.match(text(await c.callTool({ name: 'add_note', arguments: { text: 'hello' } })), /added note/);
    assert.match(text(await c.callTool({ name: 'list_notes', arguments: {} })), /hello \(by writer\)/);
    assert.match(text(await c.callTool({ name: 'whoami', arguments: {} })), /token=writer scopes: notes:read notes:write/);
    await c.close();
  });
  await check('the read-only token reads; writing is 403 insufficient_scope', async () => {
    const c = await connect(bearer(env.READER));
    assert.match(text(await c.callTool({ name: 'list_notes', arguments: {} })), /hello/);
    await assert.rejects(c.callTool({ name: 'add_note', arguments: { text: 'x' } }), /insufficient_scope/);
    await c.close();
  });
  await check('rotation without a restart: add the next token, then retire the old one', async () => {
    writeSecret('MCP_BEARER_TOKEN_NEXT', env.NEXT);
    process.kill(Number(env.WARDEN_PID), 'SIGHUP');
    await until(() => works(bearer(env.NEXT)), 'the next token works');
    assert.ok(await works(bearer(env.WRITER)), 'the old token still works during the overlap');
    writeSecret('MCP_BEARER_TOKEN', env.NEXT); // the new token in both slots for a moment is fine
    fs.rmSync(path.join(env.CREDENTIALS_DIRECTORY, 'MCP_BEARER_TOKEN_NEXT'));
    process.kill(Number(env.WARDEN_PID), 'SIGHUP');
    await until(async () => !(await works(bearer(env.WRITER))), 'the old token stops working');
    assert.ok(await works(bearer(env.NEXT)));
    const c = await connect(bearer(env.NEXT));
    assert.match(text(await c.callTool({ name: 'whoami', arguments: {} })), /token=writer/);
    await c.close();
  });
} else if (example === 'api_key') {
  const acme = { 'x-api-key': env.ACME_API_KEY, 'x-api-secret': env.ACME_API_SECRET };
  const partner = { 'x-api-key': env.PARTNER_API_KEY, 'x-api-secret': env.PARTNER_API_SECRET };
  await check('refusals: no headers, a partial pair, a swapped pair, a header twice', async () => {
    const none = await raw({});
    assert.equal(none.status, 401);
    assert.equal(none.challenge, 'ApiKey realm="mcp", header="X-API-Key X-API-Secret"');
    const partial = await raw({ 'x-api-key': env.ACME_API_KEY });
    assert.equal(partial.status, 401);
    assert.match(partial.body, /invalid_token/);
    assert.equal((await raw({ 'x-api-key': env.ACME_API_SECRET, 'x-api-secret': env.ACME_API_KEY })).status, 401);
    assert.equal((await raw({ ...acme, 'x-api-secret': env.ACME_API_SECRET + '0' })).status, 401);
  });
  await check('acme converts; partner may only read rates', async () => {
    const a = await connect(acme);
    assert.match(text(await a.callTool({ name: 'convert', arguments: { amount: 100, from: 'EUR', to: 'USD' } })),
                 /^108\.0+ USD \(for acme\)/);
    await a.close();
    const p = await connect(partner);
    assert.match(text(await p.callTool({ name: 'rates', arguments: {} })), /USD 1\.08/);
    await assert.rejects(p.callTool({ name: 'convert', arguments: { amount: 1, from: 'EUR', to: 'GBP' } }), /insufficient_scope/);
    await p.close();
  });
} else if (example === 'multi_tenant') {
  const as = (token, tenant, more = {}) => ({ 'x-auth-token': token, ...(tenant ? { 'x-tenant-id': tenant } : {}), ...more });
  await check('a token acts only for its tenants; identity headers alone are nothing', async () => {
    assert.equal((await raw(as(env.ACME_TOKEN, 'acme'))).status, 200);
    assert.equal((await raw(as(env.ACME_TOKEN, 'acme-eu'))).status, 200);
    assert.equal((await raw(as(env.ACME_TOKEN, 'globex'))).status, 403);
    assert.equal((await raw(as(env.ACME_TOKEN, null))).status, 400);
    assert.equal((await raw({ 'x-tenant-id': 'acme', 'x-user-id': 'admin' })).status, 401);
    assert.equal((await raw(as(env.ACME_TOKEN, 'acme/../globex'))).status, 400);
  });
  await check('each tenant and workspace sees only its own tasks', async () => {
    const acme = await connect(as(env.ACME_TOKEN, 'acme', { 'x-workspace-id': 'design', 'x-user-id': 'ada' }));
    assert.equal(text(await acme.callTool({ name: 'add_task', arguments: { title: 'logo' } })), 'added to acme/design');
    const globex = await connect(as(env.GLOBEX_TOKEN, 'globex', { 'x-workspace-id': 'design' }));
    await globex.callTool({ name: 'add_task', arguments: { title: 'secret plan' } });
    const mine = text(await acme.callTool({ name: 'list_tasks', arguments: {} }));
    assert.match(mine, /logo \(ada\)/);
    assert.ok(!mine.includes('secret plan'));
    assert.ok(!text(await globex.callTool({ name: 'list_tasks', arguments: {} })).includes('logo'));
    await acme.close();
    await globex.close();
  });
} else if (example === 'basic_migration') {
  const basic = (user, pw) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64') });
  await check('during the migration Basic users and token clients both get in', async () => {
    const b = await connect(basic('alice', env.ALICE_PASSWORD));
    assert.equal(text(await b.callTool({ name: 'report', arguments: {} })), 'report for alice (signed in with basic)');
    await b.close();
    const t = await connect({ authorization: `Bearer ${env.MCP_BEARER_TOKEN}` });
    assert.equal(text(await t.callTool({ name: 'report', arguments: {} })),
                 'report for migrated-client (signed in with bearer)');
    await t.close();
  });
  await check('refusals: both challenges when nothing is sent; a wrong password is not retried', async () => {
    const none = await raw({});
    assert.equal(none.status, 401);
    assert.equal(none.challenge, 'Bearer realm="mcp", Basic realm="mcp", charset="UTF-8"');
    const wrong = await raw(basic('alice', env.ALICE_PASSWORD + 'x'));
    assert.equal(wrong.status, 401);
    assert.match(wrong.challenge, /^Basic realm="mcp", error="invalid_token"/);
    const unknown = await raw(basic('mallory', env.ALICE_PASSWORD));
    assert.equal(unknown.body, wrong.body); // an unknown user looks like a wrong password
    assert.match(fs.readFileSync(env.WARDEN_LOG, 'utf8'), /user alice still signs in with Basic/);
  });
} else if (example === 'hmac_signed') {
  const { signedFetch, authorization } = await import('../../examples/hmac_signed/hmac_sign.mjs');
  const key = env.BILLING_HMAC_KEY;
  await check('a client that signs every request (the SDK with a signing fetch)', async () => {
    const client = new Client({ name: 'warden-hmac-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: signedFetch('billing-2026', key) }));
    assert.match(text(await client.callTool({ name: 'create_invoice', arguments: { customer: 'ACME', amount: 12.5 } })),
                 /^invoice 1001 for ACME \(signed by billing with key billing-2026\)$/);
    await client.close();
  });
  const u = new URL(url);
  const send = (auth, body = initialize) => fetch(url, { method: 'POST', body, headers: {
    'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: auth } });
  await check('a captured request is refused the second time; stale, tampered and unsigned ones at once', async () => {
    const captured = authorization('billing-2026', key, 'POST', u.pathname, u.host, initialize);
    assert.equal((await send(captured)).status, 200);
    const again = await send(captured);
    assert.equal(again.status, 401);
    assert.match(await again.text(), /replayed request/);
    const stale = authorization('billing-2026', key, 'POST', u.pathname, u.host, initialize, Math.floor(Date.now() / 1000) - 400);
    assert.equal((await send(stale)).status, 401);
    const tampered = authorization('billing-2026', key, 'POST', u.pathname, u.host, initialize);
    assert.equal((await send(tampered, initialize.replace('raw', 'RAW'))).status, 401);
    const unsigned = await raw({});
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.challenge, 'HMAC-SHA256 realm="mcp"');
  });
}

finish();
