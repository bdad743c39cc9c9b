// A stdio MCP server that forwards everything to an hmac_signed server over Streamable
// HTTP, signing every request: how an MCP client that only speaks stdio (Claude Desktop)
// reaches a server that wants signed requests.
//   BILLING_HMAC_KEY=... node signing-bridge.mjs https://mcp.example.com/mcp [KEY_ID]
// Needs @modelcontextprotocol/sdk (npm install @modelcontextprotocol/sdk), or
// WARDEN_NPM_DIR pointing at warden's installed npm tools.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { signedFetch } from './hmac_sign.mjs';

const [url, keyId = 'billing-2026'] = process.argv.slice(2);
const key = process.env.BILLING_HMAC_KEY;
if (!url || !key) {
  console.error('usage: BILLING_HMAC_KEY=... node signing-bridge.mjs URL [KEY_ID]');
  process.exit(2);
}
const sdk = (p) => process.env.WARDEN_NPM_DIR
  ? import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href)
  : import(`@modelcontextprotocol/sdk/${p}`);
const { StdioServerTransport } = await sdk('server/stdio.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const upstream = new StreamableHTTPClientTransport(new URL(url), { fetch: signedFetch(keyId, key) });
const local = new StdioServerTransport();
local.onmessage = (message) => {
  upstream.send(message).catch((e) => console.error(`signing-bridge: ${e.message}`));
  if (message.method === 'initialize') upstream.setProtocolVersion?.(message.params?.protocolVersion);
};
upstream.onmessage = (message) => local.send(message);
upstream.onerror = (e) => console.error(`signing-bridge: ${e.message}`);
local.onclose = () => upstream.close().finally(() => process.exit(0));
await upstream.start();
await local.start();
