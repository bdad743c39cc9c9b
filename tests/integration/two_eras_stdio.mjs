// two_eras_stdio.mjs SERVER: both protocol eras over stdio. Three server processes at once:
// the TypeScript SDK's 1.x client (initialize, a session), the 2.x client pinned to
// 2026-07-28, and the 2.x client negotiating by itself (it probes server/discover first).
// The tools that ask the client for input give the same results in every one.
import assert from 'node:assert/strict';
import { npm, sdk } from './harness.mjs';

const server = process.argv[2];
const { Client: V1Client } = await sdk('client/index.js');
const { StdioClientTransport: V1Stdio } = await sdk('client/stdio.js');
const { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } = await sdk('types.js');
const { Client: V2Client } = await npm('@modelcontextprotocol/client/dist/index.mjs');
const { StdioClientTransport: V2Stdio } = await npm('@modelcontextprotocol/client/dist/stdio.mjs');

const capabilities = { elicitation: {}, sampling: {}, roots: {} };
const elicit = (req) => ({
  action: 'accept',
  content: Object.fromEntries(Object.entries(req.params.requestedSchema?.properties ?? {})
    .map(([k, s]) => [k, s.type === 'boolean' ? true : k === 'color' ? 'blue' : 'Alice'])),
});
const sample = () => ({ model: 'test-model', role: 'assistant', content: { type: 'text', text: 'Paris' } });
const roots = () => ({ roots: [{ uri: 'file:///srv/project', name: 'project' }] });
const spawn = () => ({ command: server, args: ['--stdio'], stderr: 'ignore' });

const v1 = new V1Client({ name: 'stdio-v1', version: '1.0.0' }, { capabilities });
v1.setRequestHandler(ElicitRequestSchema, async (r) => elicit(r));
v1.setRequestHandler(CreateMessageRequestSchema, async () => sample());
v1.setRequestHandler(ListRootsRequestSchema, async () => roots());
const v2 = (mode) => {
  const c = new V2Client({ name: `stdio-v2-${JSON.stringify(mode)}`, version: '1.0.0' },
                         { capabilities, versionNegotiation: { mode }, inputRequired: { autoFulfill: true, maxRounds: 5 } });
  c.setRequestHandler('elicitation/create', async (r) => elicit(r));
  c.setRequestHandler('sampling/createMessage', async () => sample());
  c.setRequestHandler('roots/list', async () => roots());
  return c;
};
const pinned = v2({ pin: '2026-07-28' });
const auto = v2('auto');
await Promise.all([v1.connect(new V1Stdio(spawn())), pinned.connect(new V2Stdio(spawn())), auto.connect(new V2Stdio(spawn()))]);
assert.equal(pinned.getProtocolEra(), 'modern');
assert.equal(auto.getProtocolEra(), 'modern', 'a negotiating 2.x client finds the stateless era through server/discover');
assert.equal(pinned.getServerVersion().name, 'warden-everything');

const text = (r) => r.content.map((c) => c.text ?? '').join('|');
const tools = ['test_input_required_result_elicitation', 'test_input_required_result_multiple_inputs',
               'test_input_required_result_multi_round', 'test_input_required_result_list_roots'];
for (const name of tools) {
  const [a, b, c] = await Promise.all([v1, pinned, auto].map((cl) => cl.callTool({ name, arguments: {} })));
  assert.ok(!a.isError, `${name}: ${text(a)}`);
  assert.equal(text(b), text(a), `${name}: the same over stdio in both eras`);
  assert.equal(text(c), text(a), `${name}: the same with negotiation`);
}
await Promise.all([v1.close(), pinned.close(), auto.close()]);
console.log(`stdio, two eras: ${tools.length} tools gave the same results to the 1.x and both 2.x clients`);
