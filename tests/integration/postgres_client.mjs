// The official TypeScript SDK client launching the postgres_stdio example over stdio, as
// Claude Code or Claude Desktop does, with the database credentials in its environment.
//   node postgres_client.mjs SERVER
// The environment (DATABASE_URL, DB_USER, DB_PASSWORD or DB_PASSWORD_FILE, DB_SECRET_CHECK, PG_RESTART)
// comes from postgres.sh; PG_RESTART is a command that restarts the database.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { runner, sdk } from './harness.mjs';

const [server] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');

const { check, finish } = runner(120_000);

// Only what the client configuration would pass: PATH and the database variables.
const env = { PATH: process.env.PATH };
for (const k of ['DATABASE_URL', 'DB_USER', 'DB_PASSWORD', 'DB_PASSWORD_FILE']) if (process.env[k]) env[k] = process.env[k];
const secret = process.env.DB_SECRET_CHECK; // the password, to look for where it must not be
const transport = new StdioClientTransport({ command: server, args: [], env, stderr: 'pipe' });
let stderr = '';
transport.stderr?.on('data', (d) => { stderr += d; });
const client = new Client({ name: 'warden-postgres-test', version: '1.0.0' });
await client.connect(transport);
const call = async (name, args = {}) => client.callTool({ name, arguments: args });
const rows = (r) => { assert.equal(r.isError, undefined, r.content?.[0]?.text); return JSON.parse(r.content[0].text).rows; };
const refused = async (sql, pattern) => {
  const r = await call('query', { sql });
  assert.equal(r.isError, true, `not refused: ${sql}`);
  assert.match(r.content[0].text, pattern);
};

await check('the tools are read-only and say so', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['describe_table', 'list_tables', 'query']);
  for (const t of tools) assert.equal(t.annotations?.readOnlyHint, true);
});
await check('list_tables and describe_table', async () => {
  assert.deepEqual(rows(await call('list_tables')).map((r) => r.table_name), ['products']);
  assert.deepEqual(rows(await call('describe_table', { table: 'products' })).map((r) => r.column_name),
                   ['id', 'name', 'price', 'tags', 'active']);
});
await check('a parameterised SELECT returns typed JSON rows', async () => {
  const r = await call('query', { sql: 'SELECT id, name, price, tags, active FROM products WHERE price > $1 ORDER BY id', params: ['5'] });
  const body = JSON.parse(r.content[0].text);
  assert.deepEqual(body.columns, ['id', 'name', 'price', 'tags', 'active']);
  assert.deepEqual(body.rows, [
    { id: 2, name: 'lamp', price: '19.90', tags: ['home'], active: true },
    { id: 3, name: "o'clock", price: '120.00', tags: null, active: false },
  ]);
  assert.deepEqual(r.structuredContent.rows, body.rows);
});
await check('large results are capped at 500 rows and say so', async () => {
  const body = JSON.parse((await call('query', { sql: 'SELECT g FROM generate_series(1, 2000) g' })).content[0].text);
  assert.equal(body.rows.length, 500);
  assert.equal(body.row_count, 2000);
  assert.equal(body.truncated, true);
});
await check('writes are refused even for a role that could write, and change nothing', async () => {
  await refused("INSERT INTO products VALUES (9, 'x', 1, null, true)", /read-only transaction/);
  await refused("WITH d AS (DELETE FROM products RETURNING *) SELECT * FROM d", /read-only transaction/);
  await refused('UPDATE products SET price = 0', /read-only transaction/);
  await refused('DROP TABLE products', /read-only transaction/);
  await refused('SELECT 1; DELETE FROM products', /multiple commands/);
  await refused('COMMIT', /transaction control/);
  await refused("SELECT nextval('products_seq')", /read-only transaction/);
  assert.deepEqual(rows(await call('query', { sql: 'SELECT count(*)::int AS n FROM products' })), [{ n: 3 }]);
});
await check('a session setting cannot outlive its call', async () => {
  await call('query', { sql: 'SET default_transaction_read_only = off' });
  await refused("INSERT INTO products VALUES (9, 'x', 1, null, true)", /read-only transaction/);
});
await check('a slow statement is cut off by the statement timeout', async () => {
  const t0 = Date.now();
  await refused('SELECT pg_sleep(30)', /statement timeout/);
  assert.ok(Date.now() - t0 < 15_000);
});
await check('a SQL error is the tool error, and the next call works', async () => {
  await refused('SELECT * FROM nowhere', /relation "nowhere" does not exist/);
  assert.equal(rows(await call('query', { sql: 'SELECT 1 AS one' }))[0].one, 1);
});
if (process.env.PG_RESTART) {
  await check('the database restarts: the next call connects again', async () => {
    execSync(process.env.PG_RESTART, { stdio: 'ignore' });
    assert.equal(rows(await call('query', { sql: 'SELECT 2 AS two' }))[0].two, 2);
  });
}
await client.close();
await check('nothing secret on stderr', async () => {
  assert.ok(secret && !stderr.includes(secret), 'the password is on stderr');
  assert.match(stderr, /warden-postgres|listening|serving|info/i); // stderr was captured at all
});
finish();
