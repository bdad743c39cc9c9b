// The upstream APIs of upstream_api's test, over HTTPS: /notes accepts an access token that
// the authorization server (oidc-provider) says is active for this API (introspection);
// /forecast accepts one API key in X-API-Key. POST /test/refuse-next makes the next /notes
// call fail with 401 whatever the token; GET /test/stats counts calls. A token the
// introspection says is DPoP-bound (cnf.jkt) is accepted only as `Authorization: DPoP` with a
// proof (RFC 9449) signed by that key, for this method and URL, carrying this server's
// current nonce (the first proof without it gets 401 use_dpop_nonce and the nonce).
//   node upstream_fake_api.mjs PORT CERT KEY INTROSPECTION_URL INTROSPECTION_SECRET WEATHER_KEY
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';

const [port, cert, key, introspection, secret, weatherKey] = process.argv.slice(2);
const stats = { notes: 0, refused: 0, forecast: 0, dpop: 0, nonceChallenges: 0 };
const nonce = crypto.randomBytes(16).toString('base64url');
const seenJti = new Set();
const b64 = (b) => Buffer.from(b).toString('base64url');

/// Why `proof` does not prove possession of `jkt`'s key for this request, or null.
function dpopProblem(proof, jkt, method, url, token) {
  if (typeof proof !== 'string' || proof.split('.').length !== 3) return 'no proof';
  const [h, p, s] = proof.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || !header.jwk || header.jwk.d) return 'bad header';
  const { crv, kty, x, y } = header.jwk;
  if (b64(crypto.createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest()) !== jkt) return 'another key';
  const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
  if (!crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')))
    return 'bad signature';
  if (claims.htm !== method || claims.htu !== url) return 'htm/htu';
  if (Math.abs(Date.now() / 1000 - claims.iat) > 60) return 'iat';
  if (claims.ath !== b64(crypto.createHash('sha256').update(token).digest())) return 'ath';
  if (seenJti.has(claims.jti)) return 'replayed';
  if (claims.nonce !== nonce) return 'nonce';
  seenJti.add(claims.jti);
  return null;
}
let refuseNext = false;

async function active(token) {
  const res = await fetch(introspection, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`warden-rs:${secret}`).toString('base64'),
               'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  const body = await res.json();
  return body.active === true ? body : null;
}

const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, async (req, res) => {
  const url = new URL(req.url, 'https://x');
  const json = (status, body, headers = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  try {
    if (url.pathname === '/notes') {
      stats.notes++;
      const auth = req.headers.authorization ?? '';
      const scheme = auth.startsWith('DPoP ') ? 'DPoP' : auth.startsWith('Bearer ') ? 'Bearer' : '';
      const token = auth.slice(scheme.length + 1);
      let who = scheme && !refuseNext ? await active(token) : null;
      if (who?.cnf?.jkt) {
        const problem = scheme === 'DPoP' ? dpopProblem(req.headers.dpop, who.cnf.jkt, req.method, `https://127.0.0.1:${port}/notes`, token)
                                          : 'a DPoP-bound token as a bearer token';
        if (problem === 'nonce') {
          stats.nonceChallenges++;
          return json(401, { error: 'use_dpop_nonce' },
                      { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce });
        }
        if (problem) who = null;
        else stats.dpop++;
      } else if (scheme === 'DPoP') {
        who = null; // a proof with an unbound token
      }
      if (!who) {
        refuseNext = false;
        stats.refused++;
        return json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      return json(200, { owner: who.sub, notes: ['buy milk', 'call ada'] });
    }
    if (url.pathname === '/forecast') {
      stats.forecast++;
      if (req.headers['x-api-key'] !== weatherKey) return json(401, { error: 'bad key' });
      return json(200, { city: url.searchParams.get('city'), tomorrow: 'sunny' });
    }
    if (url.pathname === '/test/refuse-next' && req.method === 'POST') {
      refuseNext = true;
      return json(200, {});
    }
    if (url.pathname === '/test/stats') return json(200, stats);
    json(404, { error: 'not found' });
  } catch (e) {
    json(500, { error: String(e) });
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });
