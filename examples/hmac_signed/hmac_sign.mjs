// The Node side of auth::hmac: signs a request as the server expects (see
// include/warden/auth/hmac.hpp for the format). `signedFetch(keyId, key)` returns a fetch
// that signs every request it sends; the TypeScript SDK transport takes it as `fetch`.
import crypto from 'node:crypto';

export function stringToSign(method, target, host, ts, nonce, body) {
  const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
  return ['HMAC-SHA256', method.toUpperCase(), target, host.toLowerCase(), String(ts), nonce, bodyHash].join('\n');
}

export function authorization(keyId, key, method, target, host, body, ts = Math.floor(Date.now() / 1000),
                              nonce = crypto.randomBytes(16).toString('hex')) {
  const signature = crypto.createHmac('sha256', key).update(stringToSign(method, target, host, ts, nonce, body)).digest('hex');
  return `HMAC-SHA256 keyId="${keyId}", ts="${ts}", nonce="${nonce}", signature="${signature}"`;
}

export function signedFetch(keyId, key) {
  return async (url, init = {}) => {
    const u = new URL(url);
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? init.body : init.body ? Buffer.from(init.body) : '';
    const headers = new Headers(init.headers);
    headers.set('authorization', authorization(keyId, key, method, u.pathname + u.search, u.host, body));
    return fetch(url, { ...init, headers });
  };
}
