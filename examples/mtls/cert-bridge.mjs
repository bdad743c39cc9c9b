// A stdio MCP server that forwards everything to an mtls server over Streamable HTTP,
// presenting a client certificate: how an MCP client that launches stdio servers (Claude
// Desktop, or Claude Code) reaches a server that wants client certificates.
//   MTLS_CLIENT_CERT=client.pem MTLS_CLIENT_KEY=client.key [MTLS_SERVER_CA=server-ca.pem] \
//     node cert-bridge.mjs https://mcp.internal.example:8443/mcp
// Needs @modelcontextprotocol/sdk (npm install @modelcontextprotocol/sdk), or
// WARDEN_NPM_DIR pointing at warden's installed npm tools.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientCertFetch } from './client_cert_fetch.mjs';

const [url] = process.argv.slice(2);
const { MTLS_CLIENT_CERT: certFile, MTLS_CLIENT_KEY: keyFile, MTLS_SERVER_CA: caFile } = process.env;
if (!url || !certFile || !keyFile) {
  console.error('usage: MTLS_CLIENT_CERT=FILE MTLS_CLIENT_KEY=FILE [MTLS_SERVER_CA=FILE] node cert-bridge.mjs URL');
  process.exit(2);
}
const read = (f) => fs.readFileSync(f);
const sdk = (p) => process.env.WARDEN_NPM_DIR
  ? import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href)
  : import(`@modelcontextprotocol/sdk/${p}`);
const { StdioServerTransport } = await sdk('server/stdio.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const fetch = clientCertFetch({ cert: read(certFile), key: read(keyFile), ca: caFile ? read(caFile) : undefined });
const upstream = new StreamableHTTPClientTransport(new URL(url), { fetch });
const local = new StdioServerTransport();
local.onmessage = (message) => {
  upstream.send(message).catch((e) => console.error(`cert-bridge: ${e.message}`));
  if (message.method === 'initialize') upstream.setProtocolVersion?.(message.params?.protocolVersion);
};
upstream.onmessage = (message) => local.send(message);
upstream.onerror = (e) => console.error(`cert-bridge: ${e.message}`);
local.onclose = () => upstream.close().finally(() => process.exit(0));
await upstream.start();
await local.start();
