// The TypeScript SDK 2.x answer to examples/echo in the stateless era (MCP 2026-07-28): the
// SDK's stateless handler (`createMcpHandler`, a server per request), JSON responses, the
// localhost Host/Origin checks its documentation asks for, one tool echo(text).
// Usage: node ts_v2_echo_server.mjs PORT
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const port = Number(process.argv[2] || 0);
const load = (p) => import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules', p)).href);
const { createMcpHandler, McpServer } = await load('@modelcontextprotocol/server/dist/index.mjs');
const { toNodeHandler, localhostHostValidation, localhostOriginValidation } =
  await load('@modelcontextprotocol/node/dist/index.mjs');
const z = await load('zod/v4/index.js');

const echoInput = z.object({ text: z.string() });
const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'ts-v2-echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Returns its text unchanged', inputSchema: echoInput },
                      async ({ text }) => ({ content: [{ type: 'text', text }] }));
  return server;
}, { responseMode: 'json', legacy: 'reject' });
const serve = toNodeHandler(handler);
const hostOk = localhostHostValidation();
const originOk = localhostOriginValidation();
const httpServer = http.createServer((req, res) => {
  if (!hostOk(req, res) || !originOk(req, res)) return;
  void serve(req, res);
});
httpServer.keepAliveTimeout = 60_000;
httpServer.listen(port, '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${httpServer.address().port}/mcp`);
});
