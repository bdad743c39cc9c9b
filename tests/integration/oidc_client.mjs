// End to end with a real authorization server (oidc-provider, oidc_as.mjs): the official
// TypeScript SDK client runs the whole OAuth flow without a browser (401 -> protected
// resource metadata -> authorization server metadata -> dynamic registration -> PKCE ->
// token -> retry), calls a scoped tool, steps up on 403 insufficient_scope and succeeds;
// a token for another resource is refused; the authorization server goes away and comes
// back.
//   node oidc_client.mjs jwt|opaque URL AS_PORT DIR SECRET
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { followToRedirect, runner, sdk } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [format, url, asPort, dir, secret] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { UnauthorizedError } = await sdk('client/auth.js');
const { check, finish } = runner(120_000);
const issuer = `https://127.0.0.1:${asPort}`;

let as = null;
async function startAs() {
  as = spawn(process.execPath, [path.join(here, 'oidc_as.mjs'), asPort, path.join(dir, 'server.pem'), path.join(dir, 'server.key'),
    url, format, secret, path.join(dir, 'as-signing.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => { as.stdout.once('data', resolve); as.once('exit', reject); });
}
async function stopAs() {
  const exited = new Promise((r) => as.once('exit', r));
  as.kill('SIGKILL');
  await exited;
}

class HeadlessProvider {
  constructor() { this.authorizations = []; }
  get redirectUrl() { return 'http://127.0.0.1:47123/callback'; }
  get clientMetadata() {
    return { client_name: 'warden end-to-end', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code'],
             response_types: ['code'], token_endpoint_auth_method: 'none', application_type: 'native' };
  }
  clientInformation() { return this.client; }
  saveClientInformation(c) { this.client = c; }
  tokens() { return this.saved; }
  saveTokens(t) { this.saved = t; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
  async redirectToAuthorization(u) {
    this.authorizations.push(u);
    this.code = (await followToRedirect(u, this.redirectUrl)).searchParams.get('code');
  }
}
const text = (r) => r.content[0].text;
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const status = async (t) => (await fetch(url, { method: 'POST', body: initialize, headers: {
  'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${t}` } })).status;

async function connect(p) {
  const client = new Client({ name: 'warden-e2e', version: '1.0.0' });
  const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: p });
  try {
    await client.connect(first);
    return { client, transport: first };
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    await first.finishAuth(p.code);
  }
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: p });
  await client.connect(transport);
  return { client, transport };
}

await startAs();
// warden started first and may be between retries: wait until it has the keys (a token it
// can judge gets 401, not 503).
for (const end = Date.now() + 40_000; Date.now() < end; await new Promise((r) => setTimeout(r, 250)))
  if ((await status('aaaa.bbbb.cccc')) === 401) break;
const p = new HeadlessProvider();
let session;
await check('401, metadata, registration, PKCE, token: then a scoped tool works', async () => {
  session = await connect(p);
  assert.equal(p.authorizations.length, 1);
  const asked = p.authorizations[0];
  assert.equal(asked.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(asked.searchParams.get('resource'), url);
  assert.equal(asked.searchParams.get('scope'), 'notes:read');
  assert.match(text(await session.client.callTool({ name: 'whoami', arguments: {} })), new RegExp(`^ada via \\S+ from ${issuer} \\[notes:read\\]`));
  assert.equal(text(await session.client.callTool({ name: 'list_notes', arguments: {} })), '(no notes)');
});
await check('a tool needing more: 403 insufficient_scope, the client steps up, the call succeeds', async () => {
  await assert.rejects(session.client.callTool({ name: 'add_note', arguments: { text: 'hello' } }), UnauthorizedError);
  assert.equal(p.authorizations.length, 2);
  assert.equal(p.authorizations[1].searchParams.get('scope'), 'notes:write');
  await session.transport.finishAuth(p.code);
  assert.equal(text(await session.client.callTool({ name: 'add_note', arguments: { text: 'hello' } })), 'added');
  await session.client.close();
});
const form = (body) => ({ method: 'POST', body: new URLSearchParams(body), headers: {
  authorization: `Basic ${Buffer.from(`machine:${secret}`).toString('base64')}` } });
await check('a token the same server issued for another resource is refused (401)', async () => {
  const r = await fetch(`${issuer}/token`, form({ grant_type: 'client_credentials', scope: 'notes:read',
    resource: 'https://other.example.test/mcp' }));
  const answer = await r.json();
  assert.equal(r.status, 200, JSON.stringify(answer));
  const { access_token: other } = answer;
  assert.equal(await status(other), 401);
});
await check('the authorization server goes away: tokens in use keep working; it comes back', async () => {
  const fresh = new HeadlessProvider();
  const s2 = await connect(fresh);
  await s2.client.close();
  const token = fresh.saved.access_token;
  await stopAs();
  assert.equal(await status(token), 200); // remembered: no round trip to the authorization server
  await startAs();
  const s3 = await connect(new HeadlessProvider());
  assert.match(text(await s3.client.callTool({ name: 'whoami', arguments: {} })), /^ada via/);
  await s3.client.close();
});
await stopAs();
finish();
