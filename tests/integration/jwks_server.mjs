// A stand-in for an authorization server's key and introspection endpoints, over HTTPS:
//   node jwks_server.mjs PORT CERT KEY JWKS_FILE ISSUER [CLIENT_ID SECRET]
// GET /jwks.json serves JWKS_FILE as it is at that moment (Cache-Control: max-age=1);
// GET /.well-known/oauth-authorization-server serves {issuer, jwks_uri};
// POST /introspect (RFC 7662, client_secret_basic) answers for opaque test tokens of the
// form "opq_" + base64url(JSON claims): active with those claims unless they say
// "revoked": true. Prints "listening".
import fs from 'node:fs';
import https from 'node:https';

const [port, cert, key, jwksFile, issuer, clientId, secret] = process.argv.slice(2);
const basic = clientId ? `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` : null;
function introspect(req, res) {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    if (!basic || req.headers.authorization !== basic) return res.writeHead(401).end();
    const token = new URLSearchParams(body).get('token') ?? '';
    let answer = { active: false };
    if (token.startsWith('opq_')) {
      try {
        const claims = JSON.parse(Buffer.from(token.slice(4), 'base64url').toString());
        if (!claims.revoked) answer = { active: true, iss: issuer, token_type: 'Bearer', ...claims };
      } catch { /* not ours: inactive */ }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
}
const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  if (req.url === '/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=1' });
    res.end(fs.readFileSync(jwksFile));
  } else if (req.url === '/introspect' && req.method === 'POST') {
    introspect(req, res);
  } else if (req.url === '/.well-known/oauth-authorization-server') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ issuer, jwks_uri: `https://127.0.0.1:${port}/jwks.json` }));
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });
