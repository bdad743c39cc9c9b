// The tasks extension (io.modelcontextprotocol/tasks) with the official TypeScript SDK's 1.x
// client over Streamable HTTP, in the session era, against examples/everything:
//   node tasks_client.mjs URL
// - the extension advertised, tools listing their execution.taskSupport;
// - a task outlives the session that started it: a new session (a reconnect) reads it and
//   its result;
// - a question inside a task waits in input_required until tasks/update answers it;
// - a tasks/cancel sent from another session ends a running task;
// - a client that did not declare the extension gets plain results, and -32021 (with
//   requiredCapabilities) for a tool that needs a task and for tasks/*.
import { runner, sdk } from './harness.mjs';

const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { ResultSchema } = await sdk('types.js');

const url = new URL(process.argv[2]);
const ext = 'io.modelcontextprotocol/tasks';
const { check, finish } = runner(90_000);

async function connect(withTasks = true) {
  const client = new Client({ name: 'warden-tasks-test', version: '1.0.0' },
                            { capabilities: withTasks ? { extensions: { [ext]: {} }, elicitation: {} } : {} });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return { client, transport };
}
const request = (c, method, params) => c.client.request({ method, params }, ResultSchema);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(c, taskId, done) {
  let t;
  for (let i = 0; i < 300; i++) {
    t = await request(c, 'tasks/get', { taskId });
    if (done(t)) return t;
    await sleep(50);
  }
  throw new Error(`task ${taskId} stayed ${JSON.stringify(t)}`);
}
const close = async (c) => { await c.transport.terminateSession().catch(() => {}); await c.client.close(); };

await check('the extension is advertised and tools say whether they run as tasks', async () => {
  const c = await connect();
  if (!c.client.getServerCapabilities()?.extensions?.[ext]) throw new Error(JSON.stringify(c.client.getServerCapabilities()));
  const { tools } = await c.client.listTools();
  const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
  if (support.slow_compute !== 'optional' || support.failing_job !== 'required' || support.greet !== undefined)
    throw new Error(JSON.stringify(support));
  await close(c);
});

await check('a task outlives its session: a new session reads it and its result', async () => {
  const first = await connect();
  const created = await request(first, 'tools/call', { name: 'slow_compute', arguments: { seconds: 1, label: 'reconnect' } });
  if (created.resultType !== 'task' || created.status !== 'working' || 'content' in created) throw new Error(JSON.stringify(created));
  const gone = first.transport.sessionId;
  await close(first);
  const second = await connect();
  if (second.transport.sessionId === gone) throw new Error('the same session again');
  const done = await until(second, created.taskId, (t) => t.status === 'completed');
  if (!/^reconnect: done/.test(done.result?.content?.[0]?.text ?? '')) throw new Error(JSON.stringify(done));
  await close(second);
});

await check('a question inside a task waits in input_required until tasks/update answers it', async () => {
  const c = await connect();
  const created = await request(c, 'tools/call', { name: 'confirm_delete', arguments: { filename: 'q3.pdf' } });
  const waiting = await until(c, created.taskId, (t) => t.status === 'input_required');
  const [key, asked] = Object.entries(waiting.inputRequests ?? {})[0] ?? [];
  if (asked?.method !== 'elicitation/create' || !/q3\.pdf/.test(asked.params?.message ?? '')) throw new Error(JSON.stringify(waiting));
  const ack = await request(c, 'tasks/update', { taskId: created.taskId,
                                                 inputResponses: { [key]: { action: 'accept', content: { confirm: true } } } });
  if (ack.resultType !== 'complete') throw new Error(JSON.stringify(ack));
  const done = await until(c, created.taskId, (t) => t.status === 'completed');
  if (done.result?.content?.[0]?.text !== 'deleted q3.pdf') throw new Error(JSON.stringify(done));
  await close(c);
});

await check('tasks/cancel from another session ends a running task', async () => {
  const a = await connect();
  const created = await request(a, 'tools/call', { name: 'slow_compute', arguments: { seconds: 60, label: 'long' } });
  const b = await connect();
  await until(b, created.taskId, (t) => /second/.test(t.statusMessage ?? '')); // progress, as statusMessage
  await request(b, 'tasks/cancel', { taskId: created.taskId });
  const after = await until(a, created.taskId, (t) => t.status !== 'working');
  if (after.status !== 'cancelled' || 'result' in after) throw new Error(JSON.stringify(after));
  await close(a);
  await close(b);
});

await check('without the extension: plain results, and -32021 naming it for a required tool and tasks/*', async () => {
  const c = await connect(false);
  const plain = await c.client.callTool({ name: 'slow_compute', arguments: { seconds: 0, label: 'plain' } });
  if (!/^plain: done/.test(plain.content?.[0]?.text ?? '') || 'taskId' in plain) throw new Error(JSON.stringify(plain));
  for (const [method, params] of [['tools/call', { name: 'failing_job', arguments: {} }], ['tasks/get', { taskId: 'x' }]]) {
    let err;
    try { await request(c, method, params); } catch (e) { err = e; }
    if (err?.code !== -32021 || err?.data?.requiredCapabilities?.extensions?.[ext] === undefined)
      throw new Error(`${method}: ${err ? `${err.code} ${JSON.stringify(err.data)}` : 'answered'}`);
  }
  await close(c);
});

finish();
