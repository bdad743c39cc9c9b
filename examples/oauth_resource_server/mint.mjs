// A stand-in authorization server for trying the example without one: it makes an ES256
// key pair, publishes its public half as a JWK set, and mints RFC 9068 access tokens.
//   node mint.mjs keys DIR [KID]                 DIR/jwks.json (public) and DIR/signing.jwk (private, 0600)
//   node mint.mjs token DIR ISSUER AUDIENCE SCOPE [SECONDS] [SUBJECT]
// Use a real authorization server for anything else (README.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const b64 = (x) => Buffer.from(x).toString('base64url');

export function makeKeys(dir, kid = 'mint-1') {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [pub] }));
  fs.writeFileSync(path.join(dir, 'signing.jwk'), JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid }),
                   { mode: 0o600 });
}

export function mint(dir, claims, header = {}) {
  const jwk = JSON.parse(fs.readFileSync(path.join(dir, 'signing.jwk'), 'utf8'));
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const h = { alg: 'ES256', typ: 'at+jwt', kid: jwk.kid, ...header };
  const input = `${b64(JSON.stringify(h))}.${b64(JSON.stringify(claims))}`;
  const sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64(sig)}`;
}

export function accessToken(dir, { iss, aud, scope, seconds = 300, sub = 'ada', clientId = 'notes-cli', extra = {} }) {
  const now = Math.floor(Date.now() / 1000);
  return mint(dir, { iss, aud, sub, client_id: clientId, scope, iat: now, exp: now + seconds,
                     jti: crypto.randomUUID(), ...extra });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, dir, iss, aud, scope, seconds, sub] = process.argv.slice(2);
  if (cmd === 'keys' && dir) makeKeys(dir, iss ?? 'mint-1');
  else if (cmd === 'token' && dir && iss && aud) {
    console.log(accessToken(dir, { iss, aud, scope: scope ?? '', seconds: Number(seconds ?? 300), sub: sub ?? 'ada' }));
  } else {
    console.error('usage: node mint.mjs keys DIR | token DIR ISSUER AUDIENCE SCOPE [SECONDS] [SUBJECT]');
    process.exit(2);
  }
}
