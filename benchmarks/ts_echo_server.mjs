// The TypeScript SDK's answer to examples/echo: a stateless Streamable HTTP server (a new
// McpServer and transport per request, the SDK's documented stateless pattern) with one
// tool, echo(text), answering with JSON. Usage: node ts_echo_server.mjs PORT
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const port = Number(process.argv[2] || 0);
const npmDir = process.env.WARDEN_NPM_DIR;
const load = (p) => import(pathToFileURL(path.join(npmDir, 'node_modules', p)).href);
const { McpServer } = await load('@modelcontextprotocol/sdk/dist/esm/server/mcp.js');
const { StreamableHTTPServerTransport } = await load('@modelcontextprotocol/sdk/dist/esm/server/streamableHttp.js');
const { z } = await load('zod/index.js');

function makeServer() {
  const server = new McpServer({ name: 'ts-echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Returns its text unchanged', inputSchema: { text: z.string() } },
                      async ({ text }) => ({ content: [{ type: 'text', text }] }));
  return server;
}

const httpServer = http.createServer(async (req, res) => {
  if (req.url !== '/mcp' || req.method !== 'POST') { res.writeHead(405).end(); return; }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body;
  try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
  const server = makeServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
});
httpServer.keepAliveTimeout = 60_000;
httpServer.listen(port, '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${httpServer.address().port}/mcp`);
});
