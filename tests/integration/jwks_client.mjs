// Keys fetched from the issuer: rotation, an outage and the recovery, against the
// oauth_resource_server example whose OAUTH_JWKS_URI points at jwks_server.mjs.
//   node jwks_client.mjs URL DIR JWKS_PORT ISSUER
// DIR holds keys k1, k2, k3 (mint.mjs), the TLS files, and jwks.json (what is served).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runner } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { accessToken } = await import(pathToFileURL(path.join(here, '../../examples/oauth_resource_server/mint.mjs')).href);
const [url, dir, jwksPort, iss, mode] = process.argv.slice(2);
// 'rotation-only': the server keeps its keys for an hour (OAUTH_JWKS_MIN_TTL_SECONDS), so a
// rotated key can only arrive through the unknown-kid refetch, never through expiry.
const { check, finish } = runner(120_000);
const publish = (...kids) => fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({
  keys: kids.flatMap((k) => JSON.parse(fs.readFileSync(path.join(dir, k, 'jwks.json'), 'utf8')).keys) }));
const token = (k) => accessToken(path.join(dir, k), { iss, aud: url, scope: 'notes:read' });
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const status = async (t) => (await fetch(url, { method: 'POST', body: initialize, headers: {
  'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${t}` } })).status;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 20_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await fn()) return;
  throw new Error(`never: ${what}`);
}
let jwks = null;
async function startJwks() {
  jwks = spawn(process.execPath, [path.join(here, 'jwks_server.mjs'), jwksPort, path.join(dir, 'server.pem'),
    path.join(dir, 'server.key'), path.join(dir, 'jwks.json'), iss], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => jwks.stdout.once('data', resolve));
}
async function stopJwks() {
  const exited = new Promise((r) => jwks.once('exit', r));
  jwks.kill('SIGKILL');
  await exited;
}

publish('k1');
await startJwks();
await check('a token signed with the published key is accepted', async () => {
  await until('the first key set', async () => (await status(token('k1'))) === 200);
});
await check('a rotated key (unknown kid) is fetched at once', async () => {
  publish('k1', 'k2');
  await sleep(1100); // past the refetch interval of 1 s
  assert.equal(await status(token('k2')), 200);
});
if (mode === 'rotation-only') {
  await check('a second rotation, again through the unknown kid alone', async () => {
    publish('k1', 'k2', 'k3');
    await sleep(1100);
    assert.equal(await status(token('k3')), 200);
    assert.equal(await status(token('k1')), 200);
  });
  await stopJwks();
  finish();
} else {
await check('the issuer is down: known keys keep working, an unknown kid is refused', async () => {
  await stopJwks();
  assert.equal(await status(token('k1')), 200);
  await sleep(1100);
  assert.equal(await status(token('k3')), 401);
});
await check('past the stale limit the server fails closed (503)', async () => {
  await until('503', async () => (await status(token('k1'))) === 503, 15_000);
});
await check('the issuer is back: keys are fetched again, new ones too', async () => {
  publish('k1', 'k2', 'k3');
  await startJwks();
  await until('recovery', async () => (await status(token('k1'))) === 200, 30_000);
  await sleep(1100);
  assert.equal(await status(token('k3')), 200);
});
await stopJwks();
finish();
}
