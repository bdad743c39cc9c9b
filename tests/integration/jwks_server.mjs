// A stand-in for an authorization server's key endpoint, over HTTPS:
//   node jwks_server.mjs PORT CERT KEY JWKS_FILE ISSUER
// GET /jwks.json serves JWKS_FILE as it is at that moment (Cache-Control: max-age=1);
// GET /.well-known/oauth-authorization-server serves {issuer, jwks_uri}. Prints "listening".
import fs from 'node:fs';
import https from 'node:https';

const [port, cert, key, jwksFile, issuer] = process.argv.slice(2);
const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  if (req.url === '/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=1' });
    res.end(fs.readFileSync(jwksFile));
  } else if (req.url === '/.well-known/oauth-authorization-server') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ issuer, jwks_uri: `https://127.0.0.1:${port}/jwks.json` }));
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });
