// DPoP against two instances sharing Redis: tokens from oidc-provider bound to a key this
// client holds, proofs signed with Node's crypto (RFC 9449), the server's nonces, replays
// across instances, and the refusals. Writes every token and proof it used to TOKENS_FILE
// (the caller searches the logs for them).
//   node dpop_client.mjs AS_ORIGIN AS_SECRET URL_A URL_B RESOURCE TOKENS_FILE
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { runner } from './harness.mjs';

const [as, secret, urlA, urlB, resource, tokensFile] = process.argv.slice(2);
const { check, finish } = runner(90_000);
const b64 = (x) => Buffer.from(x).toString('base64url');
const used = [];

function dpopKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kty, crv, x, y } };
}
/// A proof for `htm` `htu`, bound to `token` (ath) when given; `more` adds or changes claims.
function proof(key, htm, htu, { token, nonce, ...more } = {}) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk };
  const claims = { jti: crypto.randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000),
                   ...(token ? { ath: b64(crypto.createHash('sha256').update(token).digest()) } : {}),
                   ...(nonce ? { nonce } : {}), ...more };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const p = `${input}.${b64(crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }))}`;
  used.push(p);
  return p;
}
async function tokenFor(key, scope = 'notes:read notes:write') {
  const r = await fetch(`${as}/token`, { method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`machine:${secret}`).toString('base64')}`,
               'content-type': 'application/x-www-form-urlencoded',
               ...(key ? { dpop: proof(key, 'POST', `${as}/token`) } : {}) },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }) });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  used.push(body.access_token);
  return body;
}
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (id, method, params) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'dpop', version: '1' } });
/// One POST with `Authorization: DPoP <token>` and `dpopProof` (if any).
const post = (url, body, token, dpopProof, more = {}, scheme = 'DPoP') => fetch(url, { method: 'POST', body,
  headers: { ...json, ...more, authorization: `${scheme} ${token}`, ...(dpopProof ? { dpop: dpopProof } : {}) } });

const key = dpopKey();
let bound, nonce;
await check('the protected resource metadata says DPoP is required, and with which algorithms', async () => {
  const m = await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', urlA))).json();
  assert.equal(m.dpop_bound_access_tokens_required, true);
  assert.ok(m.dpop_signing_alg_values_supported.includes('ES256'));
});
await check('oidc-provider binds the token to the client\'s key (token_type DPoP, cnf.jkt)', async () => {
  const t = await tokenFor(key);
  assert.equal(t.token_type, 'DPoP');
  bound = t.access_token;
  const claims = JSON.parse(Buffer.from(bound.split('.')[1], 'base64url').toString());
  assert.ok(claims.cnf?.jkt);
});
await check('the first request is asked for a nonce (401 use_dpop_nonce, DPoP-Nonce)', async () => {
  const r = await post(urlA, initialize, bound, proof(key, 'POST', resource, { token: bound }));
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /^DPoP realm="mcp", resource_metadata="[^"]+", algs="[^"]*ES256[^"]*", error="use_dpop_nonce"/);
  nonce = r.headers.get('dpop-nonce');
  assert.ok(nonce && nonce.length >= 16);
  await r.text();
});
let replayable;
await check('with the nonce: initialize, then a tool call, each with a fresh proof', async () => {
  const init = await post(urlA, initialize, bound, proof(key, 'POST', resource, { token: bound, nonce }));
  assert.equal(init.status, 200, await init.clone().text());
  const h = { 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-11-25' };
  await init.text();
  const note = await post(urlA, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), bound,
                          proof(key, 'POST', resource, { token: bound, nonce }), h);
  assert.equal(note.status, 202);
  replayable = proof(key, 'POST', resource, { token: bound, nonce });
  const call = await post(urlA, rpc(2, 'tools/call', { name: 'whoami', arguments: {} }), bound, replayable, h);
  assert.equal(call.status, 200);
  assert.match(await call.text(), /machine via machine from https:\/\/127\.0\.0\.1:\d+ \[notes:read notes:write\]/);
});
await check('a proof used once is refused again, by the same instance and by the other one (Redis)', async () => {
  for (const url of [urlA, urlB]) {
    const r = await post(url, initialize, bound, replayable);
    assert.equal(r.status, 401, url);
    assert.match(r.headers.get('www-authenticate'), /error="invalid_dpop_proof"/);
    await r.text();
  }
});
await check('the other instance takes the nonce the first handed out (one nonce key)', async () => {
  const r = await post(urlB, initialize, bound, proof(key, 'POST', resource, { token: bound, nonce }));
  assert.equal(r.status, 200);
  await r.text();
});
await check('refused: the bound token as a bearer token, a bearer token, another key, wrong htm/htu, stale iat, ath of another token', async () => {
  const plain = (await tokenFor(null, 'notes:read')).access_token; // no proof at the token endpoint: not bound
  const other = dpopKey();
  const cases = {
    'bound token as Bearer': [bound, undefined, 'Bearer', /invalid_token/],
    'unbound token as Bearer (DPoP required)': [plain, undefined, 'Bearer', /^DPoP /],
    'unbound token with a proof': [plain, proof(key, 'POST', resource, { token: plain, nonce }), 'DPoP', /invalid_token/],
    'another key': [bound, proof(other, 'POST', resource, { token: bound, nonce }), 'DPoP', /invalid_dpop_proof/],
    'wrong htm': [bound, proof(key, 'GET', resource, { token: bound, nonce }), 'DPoP', /invalid_dpop_proof/],
    'wrong htu': [bound, proof(key, 'POST', `${resource}/other`, { token: bound, nonce }), 'DPoP', /invalid_dpop_proof/],
    'stale iat': [bound, proof(key, 'POST', resource, { token: bound, nonce, iat: Math.floor(Date.now() / 1000) - 600 }), 'DPoP', /invalid_dpop_proof/],
    'ath of another token': [bound, proof(key, 'POST', resource, { token: plain, nonce }), 'DPoP', /invalid_dpop_proof/],
    'no proof': [bound, undefined, 'DPoP', /invalid_dpop_proof/],
  };
  for (const [what, [token, p, scheme, want]] of Object.entries(cases)) {
    const r = await post(urlA, initialize, token, p, {}, scheme);
    assert.equal(r.status, 401, what);
    assert.match(r.headers.get('www-authenticate'), want, what);
    await r.text();
  }
});
fs.writeFileSync(tokensFile, used.join('\n') + '\n');
finish();
