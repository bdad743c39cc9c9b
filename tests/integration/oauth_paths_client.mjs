// Through nginx (examples/deployment/nginx-paths.conf), as an MCP client that knows only
// the public URL: the 401 names a metadata URL the client can fetch; the metadata's
// `resource` is the public URI, which the TypeScript SDK's own discovery and resource check
// accept; tokens for that URI work and step up; tokens for another path do not.
//   node oauth_paths_client.mjs KEYS_DIR ISSUER MCP_HOST_ORIGIN TEAMS_HOST_ORIGIN
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runner, sdk } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { accessToken } = await import(pathToFileURL(path.join(here, '../../examples/oauth_resource_server/mint.mjs')).href);
const [keys, iss, mcpHost, teamsHost] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { discoverOAuthProtectedResourceMetadata, extractResourceMetadataUrl, selectResourceURL } = await sdk('client/auth.js');
const { check, finish } = runner(90_000);

const token = (aud, scope) => accessToken(keys, { iss, aud, scope });
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (id, method, params) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
const post = (url, body, t, more = {}) =>
  fetch(url, { method: 'POST', body, headers: { ...json, ...more, ...(t ? { authorization: `Bearer ${t}` } : {}) } });

const servers = [
  { name: 'mounted at /tools/mcp', url: `${mcpHost}/tools/mcp`,
    metadata: `${mcpHost}/.well-known/oauth-protected-resource/tools/mcp`, root: 200 },
  { name: 'behind the /team-a prefix', url: `${teamsHost}/team-a/mcp`,
    metadata: `${teamsHost}/.well-known/oauth-protected-resource/team-a/mcp`, root: 404 },
  { name: 'behind the /team-b prefix, metadata under it', url: `${teamsHost}/team-b/mcp`,
    metadata: `${teamsHost}/team-b/.well-known/oauth-protected-resource`, root: 404 },
];

for (const s of servers) {
  await check(`${s.name}: the 401 names ${new URL(s.metadata).pathname}, which serves the public resource`, async () => {
    const r = await post(s.url, initialize);
    assert.equal(r.status, 401);
    const named = extractResourceMetadataUrl(r);
    assert.equal(named?.href, s.metadata);
    const m = await (await fetch(named)).json();
    assert.equal(m.resource, s.url);
    assert.deepEqual(m.authorization_servers, [iss]);
    // What the SDK does with the challenge: discover, then check the resource it names.
    const meta = await discoverOAuthProtectedResourceMetadata(s.url, { resourceMetadataUrl: named });
    assert.equal((await selectResourceURL(s.url, {}, meta)).href, s.url);
  });
  await check(`${s.name}: the root metadata URL is ${s.root === 200 ? 'this server\'s' : 'no other team\'s (404)'}`, async () => {
    const r = await fetch(`${new URL(s.url).origin}/.well-known/oauth-protected-resource`);
    assert.equal(r.status, s.root);
    if (s.root === 200) assert.equal((await r.json()).resource, s.url);
  });
  await check(`${s.name}: a token for the public URI works with the SDK client; another path's is refused`, async () => {
    const client = new Client({ name: 'warden-paths-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(s.url), {
      requestInit: { headers: { authorization: `Bearer ${token(s.url, 'notes:read notes:write')}` } } }));
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    assert.match(who.content[0].text, /^ada via notes-cli from https:\/\/as\.example\.test/);
    assert.equal((await client.callTool({ name: 'add_note', arguments: { text: 'hi' } })).content[0].text, 'added');
    await client.close();
    for (const other of servers.filter((o) => o !== s)) {
      const r = await post(s.url, initialize, token(other.url, 'notes:read'));
      assert.equal(r.status, 401, other.url);
      assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/);
    }
  });
  await check(`${s.name}: a missing scope is 403 insufficient_scope, naming the same metadata URL`, async () => {
    const t = token(s.url, 'notes:read');
    const init = await post(s.url, initialize, t);
    assert.equal(init.status, 200);
    const session = init.headers.get('mcp-session-id');
    await init.text();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    await (await post(s.url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), t, headers)).text();
    const r = await post(s.url, rpc(2, 'tools/call', { name: 'add_note', arguments: { text: 'x' } }), t, headers);
    assert.equal(r.status, 403);
    const challenge = r.headers.get('www-authenticate');
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="notes:write"/);
    assert.equal(extractResourceMetadataUrl(r)?.href, s.metadata);
  });
}
finish();
