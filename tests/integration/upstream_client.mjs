// upstream_api end to end (upstream.sh starts oidc-provider, the fake APIs and Redis):
// login through the real authorization server (PKCE, state, loopback redirect), tools that
// call both upstreams over HTTPS, N concurrent callers -> one refresh, an upstream 401 ->
// one refresh and one retry, a crash between the token response and the store (the stored
// refresh token is the old one, the file is whole; the AS then refuses it and the tool says
// which login command to run; a new login recovers), and two production instances sharing
// Redis refreshing once.
//   node upstream_client.mjs BINARY DIR AS_PORT API_PORT REDIS_URL
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { followToRedirect, runner, sdk } from './harness.mjs';

const [bin, dir, asPort, apiPort, redisUrl] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StdioClientTransport } = await sdk('client/stdio.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { check, finish } = runner(240_000);
const as = `https://127.0.0.1:${asPort}`;
const api = `https://127.0.0.1:${apiPort}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = async () => (await fetch(`${as}/test/stats`)).json();
const apiStats = async () => (await fetch(`${api}/test/stats`)).json();
const text = (r) => r.content.map((c) => c.text).join('');

// ---- a proxy in front of the token endpoint that can kill the server mid-refresh ----
let armed = null; // { victim: pid, seen: refresh token sent, resolve }
let asDown = 0; // > 0: the authorization server dies on each refresh it receives (counted)
const proxy = https.createServer({ cert: fs.readFileSync(path.join(dir, 'server.pem')), key: fs.readFileSync(path.join(dir, 'server.key')) },
  (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      if (asDown && new URLSearchParams(body).get('grant_type') === 'refresh_token') {
        // Stopped in the middle of the refresh: the connection drops, nothing is answered
        // and nothing rotated.
        asDown++;
        return res.socket.destroy();
      }
      const upstream = await fetch(`${as}${req.url}`, { method: req.method, body,
        headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? '' } });
      const answer = await upstream.text();
      const params = new URLSearchParams(body);
      if (armed && params.get('grant_type') === 'refresh_token') {
        // The authorization server has rotated the refresh token; the server dies before it
        // can store the new one.
        const a = armed;
        armed = null;
        a.seen = params.get('refresh_token');
        process.kill(a.victim, 'SIGKILL');
        res.destroy();
        return a.resolve();
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(answer);
    });
  });
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const proxyUrl = `https://127.0.0.1:${proxy.address().port}`;

function deployment(prefix, redirect, extra = {}) {
  return {
    [`${prefix}STORAGE_KEY`]: crypto.randomBytes(32).toString('base64'),
    [`${prefix}NOTES_CLIENT_SECRET`]: process.env.UPSTREAM_CLIENT_SECRET,
    [`${prefix}WEATHER_API_KEY`]: process.env.WEATHER_KEY,
    [`${prefix}NOTES_AUTHORIZE_URL`]: `${as}/auth`,
    [`${prefix}NOTES_TOKEN_URL`]: `${proxyUrl}/token`,
    [`${prefix}NOTES_REDIRECT_URI`]: redirect,
    [`${prefix}NOTES_API_URL`]: api,
    [`${prefix}WEATHER_API_URL`]: api,
    [`${prefix}UPSTREAM_CA_FILE`]: path.join(dir, 'ca.pem'),
    // Access tokens live 60 s; refreshing 52 s ahead leaves them 8 s of use.
    [`${prefix}NOTES_REFRESH_AHEAD_SECONDS`]: '52',
    // A crashed refresher's lock lapses after 16 s (the shortest a 3 s timeout allows).
    [`${prefix}UPSTREAM_TIMEOUT_SECONDS`]: '3',
    [`${prefix}NOTES_REFRESH_LOCK_SECONDS`]: '16',
    ...extra,
  };
}
const dev = deployment('DEV_', process.env.DEV_REDIRECT);
const devEnv = { ...process.env, ...dev, XDG_CONFIG_HOME: path.join(dir, 'config') };
const prod = deployment('PROD_', process.env.PROD_REDIRECT, { PROD_REDIS_URL: redisUrl, PROD_MCP_TOKEN: crypto.randomBytes(24).toString('hex') });
const prodEnv = { ...process.env, ...prod };

/// `upstream_api login`: the URL it prints is followed like a browser would, to its loopback listener.
async function login(env, name, redirect) {
  const child = spawn(bin, ['login', '--env', name], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      err += d;
      const m = err.match(/^(https:\/\/\S+)$/m);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`login exited ${c}: ${err}`)));
  });
  const back = await followToRedirect(url, redirect);
  const page = await fetch(back);
  const body = await page.text();
  const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
  return { url: new URL(url), page: body, status: page.status, code, err };
}
async function stdio(env) {
  const transport = new StdioClientTransport({ command: bin, args: ['--env', 'development'], env, stderr: 'pipe' });
  transport.stderr?.on('data', (d) => process.stderr.write(d)); // upstream.sh searches it for secrets
  const client = new Client({ name: 'upstream-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}
/// The stored token record, decrypted as storage::encrypted_file wrote it.
function storedTokens(env, prefix, server = 'upstream-api', tenant = 'default', key = 'oauth/notes') {
  const file = path.join(env.XDG_CONFIG_HOME, server, tenant, 'oauth%2Fnotes');
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, 9).toString('latin1') !== 'WRDNAEAD\x01') throw new Error('not an encrypted record');
  const slot = [server, tenant, key].map((s) => `${Buffer.byteLength(s)}:${s}`).join('');
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(env[`${prefix}STORAGE_KEY`], 'base64'), bytes.subarray(17, 29));
  decipher.setAAD(Buffer.concat([bytes.subarray(0, 29), Buffer.from(slot)]));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const record = Buffer.concat([decipher.update(bytes.subarray(29, bytes.length - 16)), decipher.final()]).toString();
  const m = record.match(/^warden-record 1 \d+ (\d+)\n/);
  if (!m || record.length - m[0].length !== Number(m[1])) throw new Error('a torn record');
  return { json: JSON.parse(record.slice(m[0].length)), mode: fs.statSync(file).mode & 0o777 };
}

