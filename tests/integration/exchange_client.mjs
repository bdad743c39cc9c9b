// The billing_identity tool of three oauth_resource_server instances (exchange.sh): the
// caller's token is exchanged, not forwarded; the exchanged token is cached per caller;
// the AS refusing or unreachable is a tool error that says so and shows no token.
//   node exchange_client.mjs AS_ORIGIN SECRET RESOURCE URL_OK URL_REFUSED URL_DOWN URL_SHORT URL_OBO TOKENS_FILE
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runner, sdk } from './harness.mjs';

const [as, secret, resource, urlOk, urlRefused, urlDown, urlShort, urlObo, tokensFile] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { check, finish } = runner(90_000);
const stats = async () => (await fetch(`${as}/test/stats`)).json();

const r = await fetch(`${as}/token`, { method: 'POST',
  headers: { authorization: `Basic ${Buffer.from(`machine:${secret}`).toString('base64')}`,
             'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'notes:read', resource }) });
const token = (await r.json()).access_token;
assert.ok(token);
fs.writeFileSync(tokensFile, `${token}\n`);
async function call(url) {
  const client = new Client({ name: 'warden-exchange-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  const out = await client.callTool({ name: 'billing_identity', arguments: {} });
  await client.close();
  const text = out.content.map((c) => c.text).join('');
  assert.ok(!text.includes(token.split('.')[2]), 'the caller\'s token in a tool result');
  return { text, isError: out.isError };
}

await check('the tool acts for the caller at billing with an exchanged token (audience billing, act the server)', async () => {
  const before = (await stats()).exchanges;
  const r1 = await call(urlOk);
  assert.ok(!r1.isError, r1.text);
  const who = JSON.parse(r1.text);
  assert.equal(who.aud, 'https://billing.example.test');
  assert.equal(who.sub, 'machine');
  assert.deepEqual(who.act, { sub: 'machine' });
  assert.equal(who.scope, 'billing:read');
  assert.equal((await stats()).exchanges, before + 1);
});
await check('the exchanged token is cached for the caller: a second call asks the AS nothing', async () => {
  const before = (await stats()).exchanges;
  assert.ok(!(await call(urlOk)).isError);
  assert.equal((await stats()).exchanges, before);
});
await check('a token that expires within refresh_ahead (30 s) is not reused: each call exchanges again', async () => {
  const before = (await stats()).exchanges;
  for (let i = 0; i < 2; ++i) assert.ok(!(await call(urlShort)).isError);
  assert.equal((await stats()).exchanges, before + 2);
});
await check('the JWT-bearer on-behalf-of grant (Entra\'s form) gets the same', async () => {
  const before = (await stats()).obo;
  const r0 = await call(urlObo);
  assert.ok(!r0.isError, r0.text);
  assert.equal((await stats()).obo, before + 1);
  const who = JSON.parse(r0.text);
  assert.equal(who.aud, 'https://billing.example.test');
  assert.equal(who.sub, 'machine');
});
await check('the AS refusing the exchange is a tool error naming the refusal', async () => {
  const r2 = await call(urlRefused);
  assert.ok(r2.isError);
  assert.match(r2.text, /token exchange billing: the authorization server refused: invalid_target \(HTTP 400\)/);
});
await check('the AS unreachable is a tool error that says so', async () => {
  const r3 = await call(urlDown);
  assert.ok(r3.isError);
  assert.match(r3.text, /token exchange billing: the authorization server cannot be asked/);
});
finish();
