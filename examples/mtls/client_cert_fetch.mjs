// A fetch that presents a client certificate, for MCP clients written with the TypeScript
// SDK: `new StreamableHTTPClientTransport(url, { fetch: clientCertFetch({ ca, cert, key }) })`.
// `ca` is the PEM of the CA that signed the *server's* certificate (omit it for a public
// one); `cert` and `key` are the client's own PEM certificate and key. Node's global fetch
// has no option for client certificates, so this one goes through node:https.
import https from 'node:https';
import { Readable } from 'node:stream';

export function clientCertFetch({ ca, cert, key }) {
  const agent = new https.Agent({ ca, cert, key, keepAlive: true });
  return (url, init = {}) => new Promise((resolve, reject) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = https.request(new URL(url), { method, headers, agent, signal: init.signal }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      const empty = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      if (empty) res.resume();
      resolve(new Response(empty ? null : Readable.toWeb(res), {
        status: res.statusCode, statusText: res.statusMessage, headers: h,
      }));
    });
    req.on('error', reject);
    if (init.body) req.end(typeof init.body === 'string' ? init.body : Buffer.from(init.body));
    else req.end();
  });
}
