// For the DPoP row of benchmarks/run.sh: a DPoP-bound access token (cnf.jkt of a new P-256
// key) signed with the issuer key in KEYS_DIR (examples/oauth_resource_server/mint.mjs),
// and COUNT proofs for POST RESOURCE, one per line, each with its own jti (a proof is
// good for one request).
//   node dpop_proofs.mjs KEYS_DIR ISSUER RESOURCE COUNT TOKEN_FILE PROOFS_FILE
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { accessToken } = await import(pathToFileURL(path.join(here, '../examples/oauth_resource_server/mint.mjs')).href);
const [keys, iss, resource, count, tokenFile, proofsFile] = process.argv.slice(2);
const b64 = (x) => Buffer.from(x).toString('base64url');
const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
const jkt = b64(crypto.createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
const token = accessToken(keys, { iss, aud: resource, scope: '', seconds: 3600, extra: { cnf: { jkt } } });
fs.writeFileSync(tokenFile, token);
const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
const ath = b64(crypto.createHash('sha256').update(token).digest());
const iat = Math.floor(Date.now() / 1000);
const out = fs.openSync(proofsFile, 'w');
let batch = [];
for (let i = 0; i < Number(count); i++) {
  const input = `${header}.${b64(JSON.stringify({ jti: `${i}-${crypto.randomBytes(6).toString('hex')}`, htm: 'POST', htu: resource, iat, ath }))}`;
  batch.push(`${input}.${b64(crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`);
  if (batch.length === 4096) { fs.writeSync(out, batch.join('\n') + '\n'); batch = []; }
}
if (batch.length) fs.writeSync(out, batch.join('\n') + '\n');
fs.closeSync(out);
