// What the Node test clients share: the pinned SDK from WARDEN_NPM_DIR, and a TAP-like
// runner (`ok - name` / `not ok - name`) with an overall deadline.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/// A module of the official TypeScript SDK, e.g. sdk('client/index.js').
export const sdk = (p) =>
  import(pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);

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
