// The official TypeScript SDK client against the mtls example, presenting client
// certificates (examples/mtls/client_cert_fetch.mjs), plus raw requests for the refusals.
//   node mtls_client.mjs direct|proxy|untrusted-proxy URL CERT_DIR [crl]
// direct: the server terminates TLS itself (mutual_tls); proxy: it sits behind a trusted
// TLS terminator and reads X-SSL-Client-Cert (behind_mtls_terminator); untrusted-proxy:
// the same server, but this client is not the trusted proxy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runner, sdk } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { clientCertFetch } = await import(pathToFileURL(path.join(here, '../../examples/mtls/client_cert_fetch.mjs')).href);
const [mode, url, dir, crl] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const { check, finish } = runner(90_000);
const read = (name) => fs.readFileSync(path.join(dir, name));
const serverCa = read('server-ca.pem');
// How a client presents `who`: its own TLS certificate, or the header a proxy would add.
function fetchAs(who) {
  if (mode === 'direct') {
    return who ? clientCertFetch({ ca: serverCa, cert: read(`${who}.pem`), key: read(`${who}.key`) })
               : clientCertFetch({ ca: serverCa });
  }
  const header = who ? { 'x-ssl-client-cert': encodeURIComponent(read(`${who}.pem`).toString()) } : {};
  return (u, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(header)) headers.set(k, v);
    return fetch(u, { ...init, headers });
  };
}
async function connect(who) {
  const client = new Client({ name: 'warden-mtls-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchAs(who) }));
  return client;
}
const text = (r) => r.content[0].text;
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
async function raw(who, extra = {}) {
  const r = await fetchAs(who)(url, { method: 'POST', body: initialize, headers: { ...json, ...extra } });
  return { status: r.status, challenge: r.headers.get('www-authenticate'), body: await r.text() };
}
const refusedHandshake = async (who) => {
  await assert.rejects(raw(who), (e) => { assert.match(String(e.code ?? e.message), /ECONNRESET|EPROTO|ERR_SSL|socket hang up|alert/i); return true; });
};

if (mode === 'direct' || mode === 'proxy') {
  await check('a URI SAN on the operators list lists and restarts services', async () => {
    const c = await connect('deployer');
    assert.deepEqual((await c.listTools()).tools.map((t) => t.name).sort(), ['list_services', 'restart_service']);
    assert.match(text(await c.callTool({ name: 'list_services', arguments: {} })),
                 /asked by deployer as spiffe:\/\/example\.org\/ns\/ci\/sa\/deployer/);
    assert.equal(text(await c.callTool({ name: 'restart_service', arguments: { service: 'search' } })),
                 'restarted search (for deployer)');
    await c.close();
  });
  await check('a DNS SAN on the readers list reads; restarting is 403 without a Bearer challenge', async () => {
    const c = await connect('reporter');
    assert.match(text(await c.callTool({ name: 'list_services', arguments: {} })), /asked by reporter/);
    await assert.rejects(c.callTool({ name: 'restart_service', arguments: { service: 'search' } }), /insufficient_scope|403/);
    await c.close();
    // The same refusal, raw: the status and no WWW-Authenticate (the caller has no Bearer token).
    const f = fetchAs('reporter');
    const init = await f(url, { method: 'POST', body: initialize, headers: json });
    const session = init.headers.get('mcp-session-id');
    await init.text();
    const h = { ...json, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    await (await f(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const r = await f(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call',
      params: { name: 'restart_service', arguments: { service: 'search' } } }) });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('www-authenticate'), null);
    assert.match(await r.text(), /insufficient_scope/);
  });
  await check('a certificate whose CN names an allowed identity, without a SAN, is 403', async () => {
    const r = await raw('cn_only');
    assert.equal(r.status, 403);
    assert.match(r.body, /access_denied/);
  });
  await check('a valid certificate whose SAN is on no list is 403', async () => {
    const r = await raw('stranger');
    assert.equal(r.status, 403);
    assert.match(r.body, /access_denied/);
    assert.doesNotMatch(r.body, /stranger|spiffe/);
  });
}

if (mode === 'direct') {
  await check('no client certificate: the handshake fails', () => refusedHandshake(null));
  await check('a certificate from another CA: the handshake fails', () => refusedHandshake('foreign'));
  await check('a leaf with CA:TRUE: the handshake fails', () => refusedHandshake('ca_leaf'));
  await check('a certificate for servers only (extendedKeyUsage serverAuth): the handshake fails',
              () => refusedHandshake('server_purpose'));
  if (crl) await check('a revoked certificate: the handshake fails', () => refusedHandshake('revoked'));
  else await check('without a CRL, the same certificate is accepted', async () => assert.equal((await raw('revoked')).status, 200));
}

if (mode === 'proxy') {
  for (const [who, what] of [['foreign', 'from another CA'], ['ca_leaf', 'with CA:TRUE'],
                             ['server_purpose', 'for servers only'], ...(crl ? [['revoked', 'revoked']] : [])]) {
    await check(`a forwarded certificate ${what} is verified again and refused (403)`, async () => {
      const r = await raw(who);
      assert.equal(r.status, 403);
      assert.match(r.body, /access_denied/);
    });
  }
  await check('no forwarded certificate, garbage, bad %-encoding or an oversized header: 403 or 431', async () => {
    assert.equal((await raw(null)).status, 403);
    for (const v of ['hello', '%zz', '-----BEGIN CERTIFICATE-----%0Aabc%0A-----END CERTIFICATE-----%0A',
                     encodeURIComponent(read('deployer.key').toString())])
      assert.equal((await raw(null, { 'x-ssl-client-cert': v })).status, 403, v.slice(0, 20));
    assert.equal((await raw(null, { 'x-ssl-client-cert': 'A'.repeat(20000) })).status, 431);
  });
  await check('two client-certificate headers are refused (403), even if both are good', async () => {
    const v = encodeURIComponent(read('deployer.pem').toString());
    const status = await new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: ['host', new URL(url).host, 'content-type', 'application/json',
        'accept', 'application/json, text/event-stream', 'x-ssl-client-cert', v, 'x-ssl-client-cert', v] },
      (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end(initialize);
    });
    assert.equal(status, 403);
  });
}

if (mode === 'untrusted-proxy') {
  await check('the client-certificate header from a peer that is not the trusted proxy is ignored', async () => {
    const r = await raw('deployer');
    assert.equal(r.status, 403);
    assert.match(r.body, /access_denied/);
  });
}

finish();
