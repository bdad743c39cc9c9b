// The official TypeScript SDK client uses the `everything` example as an MCP host would:
// lists and calls tools, reads resources, gets prompts, completes arguments, and receives
// progress and log notifications; it also answers the server's sampling and elicitation
// requests.
//   node ts_client.mjs stdio SERVER_BINARY      launches the server over stdio
//   node ts_client.mjs http URL                 Streamable HTTP (WARDEN_STATELESS=1: stateless server)
//   node ts_client.mjs sse URL                  the 2024-11-05 HTTP+SSE transport (URL of /sse)
//   node ts_client.mjs ws URL                   MCP over WebSocket (ws:// or wss:// URL of /ws)
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, target] = process.argv.slice(2);
const stateless = process.env.WARDEN_STATELESS === '1';
const npmDir = process.env.WARDEN_NPM_DIR;
assert.ok(['stdio', 'http', 'sse', 'ws'].includes(mode) && target,
          'usage: ts_client.mjs stdio SERVER_BINARY | http URL | sse URL | ws URL');
assert.ok(npmDir, 'WARDEN_NPM_DIR must point at the installed npm tools (scripts/install-deps.sh)');
const sdk = (p) => import(pathToFileURL(path.join(npmDir, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');
const types = await sdk('types.js');

const deadline = setTimeout(() => { console.error('timed out'); process.exit(1); }, 60_000);
let passed = 0, failed = 0;
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${e.stack || e}`); }
}

const client = new Client({ name: 'warden-ts-test', version: '1.0.0' },
                          { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
const logs = [];
client.setNotificationHandler(types.LoggingMessageNotificationSchema, (n) => { logs.push(n.params); });
client.setRequestHandler(types.CreateMessageRequestSchema, async (req) => ({
  role: 'assistant', model: 'test-model',
  content: { type: 'text', text: `echo: ${req.params.messages[0].content.text}` },
}));
client.setRequestHandler(types.ElicitRequestSchema, async () => ({
  action: 'accept', content: { username: 'ada', email: 'ada@example.com' },
}));

let transport;
if (mode === 'stdio') {
  transport = new StdioClientTransport({ command: target, args: ['--stdio', '--log-level', 'warning'], stderr: 'pipe' });
} else if (mode === 'http') {
  const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
  transport = new StreamableHTTPClientTransport(new URL(target));
} else if (mode === 'sse') {
  const { SSEClientTransport } = await sdk('client/sse.js');
  transport = new SSEClientTransport(new URL(target));
} else {
  const { WebSocketClientTransport } = await sdk('client/websocket.js');
  transport = new WebSocketClientTransport(new URL(target));
}
await client.connect(transport);

if (mode === 'http') {
  await check('Streamable HTTP: a session id of 256 bits, or none when stateless', async () => {
    if (stateless) assert.equal(transport.sessionId, undefined);
    else assert.match(transport.sessionId, /^[0-9a-f]{64}$/);
  });
}

await check('server info and negotiated capabilities', async () => {
  assert.equal(client.getServerVersion().name, 'warden-everything');
  const caps = client.getServerCapabilities();
  for (const c of ['tools', 'resources', 'prompts', 'logging', 'completions']) assert.ok(caps[c], c);
});

await check('tools/list: every fixture, each with a description and an input schema', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ['test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource',
                   'test_multiple_content_types', 'test_tool_with_logging', 'test_error_handling',
                   'test_tool_with_progress', 'test_sampling', 'test_elicitation',
                   'test_elicitation_sep1034_defaults', 'test_elicitation_sep1330_enums', 'json_schema_2020_12_tool'])
    assert.ok(names.includes(n), n);
  for (const t of tools) { assert.ok(t.description, t.name); assert.equal(t.inputSchema.type, 'object'); }
  const raw = tools.find((t) => t.name === 'json_schema_2020_12_tool');
  assert.equal(raw.inputSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.ok(raw.inputSchema.$defs.address);
  const add = tools.find((t) => t.name === 'add');
  assert.deepEqual(add.outputSchema.required, ['sum']);
});

await check('tools/call: content types', async () => {
  const text = await client.callTool({ name: 'test_simple_text' });
  assert.equal(text.content[0].type, 'text');
  const image = await client.callTool({ name: 'test_image_content', arguments: {} });
  assert.equal(image.content[0].mimeType, 'image/png');
  const audio = await client.callTool({ name: 'test_audio_content', arguments: {} });
  assert.equal(audio.content[0].mimeType, 'audio/wav');
  assert.ok(Buffer.from(audio.content[0].data, 'base64').subarray(0, 4).equals(Buffer.from('RIFF')));
  const mixed = await client.callTool({ name: 'test_multiple_content_types', arguments: {} });
  assert.deepEqual(mixed.content.map((c) => c.type), ['text', 'image', 'resource']);
});

await check('tools/call: structured output is validated by the SDK against outputSchema', async () => {
  const r = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
  assert.deepEqual(r.structuredContent, { sum: 42 });
});

await check('tools/call: errors are results with isError', async () => {
  const r = await client.callTool({ name: 'test_error_handling', arguments: {} });
  assert.equal(r.isError, true);
  const bad = await client.callTool({ name: 'add', arguments: { a: 'two', b: 1 } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /a: expected a number/);
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /unknown tool/);
});

await check('progress notifications arrive before the result', async () => {
  const seen = [];
  const r = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined,
                                  { onprogress: (p) => seen.push(p.progress) });
  assert.equal(r.content[0].text, 'Progress tool completed');
  assert.deepEqual(seen, [0, 50, 100]);
});

await check('log notifications honour logging/setLevel', async () => {
  logs.length = 0;
  await client.setLoggingLevel('debug');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  assert.equal(logs.length, 3);
  assert.equal(logs[0].level, 'info');
  if (stateless) return; // each request stands alone: the level does not persist
  logs.length = 0;
  await client.setLoggingLevel('error');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  assert.equal(logs.length, 0);
});

if (!stateless) await check('sampling and elicitation: the server asks the client mid-call', async () => {
  const s = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } });
  assert.equal(s.content[0].text, 'LLM response: echo: hello');
  const e = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } });
  assert.match(e.content[0].text, /action=accept/);
  assert.match(e.content[0].text, /ada@example.com/);
});

await check('resources: list, templates, read text and binary, subscribe', async () => {
  const { resources } = await client.listResources();
  assert.deepEqual(resources.map((r) => r.uri).sort(),
                   ['test://static-binary', 'test://static-text', 'test://watched-resource']);
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.equal(resourceTemplates[0].uriTemplate, 'test://template/{id}/data');
  const text = await client.readResource({ uri: 'test://static-text' });
  assert.equal(text.contents[0].mimeType, 'text/plain');
  const bin = await client.readResource({ uri: 'test://static-binary' });
  assert.ok(Buffer.from(bin.contents[0].blob, 'base64').subarray(1, 4).equals(Buffer.from('PNG')));
  const tpl = await client.readResource({ uri: 'test://template/123/data' });
  assert.match(tpl.contents[0].text, /123/);
  if (!stateless) { // updates arrive on the session's GET stream
    const updated = new Promise((resolve) =>
      client.setNotificationHandler(types.ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    await client.subscribeResource({ uri: 'test://watched-resource' });
    await client.callTool({ name: 'touch_watched_resource', arguments: {} });
    assert.equal(await updated, 'test://watched-resource');
    await client.unsubscribeResource({ uri: 'test://watched-resource' });
  }
  await assert.rejects(client.readResource({ uri: 'test://missing' }), /resource not found/);
});

await check('prompts: list and get with arguments, resources and images', async () => {
  const { prompts } = await client.listPrompts();
  assert.equal(prompts.length, 5);
  for (const p of prompts) assert.ok(p.description, p.name);
  const withArgs = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'v1', arg2: 'v2' } });
  assert.match(withArgs.messages[0].content.text, /v1.*v2/);
  const embedded = await client.getPrompt({ name: 'test_prompt_with_embedded_resource',
                                            arguments: { resourceUri: 'test://example-resource' } });
  assert.equal(embedded.messages[0].content.type, 'resource');
  const image = await client.getPrompt({ name: 'test_prompt_with_image' });
  assert.equal(image.messages[0].content.type, 'image');
  await assert.rejects(client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'x' } }), /arg2/);
});

await check('completion/complete and ping', async () => {
  const r = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
                                    argument: { name: 'arg1', value: 'pa' } });
  assert.deepEqual(r.completion.values, ['paris', 'park']);
  assert.deepEqual(await client.ping(), {});
});

if (mode === 'http' && !stateless) {
  await check('a POST stream that drops mid-call is resumed with Last-Event-ID: nothing lost', async () => {
    // A fetch that cuts the first SSE response after its first progress event, as a
    // flaky network would; the SDK then resumes with GET + Last-Event-ID.
    let cut = false, resumedWith;
    const flaky = async (url, init) => {
      const headers = new Headers(init?.headers);
      if (init?.method === 'GET' && headers.get('last-event-id')) resumedWith = headers.get('last-event-id');
      const r = await fetch(url, init);
      if (cut || init?.method !== 'POST' || !(r.headers.get('content-type') || '').startsWith('text/event-stream'))
        return r;
      cut = true;
      const reader = r.body.getReader();
      let seen = '';
      const body = new ReadableStream({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) { controller.close(); return; }
          controller.enqueue(value);
          seen += new TextDecoder().decode(value);
          if (seen.includes('notifications/progress')) {
            await reader.cancel();
            controller.error(new Error('connection reset (simulated)'));
          }
        },
      });
      return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
    };
    const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
    const t = new StreamableHTTPClientTransport(new URL(target), {
      fetch: flaky,
      reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 1000,
                             reconnectionDelayGrowFactor: 1.5, maxRetries: 3 },
    });
    const c = new Client({ name: 'warden-ts-resume', version: '1.0.0' });
    c.onerror = () => {}; // the simulated reset is reported here
    await c.connect(t);
    const progress = [];
    const r = await c.callTool({ name: 'sleep', arguments: { milliseconds: 400 } }, undefined,
                               { onprogress: (p) => progress.push(p.progress), timeout: 10_000 });
    assert.equal(r.content[0].text, 'slept 400 ms');
    assert.match(resumedWith ?? '', /^\d+-\d+$/, 'the SDK resumed with an event id');
    assert.ok(progress.length >= 20, `progress events: ${progress.length}`);
    // Every progress event arrives exactly once and in order, across the drop.
    assert.deepEqual(progress, progress.map((_, i) => i + 1));
    await c.close();
  });

  await check('DELETE ends the session; the server then answers 404 for it', async () => {
    const id = transport.sessionId;
    await transport.terminateSession();
    const r = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
                 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' }),
    });
    assert.equal(r.status, 404);
  });
}

await client.close();
clearTimeout(deadline);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