let session = null;
await check('login: PKCE S256, state, the loopback redirect; tokens stored encrypted (0600)', async () => {
  const r = await login(devEnv, 'development', process.env.DEV_REDIRECT);
  if (r.code !== 0 || !/Signed in/.test(r.page)) throw new Error(`login failed (${r.code}): ${r.err} ${r.page}`);
  const p = r.url.searchParams;
  if (p.get('code_challenge_method') !== 'S256' || p.get('code_challenge').length !== 43 || p.get('state').length !== 43)
    throw new Error(`authorization request: ${r.url}`);
  const s = storedTokens(devEnv, 'DEV_');
  if (s.mode !== 0o600 || !s.json.refresh_token || !s.json.access_token) throw new Error(`stored: mode ${s.mode.toString(8)}`);
});

await check('tools call both upstreams: OAuth token for notes, API key for the weather', async () => {
  session = await stdio(devEnv);
  const notes = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (notes.isError || !/buy milk/.test(text(notes)) || !/"owner":"ada"/.test(text(notes))) throw new Error(text(notes));
  const weather = await session.client.callTool({ name: 'forecast', arguments: { city: 'Oslo & Bergen' } });
  if (weather.isError || !/"city":"Oslo & Bergen"/.test(text(weather))) throw new Error(text(weather));
  const status = await session.client.callTool({ name: 'notes_status', arguments: {} });
  if (!/signed in/.test(text(status))) throw new Error(text(status));
});

let measured = null;
await check('8 concurrent callers with an expiring token: exactly one refresh reaches the authorization server', async () => {
  await sleep(8_500);
  const before = (await stats()).refreshes;
  const oldRefresh = storedTokens(devEnv, 'DEV_').json.refresh_token;
  const results = await Promise.all(Array.from({ length: 8 }, () => session.client.callTool({ name: 'list_notes', arguments: {} })));
  const after = (await stats()).refreshes;
  measured = after - before;
  if (results.some((r) => r.isError)) throw new Error(results.map(text).join(' | '));
  if (measured !== 1) throw new Error(`${measured} refreshes for 8 concurrent callers`);
  const now = storedTokens(devEnv, 'DEV_').json;
  if (now.refresh_token === oldRefresh) throw new Error('the rotated refresh token was not stored');
  console.log(`# 8 concurrent callers -> ${measured} refresh`);
});

