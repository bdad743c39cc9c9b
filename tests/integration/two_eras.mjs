// two_eras.mjs URL: both protocol eras against one warden server at the same time.
//
// The TypeScript SDK 1.x client holds a session (initialize, 2025-11-25) while the 2.x
// client speaks the stateless era (2026-07-28, pinned). They run the same tools
// concurrently; the handlers that ask the client for input (elicitation, sampling, roots)
// must produce the same result in both eras: over the session in one, through
// input-required results and retries in the other.
import assert from 'node:assert/strict';
import { npm, sdk } from './harness.mjs';

const { Client: V1Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport: V1HTTP } = await sdk('client/streamableHttp.js');
const { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } = await sdk('types.js');
const { Client: V2Client, StreamableHTTPClientTransport: V2HTTP } = await npm('@modelcontextprotocol/client/dist/index.mjs');

const url = new URL(process.argv[2]);
const capabilities = { elicitation: {}, sampling: {}, roots: {} };

// One set of answers for both clients.
const elicit = (req) => ({
  action: 'accept',
  content: Object.fromEntries(
    Object.entries(req.params.requestedSchema?.properties ?? {}).map(([k, s]) => [
      k,
      s.type === 'boolean' ? true : k === 'color' ? 'blue' : 'Alice',
    ]),
  ),
});
const sample = () => ({ model: 'test-model', role: 'assistant', content: { type: 'text', text: 'Paris' }, stopReason: 'endTurn' });
const roots = () => ({ roots: [{ uri: 'file:///srv/project', name: 'project' }] });

// Every HTTP exchange of each client, to check which era it spoke.
function recording(log) {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    const res = await fetch(input, init);
    log.push({
      method: init.method ?? 'GET',
      mcpMethod: headers.get('mcp-method'),
      mcpName: headers.get('mcp-name'),
      version: headers.get('mcp-protocol-version'),
      session: headers.get('mcp-session-id'),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      status: res.status,
    });
    return res;
  };
}

const v1Log = [];
const v1 = new V1Client({ name: 'warden-test-v1', version: '1.0.0' }, { capabilities });
v1.setRequestHandler(ElicitRequestSchema, async (r) => elicit(r));
v1.setRequestHandler(CreateMessageRequestSchema, async () => sample());
v1.setRequestHandler(ListRootsRequestSchema, async () => roots());

const v2Log = [];
const v2 = new V2Client(
  { name: 'warden-test-v2', version: '1.0.0' },
  { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } }, inputRequired: { autoFulfill: true, maxRounds: 5 } },
);
v2.setRequestHandler('elicitation/create', async (r) => elicit(r));
v2.setRequestHandler('sampling/createMessage', async () => sample());
v2.setRequestHandler('roots/list', async () => roots());

await Promise.all([
  v1.connect(new V1HTTP(url, { fetch: recording(v1Log) })),
  v2.connect(new V2HTTP(url, { fetch: recording(v2Log) })),
]);
assert.equal(v2.getProtocolEra?.() ?? 'modern', 'modern', 'the 2.x client speaks the stateless era');
assert.equal(v1.getServerVersion().name, 'warden-everything');

const text = (r) => r.content.map((c) => c.text ?? '').join('|');
const tools = [
  'test_input_required_result_elicitation',
  'test_input_required_result_sampling',
  'test_input_required_result_list_roots',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_multi_round',
  'test_input_required_result_request_state',
  'test_simple_text',
];
// Everything at once: both clients, every tool.
const [list1, list2, ...results] = await Promise.all([
  v1.listTools(),
  v2.listTools(),
  ...tools.flatMap((name) => [v1.callTool({ name, arguments: {} }), v2.callTool({ name, arguments: {} })]),
  v1.getPrompt({ name: 'test_input_required_result_prompt' }),
  v2.getPrompt({ name: 'test_input_required_result_prompt' }),
]);
assert.deepEqual(list2.tools.map((t) => t.name), list1.tools.map((t) => t.name), 'one tool list for both eras');
for (let i = 0; i < tools.length; ++i) {
  const [a, b] = [results[2 * i], results[2 * i + 1]];
  assert.ok(!a.isError && !b.isError, `${tools[i]}: ${text(a)} / ${text(b)}`);
  assert.equal(text(b), text(a), `${tools[i]} gives the same result in both eras`);
}
assert.equal(text({ content: [results[results.length - 2].messages[0].content] }), 'Prompt with context: Alice');
assert.deepEqual(results[results.length - 1].messages, results[results.length - 2].messages, 'the prompt too');
assert.equal(text(results[0]), 'Hello, Alice!');

// The 1.x client stayed in its session; the 2.x client never had one and sent the headers.
const v1Posts = v1Log.filter((e) => e.method === 'POST' && e.body?.method !== 'initialize');
assert.ok(v1Posts.length > 0 && v1Posts.every((e) => e.session), '1.x requests carry the session id');
const v2Posts = v2Log.filter((e) => e.method === 'POST');
assert.ok(v2Posts.every((e) => !e.session && e.version === '2026-07-28'), '2.x requests are sessionless, 2026-07-28');
assert.ok(v2Posts.every((e) => e.mcpMethod === e.body.method), 'Mcp-Method mirrors the body');
assert.ok(!v2Posts.some((e) => e.body.method === 'initialize'), 'no initialize in the stateless era');
// Input-required results and retries: the elicitation tool took two POSTs, the second
// carrying the answer and the sealed requestState.
const calls = v2Posts.filter((e) => e.body.method === 'tools/call' && e.body.params.name === tools[0]);
assert.equal(calls.length, 2, 'one round trip for the elicitation');
assert.deepEqual(Object.keys(calls[1].body.params.inputResponses), ['user_name']);
assert.equal(typeof calls[1].body.params.requestState, 'string');
assert.ok(calls.every((e) => e.mcpName === tools[0]), 'Mcp-Name mirrors the tool');
const rounds = v2Posts.filter((e) => e.body.method === 'tools/call' && e.body.params.name === tools[4]);
assert.equal(rounds.length, 3, 'the two-step tool takes two rounds');
assert.ok(v2Posts.every((e) => e.status === 200), `every 2.x POST answered 200: ${v2Posts.map((e) => e.status)}`);

await Promise.all([v1.close(), v2.close()]);
console.log(`two eras: ${tools.length} tools and a prompt gave the same results; ` +
  `1.x sent ${v1Log.length} requests in a session, 2.x sent ${v2Posts.length} stateless POSTs`);
