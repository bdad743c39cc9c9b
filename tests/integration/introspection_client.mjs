// Opaque tokens checked by RFC 7662 introspection at jwks_server.mjs: the TypeScript SDK
// client with an active token, refusals, an outage (cached answers only, then 503) and the
// recovery.
//   node introspection_client.mjs URL DIR AS_PORT ISSUER CLIENT_ID SECRET
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner, sdk } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [url, dir, asPort, iss, clientId, secret] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { check, finish } = runner(90_000);
const now = () => Math.floor(Date.now() / 1000);
const opaque = (claims) => `opq_${Buffer.from(JSON.stringify({ sub: 'ada', client_id: 'notes-cli', aud: url,
  scope: 'notes:read', exp: now() + 300, ...claims })).toString('base64url')}`;
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const status = async (t) => (await fetch(url, { method: 'POST', body: initialize, headers: {
  'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${t}` } })).status;
let as = null;
async function startAs() {
  as = spawn(process.execPath, [path.join(here, 'jwks_server.mjs'), asPort, path.join(dir, 'server.pem'),
    path.join(dir, 'server.key'), path.join(dir, 'jwks.json'), iss, clientId, secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => as.stdout.once('data', resolve));
}
async function stopAs() {
  const exited = new Promise((r) => as.once('exit', r));
  as.kill('SIGKILL');
  await exited;
}

await startAs();
const seen = opaque({ jti: 'seen' });
await check('an active opaque token: the TypeScript SDK client calls tools', async () => {
  const client = new Client({ name: 'warden-introspection-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${seen}` } } }));
  assert.match((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text, new RegExp(`^ada via notes-cli from ${iss}`));
  await assert.rejects(client.callTool({ name: 'add_note', arguments: { text: 'x' } }), /insufficient_scope/);
  await client.close();
});
await check('inactive, expired, for another audience or another issuer: 401', async () => {
  assert.equal(await status(opaque({ revoked: true })), 401);
  assert.equal(await status(opaque({ exp: now() - 10 })), 401);
  assert.equal(await status(opaque({ aud: 'https://other.example.test/mcp' })), 401);
  assert.equal(await status(opaque({ iss: 'https://evil.example.test' })), 401);
  assert.equal(await status('not-a-token-we-know'), 401);
});
await check('the authorization server is down: a cached answer still works, a new token gets 503', async () => {
  await stopAs();
  assert.equal(await status(seen), 200);
  assert.equal(await status(opaque({ jti: 'new' })), 503);
});
await check('it is back: new tokens work again', async () => {
  await startAs();
  assert.equal(await status(opaque({ jti: 'later' })), 200);
});
await stopAs();
finish();