await check('an upstream 401 triggers one refresh and one retry', async () => {
  const before = (await stats()).refreshes;
  const apiBefore = await apiStats();
  await fetch(`${api}/test/refuse-next`, { method: 'POST' });
  const r = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (r.isError) throw new Error(text(r));
  const apiAfter = await apiStats();
  if ((await stats()).refreshes - before !== 1) throw new Error('expected one refresh');
  if (apiAfter.notes - apiBefore.notes !== 2 || apiAfter.refused - apiBefore.refused !== 1) throw new Error(JSON.stringify(apiAfter));
});

await check('the authorization server stops during a refresh: the current token serves while valid, a rejected one is an error, nothing is lost; back, one refresh recovers', async () => {
  const before = storedTokens(devEnv, 'DEV_').json;
  const refreshesBefore = (await stats()).refreshes;
  await sleep(8_500); // the access token is due for a refresh, still valid for ~50 s
  asDown = 1;
  const served = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (served.isError) throw new Error(`with the token still valid: ${text(served)}`);
  // The upstream rejects that token: refreshing is the only way on, and it fails closed.
  await fetch(`${api}/test/refuse-next`, { method: 'POST' });
  const refused = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (!refused.isError || !/the token refresh failed .*try again later/.test(text(refused)))
    throw new Error(`a rejected token with the AS down: ${JSON.stringify(refused)}`);
  if (refused.content.map((c) => c.text).join('').includes(before.refresh_token)) throw new Error('the refresh token in an error');
  console.log(`# AS down: ${asDown - 1} refresh attempts dropped; the tool said: ${text(refused)}`);
  if (asDown < 3) throw new Error(`${asDown - 1} refresh attempts reached the stopped authorization server`);
  const kept = storedTokens(devEnv, 'DEV_').json;
  if (kept.refresh_token !== before.refresh_token || kept.needs_login) throw new Error('the stored tokens changed while the AS was down');
  asDown = 0;
  const back = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (back.isError) throw new Error(`after the AS came back: ${text(back)}`);
  if ((await stats()).refreshes - refreshesBefore !== 1) throw new Error('expected exactly one refresh once it was back');
  if (storedTokens(devEnv, 'DEV_').json.refresh_token === before.refresh_token) throw new Error('the rotated refresh token was not stored');
});

await check('killed between the token response and the store: the old refresh token stays, whole; once the dead refresher\'s lock lapses the AS refuses that token and the tool names the login command', async () => {
  const oldRefresh = storedTokens(devEnv, 'DEV_').json.refresh_token;
  await sleep(8_500);
  const killed = new Promise((resolve) => { armed = { victim: session.transport.pid, resolve }; });
  const call = session.client.callTool({ name: 'list_notes', arguments: {} }).then(() => 'answered', () => 'failed');
  const seen = armed;
  await killed;
  if ((await Promise.race([call, sleep(5_000).then(() => 'pending')])) === 'answered') throw new Error('the call was answered');
  await session.client.close().catch(() => {});
  if (seen.seen !== oldRefresh) throw new Error('the refresh used another token than the stored one');
  const after = storedTokens(devEnv, 'DEV_').json; // decrypts and parses: not torn
  if (after.refresh_token !== oldRefresh) throw new Error('the stored refresh token changed');
  session = await stdio(devEnv);
  const r = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (!r.isError || !/needs a new login/.test(text(r)) || !/run: upstream_api login --env development --tenant default/.test(text(r)))
    throw new Error(text(r));
  const status = await session.client.callTool({ name: 'notes_status', arguments: {} });
  if (!/not signed in; run: upstream_api login/.test(text(status))) throw new Error(text(status));
  if (storedTokens(devEnv, 'DEV_').json.refresh_token !== '') throw new Error('a refused refresh token was kept');
});

await check('a new login recovers', async () => {
  const r = await login(devEnv, 'development', process.env.DEV_REDIRECT);
  if (r.code !== 0) throw new Error(r.err);
  const notes = await session.client.callTool({ name: 'list_notes', arguments: {} });
  if (notes.isError) throw new Error(text(notes));
  await session.client.close();
});

