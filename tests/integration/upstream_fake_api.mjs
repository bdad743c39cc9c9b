// The upstream APIs of upstream_api's test, over HTTPS: /notes accepts an access token that
// the authorization server (oidc-provider) says is active for this API (introspection);
// /forecast accepts one API key in X-API-Key. POST /test/refuse-next makes the next /notes
// call fail with 401 whatever the token; GET /test/stats counts calls.
//   node upstream_fake_api.mjs PORT CERT KEY INTROSPECTION_URL INTROSPECTION_SECRET WEATHER_KEY
import fs from 'node:fs';
import https from 'node:https';

const [port, cert, key, introspection, secret, weatherKey] = process.argv.slice(2);
const stats = { notes: 0, refused: 0, forecast: 0 };
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
      const who = auth.startsWith('Bearer ') && !refuseNext ? await active(auth.slice(7)) : null;
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
