// What the Node test clients share: the pinned SDK from WARDEN_NPM_DIR, and a TAP-like
// runner (`ok - name` / `not ok - name`) with an overall deadline.
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/// A module of the official TypeScript SDK, e.g. sdk('client/index.js').
export const sdk = (p) =>
  import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);

/// Any installed npm module by its path under node_modules, e.g.
/// npm('@modelcontextprotocol/client/dist/index.mjs').
export const npm = (p) => import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules', p)).href);

/// One request with exactly these headers (fetch would choose Host and others itself), on a
/// fresh connection, optionally from a chosen local address (`from`, e.g. '127.0.0.2').
/// Resolves to { status, headers, body }.
export function rawRequest(url, { method = 'POST', headers = {}, body = '', from } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers,
                              localAddress: from, agent: false }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/// `check(name, fn)` runs one case; `finish()` prints the totals and exits (1 when a case
/// failed or none ran). The process exits 1 if `ms` pass first.
export function runner(ms) {
  const deadline = setTimeout(() => { console.error('timed out'); process.exit(1); }, ms);
  let passed = 0, failed = 0;
  return {
    async check(name, fn) {
      try { await fn(); passed++; console.log(`ok - ${name}`); }
      catch (e) { failed++; console.log(`not ok - ${name}\n  ${e.stack || e}`); }
    },
    finish() {
      clearTimeout(deadline);
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed || !passed ? 1 : 0);
    },
  };
}

/// A browser stand-in: follows an authorization request's redirects, keeping cookies, until
/// one leads to `redirectUrl`; returns that URL (with its code and state). An error
/// redirect throws.
export async function followToRedirect(start, redirectUrl) {
  const jar = new Map();
  let current = new URL(start);
  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(current, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`authorization stopped at ${current.pathname}: HTTP ${res.status}`);
    const next = new URL(location, current);
    if (next.href.startsWith(redirectUrl)) {
      if (next.searchParams.get('error')) throw new Error(`authorization refused: ${next.searchParams.get('error_description')}`);
      return next;
    }
    current = next;
  }
  throw new Error('too many redirects');
}