await check('two production instances sharing Redis refresh once (4 concurrent callers each)', async () => {
  const r = await login(prodEnv, 'production', process.env.PROD_REDIRECT);
  if (r.code !== 0) throw new Error(r.err);
  // What Redis holds is sealed: no token, no JSON member name, readable by whoever reads Redis.
  const cli = (...args) => execFileSync('redis-cli', ['-u', redisUrl, '--no-auth-warning', ...args], { encoding: 'latin1' });
  const keys = cli('--scan', '--pattern', '*oauth/notes*').split('\n').filter((k) => k && !k.includes('lock'));
  if (keys.length === 0) throw new Error('no stored tokens in Redis');
  for (const k of keys) {
    const v = cli('GET', k);
    if (/refresh_token|access_token|"scope"/.test(v) || !v.startsWith('WRDNAEAD')) throw new Error(`tokens in the clear in Redis: ${k}`);
  }
  const instances = [];
  for (let i = 0; i < 2; i++) {
    const child = spawn(bin, ['--env', 'production', '--listen', '127.0.0.1:0', '--tls-cert', path.join(dir, 'server.pem'),
      '--tls-key', path.join(dir, 'server.key')], { env: prodEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const url = await new Promise((resolve, reject) => {
      child.stderr.on('data', (d) => {
        process.stderr.write(d);
        log += d;
        const m = log.match(/listening on (\S+)/);
        if (m) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`instance exited ${c}: ${log}`)));
    });
    const client = new Client({ name: `prod-${i}`, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url),
      { requestInit: { headers: { authorization: `Bearer ${prod.PROD_MCP_TOKEN}` } } }));
    instances.push({ child, client });
  }
  await sleep(8_500);
  const before = (await stats()).refreshes;
  const calls = instances.flatMap(({ client }) => Array.from({ length: 4 }, () => client.callTool({ name: 'list_notes', arguments: {} })));
  const results = await Promise.all(calls);
  const delta = (await stats()).refreshes - before;
  for (const { child, client } of instances) { await client.close(); child.kill('SIGTERM'); }
  if (results.some((x) => x.isError)) throw new Error(results.map(text).join(' | '));
  if (delta !== 1) throw new Error(`${delta} refreshes from two instances`);
  console.log(`# 2 instances x 4 concurrent callers -> ${delta} refresh`);
});

await check('DPoP: a login binds the tokens to a new key, kept sealed with them; API calls carry proofs and answer a nonce challenge', async () => {
  // Straight to the authorization server: a DPoP proof names the token endpoint's own URL.
  const env = { ...devEnv, DEV_NOTES_DPOP: '1', DEV_NOTES_TOKEN_URL: `${as}/token`, XDG_CONFIG_HOME: path.join(dir, 'config-dpop') };
  const r = await login(env, 'development', process.env.DEV_REDIRECT);
  if (r.code !== 0 || !/Signed in/.test(r.page)) throw new Error(`login failed (${r.code}): ${r.err} ${r.page}`);
  const stored = storedTokens(env, 'DEV_').json;
  const key = JSON.parse(stored.dpop_key ?? '{}');
  if (key.kty !== 'EC' || key.crv !== 'P-256' || !key.d) throw new Error('no DPoP key stored with the tokens');
  const before = await apiStats();
  const s = await stdio(env);
  const notes = await s.client.callTool({ name: 'list_notes', arguments: {} });
  const again = await s.client.callTool({ name: 'list_notes', arguments: {} });
  await s.client.close();
  if (notes.isError || again.isError || !/buy milk/.test(text(notes))) throw new Error(text(notes) + text(again));
  const after = await apiStats();
  if (after.dpop - before.dpop !== 2) throw new Error(`${after.dpop - before.dpop} DPoP-verified calls`);
  if (after.nonceChallenges - before.nonceChallenges !== 1) throw new Error(`${after.nonceChallenges - before.nonceChallenges} nonce challenges`);
  // The tokens are DPoP-bound at the authorization server: a bearer presentation is refused.
  const plain = await fetch(`${api}/notes`, { headers: { authorization: `Bearer ${stored.access_token}` } });
  if (plain.status !== 401) throw new Error(`bearer presentation of a DPoP-bound token: ${plain.status}`);
});

proxy.close();
finish();
