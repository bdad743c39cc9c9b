// The official TypeScript SDK client against the oauth_resource_server example with
// access tokens minted by examples/oauth_resource_server/mint.mjs (two issuers), plus raw
// requests for the metadata and the refusals.
//   node oauth_client.mjs URL KEYS_DIR KEYS_DIR_2
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runner, sdk } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { accessToken, mint } = await import(pathToFileURL(path.join(here, '../../examples/oauth_resource_server/mint.mjs')).href);
const [url, keys, keys2] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { check, finish } = runner(90_000);

const iss = 'https://as.example.test', iss2 = 'https://as2.example.test';
const token = (scope, more = {}) => accessToken(keys, { iss, aud: url, scope, ...more });
const origin = new URL(url).origin;
async function connect(t) {
  const client = new Client({ name: 'warden-oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${t}` } } }));
  return client;
}
const text = (r) => r.content[0].text;
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
async function raw(t) {
  const r = await fetch(url, { method: 'POST', body: initialize, headers: { ...json, ...(t ? { authorization: `Bearer ${t}` } : {}) } });
  return { status: r.status, challenge: r.headers.get('www-authenticate') ?? '', body: await r.text() };
}
const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;

await check('protected resource metadata (RFC 9728) at both well-known paths', async () => {
  for (const u of [metadataUrl, `${origin}/.well-known/oauth-protected-resource`]) {
    const r = await fetch(u);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const m = await r.json();
    assert.equal(m.resource, url);
    assert.deepEqual(m.authorization_servers, [iss, iss2]);
    assert.deepEqual(m.scopes_supported, ['notes:read', 'notes:write']);
    assert.deepEqual(m.bearer_methods_supported, ['header']);
  }
});
await check('no token: 401 naming the metadata and the scopes', async () => {
  const r = await raw(null);
  assert.equal(r.status, 401);
  assert.equal(r.challenge, `Bearer realm="mcp", resource_metadata="${metadataUrl}", scope="notes:read notes:write"`);
});
await check('a reader token reads; writing is 403 insufficient_scope naming notes:write', async () => {
  const c = await connect(token('notes:read'));
  assert.equal(text(await c.callTool({ name: 'whoami', arguments: {} })), `ada via notes-cli from ${iss} [notes:read]`);
  assert.equal(text(await c.callTool({ name: 'list_notes', arguments: {} })), '(no notes)');
  await assert.rejects(c.callTool({ name: 'add_note', arguments: { text: 'x' } }), /insufficient_scope/);
  await c.close();
  // The raw 403, as a client steps up from it.
  const t = token('notes:read');
  const init = await fetch(url, { method: 'POST', body: initialize, headers: { ...json, authorization: `Bearer ${t}` } });
  const h = { ...json, authorization: `Bearer ${t}`, 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-11-25' };
  await init.text();
  await (await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const r = await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { name: 'add_note', arguments: { text: 'x' } } }) });
  assert.equal(r.status, 403);
  const challenge = r.headers.get('www-authenticate');
  assert.match(challenge, /^Bearer realm="mcp", resource_metadata="[^"]+", error="insufficient_scope"/);
  assert.match(challenge, /scope="notes:write"/);
  await r.text();
});
await check('stepped up to notes:write, the same call succeeds', async () => {
  const c = await connect(token('notes:read notes:write'));
  assert.equal(text(await c.callTool({ name: 'add_note', arguments: { text: 'hello' } })), 'added');
  assert.equal(text(await c.callTool({ name: 'list_notes', arguments: {} })), 'hello (ada)\n');
  await c.close();
});
await check('the second issuer, with its tenant', async () => {
  const c = await connect(accessToken(keys2, { iss: iss2, aud: url, scope: 'notes:read', sub: 'grace' }));
  assert.match(text(await c.callTool({ name: 'whoami', arguments: {} })), new RegExp(`^grace via notes-cli from ${iss2} for globex`));
  await c.close();
});
await check('refused with 401 invalid_token: another audience, expired, wrong key, alg none, an ID token', async () => {
  const cases = {
    audience: token('notes:read', { aud: 'https://other.example.test/mcp' }),
    expired: token('notes:read', { seconds: -3600 }),
    'issuer 2 token claiming issuer 1': accessToken(keys2, { iss, aud: url, scope: 'notes:read' }),
    'alg none': `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${token('x').split('.')[1]}.`,
    'id token (typ JWT)': mint(keys, { iss, aud: url, sub: 'ada', exp: Math.floor(Date.now() / 1000) + 300 }, { typ: 'JWT' }),
  };
  for (const [what, t] of Object.entries(cases)) {
    const r = await raw(t);
    assert.equal(r.status, 401, what);
    assert.match(r.challenge, /error="invalid_token"/, what);
    assert.ok(!r.body.includes(t.split('.')[2] || 'x'.repeat(99)), what);
  }
});
finish();
