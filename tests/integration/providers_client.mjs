// Each provider's profile end to end: a fake of that provider's issuer over HTTPS (its
// metadata at the provider's own paths, a JWK set with the extra members and keys the
// provider publishes, tokens of its documented shape signed RS256), and the
// oauth_resource_server example started with OAUTH_PROFILE and the variables its recipe in
// docs/providers.md names. Per provider: the TypeScript SDK client with an access token;
// 401 for another audience, another tenant, an expired token and the provider's ID token;
// 403 step-up for a missing scope; RFC 9728 metadata naming the issuer. Then GitHub's and
// Google's token checks against fakes of their endpoints, and each JWT profile against
// oidc-provider reshaping the tokens it signs as that provider does (token_shapes.mjs).
//   node providers_client.mjs SERVER CA_PEM SERVER_PEM SERVER_KEY AS_PORT
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner, sdk } from './harness.mjs';
import { profiles as shapedProfiles, settings as shapedSettings } from './token_shapes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [server, caFile, certFile, keyFile, asPort] = process.argv.slice(2);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { check, finish } = runner(240_000);

const b64 = (x) => Buffer.from(x).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const resource = 'https://mcp.example.test/mcp';

/// An RSA signing key as a provider publishes it, with the members it adds.
function rsaKey(kid, extra = {}) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, jwk: { kty: 'RSA', kid, n, e, ...extra } };
}
// Certificates in x5c are ignored by warden (keys come from the set); these are bytes of
// the right shape.
const x5c = () => [crypto.randomBytes(700).toString('base64')];

/// A fake issuer: an HTTPS server answering `routes`: path -> a JSON document, or a
/// function (request, body) -> [status, JSON] for endpoints that look at the request.
async function fakeIssuer(makeRoutes) {
  const routes = new Map();
  const srv = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const route = routes.get(req.url);
      const [status, doc] = typeof route === 'function' ? route(req, body)
        : route ? [200, route] : [404, { message: 'Not Found' }];
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(doc));
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const origin = `https://127.0.0.1:${srv.address().port}`;
  for (const [p, v] of Object.entries(makeRoutes(origin))) routes.set(p, v);
  return { origin, close: () => srv.close() };
}

function sign(key, claims, header) {
  const h = { alg: 'RS256', kid: key.kid, ...header };
  const input = `${b64(JSON.stringify(h))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(crypto.sign('sha256', Buffer.from(input), key.privateKey))}`;
}

// OpenID / RFC 8414 metadata of the usual shape.
const metadata = (issuer, jwks_uri, more = {}) => ({
  issuer, jwks_uri, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`,
  response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'],
  subject_types_supported: ['public'], ...more,
});

const T1 = '72f988bf-86f1-41af-91ab-2d7cd011db47', T2 = '9188040d-6c67-4c5b-b112-36a304b66dad';
const T3 = '00000000-0000-0000-0000-0000000000aa', API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const APP = 'b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11';

// Each provider: its fake issuer's routes, the example's variables, and its tokens. A
// token is made from `claims(scopes)` (the access token), optionally changed.
const providers = [
  {
    name: 'entra_v2', note: 'Microsoft Entra ID v2, two tenants of a multi-tenant app',
    key: rsaKey('nOo3ZDrODXEK1jKWhXslHR_KXEg', { use: 'sig', x5t: 'nOo3ZDrODXEK1jKWhXslHR_KXEg', x5c: x5c() }),
    routes: (o, k) => ({
      '/common/discovery/v2.0/keys': { keys: [{ ...k.jwk, issuer: `${o}/{tenantid}/v2.0` }, { ...rsaKey('other').jwk, use: 'sig', x5c: x5c() }] },
      [`/${T1}/v2.0/.well-known/openid-configuration`]: metadata(`${o}/${T1}/v2.0`, `${o}/common/discovery/v2.0/keys`),
      [`/${T2}/v2.0/.well-known/openid-configuration`]: metadata(`${o}/${T2}/v2.0`, `${o}/common/discovery/v2.0/keys`),
    }),
    env: (o) => ({ OAUTH_ISSUER: `${o}/{tenant}/v2.0`, OAUTH_TENANTS: `${T1} ${T2}`,
                   OAUTH_JWKS_URI: `${o}/common/discovery/v2.0/keys`, OAUTH_AUDIENCE: API }),
    servers: (o) => [`${o}/${T1}/v2.0`, `${o}/${T2}/v2.0`],
    header: { typ: 'JWT' },
    claims: (o, scopes) => ({ aud: API, iss: `${o}/${T2}/v2.0`, iat: now() - 60, nbf: now() - 60, exp: now() + 3600,
      aio: 'AWQAm/8TAAAA', azp: APP, azpacr: '0', name: 'Ada Lovelace', oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'ada@contoso.com', rh: '0.AAAA', scp: scopes.join(' '), sub: 'l3_roISQU222bULS9yi2k0Xpq',
      tid: T2, uti: 'fqiBqXLPj0eQa82S-IYFAA', ver: '2.0' }),
    whoami: (o) => `l3_roISQU222bULS9yi2k0Xpq via ${APP} from ${o}/${T2}/v2.0 for ${T2}`,
    audience: { aud: '00000003-0000-0000-c000-000000000000' }, // Microsoft Graph's
    tenant: (o) => ({ iss: `${o}/${T3}/v2.0`, tid: T3 }),
    idToken: (o) => ({ aud: APP, iss: `${o}/${T2}/v2.0`, iat: now() - 60, nbf: now() - 60, exp: now() + 3600,
      name: 'Ada Lovelace', nonce: 'n-0S6_WzA2Mj', oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474', sub: 'l3_roISQU222bULS9yi2k0Xpq',
      tid: T2, ver: '2.0' }),
  },
  {
    name: 'entra_v1', note: 'Microsoft Entra ID v1, one tenant, an application ID URI as audience',
    key: rsaKey('kWbkaa6qs8wsTnBwiiNYOhHbnAw', { use: 'sig', x5t: 'kWbkaa6qs8wsTnBwiiNYOhHbnAw', x5c: x5c() }),
    routes: (o, k) => ({
      '/common/discovery/keys': { keys: [k.jwk] },
      [`/${T1}/.well-known/openid-configuration`]: metadata(`${o}/sts/${T1}/`, `${o}/common/discovery/keys`),
    }),
    env: (o) => ({ OAUTH_ISSUER: `${o}/sts/${T1}/`, OAUTH_JWKS_URI: `${o}/common/discovery/keys`,
                   OAUTH_AUDIENCE: 'api://notes-mcp', OAUTH_TENANT: T1 }),
    servers: (o) => [`${o}/sts/${T1}/`],
    header: { typ: 'JWT' },
    claims: (o, scopes) => ({ aud: 'api://notes-mcp', iss: `${o}/sts/${T1}/`, iat: now() - 60, nbf: now() - 60,
      exp: now() + 3600, acr: '1', aio: 'ATQAy/8T', amr: ['pwd'], appid: APP, appidacr: '0', family_name: 'Lovelace',
      given_name: 'Ada', ipaddr: '203.0.113.7', name: 'Ada Lovelace', oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      rh: '0.AAAA', scp: scopes.join(' '), sub: 'v1-subject-ada', tid: T1, unique_name: 'ada@contoso.com',
      upn: 'ada@contoso.com', uti: 'fqiBqXLPj0eQa82S', ver: '1.0' }),
    whoami: (o) => `v1-subject-ada via ${APP} from ${o}/sts/${T1}/ for ${T1}`,
    audience: { aud: 'api://another-api' },
    tenant: (o) => ({ iss: `${o}/sts/${T3}/`, tid: T3 }),
    idToken: (o) => ({ aud: APP, iss: `${o}/sts/${T1}/`, iat: now() - 60, nbf: now() - 60, exp: now() + 3600,
      amr: ['pwd'], name: 'Ada Lovelace', oid: '690222be', sub: 'v1-subject-ada', tid: T1, unique_name: 'ada', ver: '1.0' }),
  },
  {
    name: 'okta', note: 'Okta custom authorization server, metadata appended to the issuer',
    key: rsaKey('8wOa8RAc7pR6w3l3VUoRxNnL8mnEb2fBRx3bJ0LDDdY', { alg: 'RS256', use: 'sig' }),
    routes: (o, k) => {
      const m = metadata(`${o}/oauth2/default`, `${o}/oauth2/default/v1/keys`);
      return { '/oauth2/default/v1/keys': { keys: [k.jwk] },
               '/oauth2/default/.well-known/oauth-authorization-server': m,
               '/oauth2/default/.well-known/openid-configuration': m };
    },
    env: (o) => ({ OAUTH_ISSUER: `${o}/oauth2/default`, OAUTH_DISCOVER: '1', OAUTH_AUDIENCE: 'api://default' }),
    servers: (o) => [`${o}/oauth2/default`],
    header: {},
    claims: (o, scopes) => ({ ver: 1, jti: `AT.${crypto.randomUUID()}`, iss: `${o}/oauth2/default`, aud: 'api://default',
      iat: now() - 60, exp: now() + 3600, cid: '0oaosk9nlfRP30pPW0h7', uid: '00uid4BxXw6I6TV4m0g3', scp: scopes,
      auth_time: now() - 120, sub: 'ada@example.com' }),
    whoami: (o) => `ada@example.com via 0oaosk9nlfRP30pPW0h7 from ${o}/oauth2/default`,
    audience: { aud: 'api://other' },
    tenant: (o) => ({ iss: `${o}/oauth2/aus9o8wzkhckw9TLa0h7` }), // another authorization server of the org
    idToken: (o) => ({ sub: '00uid4BxXw6I6TV4m0g3', ver: 1, iss: `${o}/oauth2/default`, aud: '0oaosk9nlfRP30pPW0h7',
      iat: now() - 60, exp: now() + 3600, jti: 'ID.4eAWJOCMB3SX8XewDfVR', amr: ['pwd'], idp: '00ok1u7AsAkrwdZL3z0g',
      auth_time: now() - 120, at_hash: 'preview' }),
  },
  {
    name: 'auth0', note: 'Auth0, its issuer with a trailing slash, permissions from RBAC',
    key: rsaKey('Qz3cTW1ZQ1dkSjdpbjVHdjBhUmVuWQ', { use: 'sig', alg: 'RS256', x5t: 'QjVG', x5c: x5c() }),
    routes: (o, k) => ({
      '/.well-known/openid-configuration': metadata(`${o}/`, `${o}/.well-known/jwks.json`),
      '/.well-known/jwks.json': { keys: [k.jwk, { ...rsaKey('next-key').jwk, use: 'sig', alg: 'RS256', x5c: x5c() }] },
    }),
    env: (o) => ({ OAUTH_ISSUER: `${o}/`, OAUTH_DISCOVER: '1', OAUTH_AUDIENCE: resource }),
    servers: (o) => [`${o}/`],
    header: { typ: 'JWT' },
    claims: (o, scopes) => ({ iss: `${o}/`, sub: 'auth0|64f1c1b2a3d4e5f6a7b8c9d0', aud: [resource, `${o}/userinfo`],
      iat: now() - 60, exp: now() + 86400, scope: 'openid profile', azp: 'JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr',
      permissions: scopes }),
    whoami: (o) => `auth0|64f1c1b2a3d4e5f6a7b8c9d0 via JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr from ${o}/`,
    audience: { aud: ['https://api.other.test', 'https://dev-abc.us.auth0.com/userinfo'] },
    tenant: () => ({ iss: 'https://dev-other.eu.auth0.com/' }),
    idToken: (o) => ({ iss: `${o}/`, sub: 'auth0|64f1c1b2a3d4e5f6a7b8c9d0', aud: 'JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr',
      iat: now() - 60, exp: now() + 36000, nickname: 'ada', name: 'ada@example.com', sid: 'Ks3Ye', nonce: 'abc' }),
  },
  {
    name: 'keycloak', note: 'Keycloak realm, an encryption key in its set',
    key: rsaKey('kc-rs256', { alg: 'RS256', use: 'sig', x5c: x5c(), x5t: 'aaa', 'x5t#S256': 'bbb' }),
    routes: (o, k) => ({
      '/realms/acme/.well-known/openid-configuration': metadata(`${o}/realms/acme`, `${o}/realms/acme/protocol/openid-connect/certs`),
      '/realms/acme/protocol/openid-connect/certs': { keys: [
        { ...rsaKey('kc-enc').jwk, alg: 'RSA-OAEP', use: 'enc', x5c: x5c() }, k.jwk] },
    }),
    env: (o) => ({ OAUTH_ISSUER: `${o}/realms/acme`, OAUTH_DISCOVER: '1', OAUTH_AUDIENCE: 'mcp-server' }),
    servers: (o) => [`${o}/realms/acme`],
    header: { typ: 'JWT' },
    claims: (o, scopes) => ({ exp: now() + 300, iat: now() - 10, jti: `onrtac:${crypto.randomUUID()}`,
      iss: `${o}/realms/acme`, aud: ['mcp-server', 'account'], sub: 'f3c1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
      typ: 'Bearer', azp: 'mcp-client', sid: 'a1b2c3d4', acr: '1',
      realm_access: { roles: ['default-roles-acme', 'offline_access'] },
      resource_access: { account: { roles: ['manage-account'] } },
      scope: ['openid', 'profile', ...scopes].join(' '), email_verified: true, preferred_username: 'ada' }),
    whoami: (o) => `f3c1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b via mcp-client from ${o}/realms/acme`,
    audience: { aud: ['account'] }, // a client without the audience mapper
    tenant: (o) => ({ iss: `${o}/realms/other` }),
    idToken: (o) => ({ exp: now() + 300, iat: now() - 10, jti: crypto.randomUUID(), iss: `${o}/realms/acme`,
      aud: 'mcp-client', sub: 'f3c1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b', typ: 'ID', azp: 'mcp-client', sid: 'a1b2c3d4',
      at_hash: 'x', acr: '1', email_verified: true, preferred_username: 'ada' }),
  },
  {
    name: 'cognito', note: 'AWS Cognito user pool, app clients instead of an audience',
    key: rsaKey('abcdEFGHijklMNOPqrstUVWXyz0123456789+/=', { alg: 'RS256', use: 'sig' }),
    routes: (o, k) => ({
      '/eu-west-1_AbCdEfGhI/.well-known/openid-configuration': metadata(`${o}/eu-west-1_AbCdEfGhI`, `${o}/eu-west-1_AbCdEfGhI/.well-known/jwks.json`),
      '/eu-west-1_AbCdEfGhI/.well-known/jwks.json': { keys: [k.jwk, { ...rsaKey('pool-id-key').jwk, alg: 'RS256', use: 'sig' }] },
    }),
    env: (o) => ({ OAUTH_ISSUER: `${o}/eu-west-1_AbCdEfGhI`, OAUTH_DISCOVER: '1', OAUTH_CLIENTS: '3n4b5urk1ft4fl3mg5e62d9ado' }),
    servers: (o) => [`${o}/eu-west-1_AbCdEfGhI`],
    header: {},
    claims: (o, scopes) => ({ sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'cognito:groups': ['readers'],
      iss: `${o}/eu-west-1_AbCdEfGhI`, version: 2, client_id: '3n4b5urk1ft4fl3mg5e62d9ado',
      origin_jti: crypto.randomUUID(), event_id: crypto.randomUUID(), token_use: 'access', scope: scopes.join(' '),
      auth_time: now() - 100, exp: now() + 3600, iat: now() - 100, jti: crypto.randomUUID(), username: 'ada' }),
    whoami: (o) => `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee via 3n4b5urk1ft4fl3mg5e62d9ado from ${o}/eu-west-1_AbCdEfGhI`,
    audience: { client_id: '7ab1cdefghijklmnopqrstuv12' }, // another app client of the pool
    tenant: (o) => ({ iss: `${o}/eu-west-1_ZzZzZzZzZ` }),
    idToken: (o) => ({ sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', email_verified: true, iss: `${o}/eu-west-1_AbCdEfGhI`,
      'cognito:username': 'ada', origin_jti: crypto.randomUUID(), aud: '3n4b5urk1ft4fl3mg5e62d9ado',
      event_id: crypto.randomUUID(), token_use: 'id', auth_time: now() - 100, exp: now() + 3600, iat: now() - 100,
      jti: crypto.randomUUID(), email: 'ada@example.com' }),
  },
  {
    name: 'workos', note: 'WorkOS AuthKit, organisations listed',
    key: rsaKey('sso_oidc_key_pair_01HBEQ', { alg: 'RS256', use: 'sig', x5c: x5c() }),
    routes: (o, k) => ({
      '/.well-known/oauth-authorization-server': metadata(o, `${o}/oauth2/jwks`, {
        registration_endpoint: `${o}/oauth2/register`, introspection_endpoint: `${o}/oauth2/introspection`,
        code_challenge_methods_supported: ['S256'] }),
      '/oauth2/jwks': { keys: [k.jwk] },
    }),
    env: (o) => ({ OAUTH_ISSUER: o, OAUTH_DISCOVER: '1', OAUTH_TENANTS: 'org_01HRDMC6CM357W30QMHMQ96Q0S' }),
    servers: (o) => [o],
    header: { typ: 'JWT' },
    claims: (o, scopes) => ({ iss: o, sub: 'user_01HBEQKA6K4QJAS93VPE39W1JT', aud: resource,
      client_id: 'client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8', org_id: 'org_01HRDMC6CM357W30QMHMQ96Q0S', role: 'member',
      roles: ['member'], permissions: scopes, sid: 'session_01HQSXZGF8FHF7A9ZZFCW4387R', jti: crypto.randomUUID(),
      iat: now() - 30, exp: now() + 300 }),
    whoami: (o) => `user_01HBEQKA6K4QJAS93VPE39W1JT via client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8 from ${o} for org_01HRDMC6CM357W30QMHMQ96Q0S`,
    audience: { aud: 'https://other.example.test/mcp' },
    tenant: () => ({ org_id: 'org_01J0000000000000000000000A' }),
    idToken: (o) => ({ iss: o, sub: 'user_01HBEQKA6K4QJAS93VPE39W1JT', aud: 'client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8',
      iat: now() - 30, exp: now() + 300, email: 'ada@example.com', sid: 'session_01HQ' }),
  },
];

/// Starts the example; resolves to { url, stop() } once it logs its address.
function startServer(env) {
  const child = spawn(server, ['--listen', '127.0.0.1:0'], {
    env: { PATH: process.env.PATH, MCP_RESOURCE: resource, OAUTH_JWKS_CA_FILE: caFile, ...env },
    stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${log}`)), 15_000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /listening on (\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], log: () => log, stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${log}`)));
  });
}

const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (id, method, params) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const initialize = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
const post = (url, body, token, more = {}) =>
  fetch(url, { method: 'POST', body, headers: { ...json, ...more, authorization: `Bearer ${token}` } });
/// Opens a session with `token` and calls add_note (which needs notes:write): asserts the
/// 403 step-up challenge naming exactly that scope.
async function expectStepUp(url, token) {
  const init = await post(url, initialize, token);
  assert.equal(init.status, 200);
  const h = { 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-11-25' };
  await init.text();
  await (await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), token, h)).text();
  const r = await post(url, rpc(2, 'tools/call', { name: 'add_note', arguments: { text: 'x' } }), token, h);
  assert.equal(r.status, 403);
  assert.match(r.headers.get('www-authenticate'), /error="insufficient_scope".*scope="notes:write"/);
  await r.text();
}

for (const p of providers) {
  const issuer = await fakeIssuer((o) => p.routes(o, p.key));
  const o = issuer.origin;
  const token = (scopes, change = {}, header = p.header) => sign(p.key, { ...p.claims(o, scopes), ...change }, header);
  let srv;
  try {
    srv = await startServer({ OAUTH_PROFILE: p.name, ...p.env(o) });
  } catch (e) {
    await check(`${p.name}: the example starts against its fake issuer`, async () => { throw e; });
    issuer.close();
    continue;
  }
  await check(`${p.name} (${p.note}): the SDK client with its access token`, async () => {
    const client = new Client({ name: 'warden-providers-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.url), {
      requestInit: { headers: { authorization: `Bearer ${token(['notes:read', 'notes:write'])}` } } }));
    const who = (await client.callTool({ name: 'whoami', arguments: {} })).content[0].text;
    assert.ok(who.startsWith(p.whoami(o)), who);
    assert.match(who, /notes:read notes:write/);
    assert.equal((await client.callTool({ name: 'add_note', arguments: { text: p.name } })).content[0].text, 'added');
    await client.close();
  });
  await check(`${p.name}: 401 for another audience, another tenant, an expired token, its ID token`, async () => {
    const cases = {
      audience: token(['notes:read'], p.audience),
      tenant: token(['notes:read'], p.tenant(o)),
      expired: token(['notes:read'], { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }),
      'ID token': sign(p.key, p.idToken(o), p.header),
      'another key': sign(rsaKey(p.key.kid), p.claims(o, ['notes:read']), p.header),
    };
    for (const [what, t] of Object.entries(cases)) {
      const r = await post(srv.url, initialize, t);
      assert.equal(r.status, 401, what);
      const challenge = r.headers.get('www-authenticate');
      assert.match(challenge, /error="invalid_token"/, what);
      if (what === 'expired') assert.match(challenge, /error_description="token expired"/);
      await r.text();
    }
  });
  await check(`${p.name}: a missing scope is 403 insufficient_scope (step-up)`, async () => {
    const t = token(['notes:read']);
    await expectStepUp(srv.url, t);
  });
  await check(`${p.name}: the metadata names the issuer`, async () => {
    const m = await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', srv.url))).json();
    assert.equal(m.resource, resource);
    assert.deepEqual(m.authorization_servers, p.servers(o));
  });
  await srv.stop();
  issuer.close();
}
// ---- Opaque tokens checked at the provider: GitHub's token check, Google's tokeninfo ----
const GH_APP = 'Iv1.8a61f9b3a7aba766', GH_SECRET = crypto.randomBytes(20).toString('hex');
const GOOGLE_CLIENT = '1234567890-abc.apps.googleusercontent.com';
const opaque = (prefix) => `${prefix}${crypto.randomBytes(18).toString('base64url')}`;
const opaqueProviders = [
  {
    name: 'github', note: "GitHub's token check for the OAuth app",
    tokens: { good: opaque('gho_'), narrow: opaque('gho_'), otherApp: opaque('gho_'), expired: opaque('gho_'), unknown: opaque('gho_') },
    routes: (t) => ({
      [`/applications/${GH_APP}/token`]: (req, body) => {
        if (req.method !== 'POST' || req.headers.authorization !== `Basic ${Buffer.from(`${GH_APP}:${GH_SECRET}`).toString('base64')}`)
          return [401, { message: 'Requires authentication' }];
        const presented = JSON.parse(body).access_token;
        const known = { [t.good]: ['notes:read', 'notes:write'], [t.narrow]: ['notes:read'], [t.expired]: ['notes:read'] };
        if (!(presented in known)) return [404, { message: 'Not Found' }]; // unknown, or another app's token
        return [200, { id: 1, scopes: known[presented], token: presented, token_last_eight: presented.slice(-8),
          app: { name: 'notes', url: 'https://notes.example.test', client_id: GH_APP },
          expires_at: presented === t.expired ? '2020-01-01T00:00:00Z' : null,
          user: { login: 'octocat', id: 583231, type: 'User' } }];
      },
    }),
    env: (o) => ({ OAUTH_ISSUER: 'https://github.com', OAUTH_TOKEN_CHECK: 'github', OAUTH_INTROSPECTION_ENDPOINT: o,
                   OAUTH_INTROSPECTION_CLIENT_ID: GH_APP, INTROSPECT_SECRET: GH_SECRET }),
    whoami: `583231 via ${GH_APP} from https://github.com`,
  },
  {
    name: 'google', note: "Google's tokeninfo, bound to the listed client",
    tokens: { good: opaque('ya29.'), narrow: opaque('ya29.'), otherApp: opaque('ya29.'), expired: opaque('ya29.'), unknown: opaque('ya29.') },
    routes: (t) => ({
      '/tokeninfo': (req, body) => {
        const presented = new URLSearchParams(body).get('access_token');
        const answer = (aud, scope, exp) => [200, { azp: aud, aud, sub: '110169484474386276334', scope,
          exp: String(exp), expires_in: String(exp - now()), email: 'ada@example.com', email_verified: 'true', access_type: 'online' }];
        if (req.method !== 'POST') return [405, {}];
        if (presented === t.good) return answer(GOOGLE_CLIENT, 'openid notes:read notes:write', now() + 1800);
        if (presented === t.narrow) return answer(GOOGLE_CLIENT, 'openid notes:read', now() + 1800);
        if (presented === t.otherApp) return answer('999-other.apps.googleusercontent.com', 'openid notes:read', now() + 1800);
        if (presented === t.expired) return answer(GOOGLE_CLIENT, 'openid notes:read', now() - 10);
        return [400, { error: 'invalid_token', error_description: 'Invalid Value' }];
      },
    }),
    env: (o) => ({ OAUTH_ISSUER: 'https://accounts.google.com', OAUTH_TOKEN_CHECK: 'google',
                   OAUTH_INTROSPECTION_ENDPOINT: `${o}/tokeninfo`, OAUTH_CLIENTS: GOOGLE_CLIENT }),
    whoami: `110169484474386276334 via ${GOOGLE_CLIENT} from https://accounts.google.com`,
  },
];

for (const p of opaqueProviders) {
  const issuer = await fakeIssuer(() => p.routes(p.tokens));
  let srv;
  try {
    srv = await startServer(p.env(issuer.origin));
  } catch (e) {
    await check(`${p.name}: the example starts against its fake`, async () => { throw e; });
    issuer.close();
    continue;
  }
  const t = p.tokens;
  await check(`${p.name} (${p.note}): the SDK client with its token`, async () => {
    const client = new Client({ name: 'warden-providers-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.url), {
      requestInit: { headers: { authorization: `Bearer ${t.good}` } } }));
    const who = (await client.callTool({ name: 'whoami', arguments: {} })).content[0].text;
    assert.ok(who.startsWith(p.whoami), who);
    assert.equal((await client.callTool({ name: 'add_note', arguments: { text: p.name } })).content[0].text, 'added');
    await client.close();
  });
  await check(`${p.name}: 401 for another app's token, an expired token, an unknown token`, async () => {
    for (const [what, token] of Object.entries({ otherApp: t.otherApp, expired: t.expired, unknown: t.unknown })) {
      const r = await post(srv.url, initialize, token);
      assert.equal(r.status, 401, what);
      assert.match(r.headers.get('www-authenticate'), /error="invalid_token"/, what);
      await r.text();
    }
  });
  await check(`${p.name}: a missing scope is 403 insufficient_scope (step-up)`, async () => {
    await expectStepUp(srv.url, t.narrow);
  });
  await check(`${p.name}: the provider unreachable is 503 for a token not yet checked, never a 401`, async () => {
    issuer.close();
    await new Promise((r) => setTimeout(r, 100));
    const r = await post(srv.url, initialize, opaque(p.name === 'github' ? 'gho_' : 'ya29.'));
    assert.equal(r.status, 503);
    await r.text();
  });
  const log = srv.log();
  await srv.stop();
  await check(`${p.name}: no token and no secret in the server's log`, async () => {
    for (const secret of [...Object.values(t), GH_SECRET]) assert.ok(!log.includes(secret), 'a secret reached the log');
  });
}
// ---- Each JWT profile against oidc-provider issuing that shape ----
const asSecret = crypto.randomBytes(16).toString('hex');
const asOrigin = `https://127.0.0.1:${asPort}`;
const as = spawn(process.execPath, [path.join(here, 'oidc_as.mjs'), asPort, certFile, keyFile, resource, 'jwt', asSecret,
  path.join(path.dirname(caFile), 'as-signing.json')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OIDC_AS_SHAPES: '1' } });
await new Promise((resolve, reject) => { as.stdout.once('data', resolve); as.once('exit', reject); });
/// A client-credentials token from oidc-provider in `profile`'s shape.
async function issued(profile, scope) {
  const r = await fetch(`${asOrigin}/token`, { method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`machine:${asSecret}`).toString('base64')}`,
               'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: `https://mcp.example.test/shape/${profile}` }) });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.access_token;
}
for (const profile of shapedProfiles) {
  const env = shapedSettings(profile, asOrigin, `https://mcp.example.test/shape/${profile}`);
  let srv;
  try {
    srv = await startServer(env);
  } catch (e) {
    await check(`${profile} from oidc-provider: the example starts`, async () => { throw e; });
    continue;
  }
  await check(`${profile}: oidc-provider's token in its shape works with the SDK client; a missing scope is 403`, async () => {
    const t = await issued(profile, 'notes:read notes:write');
    const [h] = t.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    assert.notEqual(header.typ, 'at+jwt'); // reshaped: no profile but rfc9068 takes at+jwt alone
    const client = new Client({ name: 'warden-providers-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.url), {
      requestInit: { headers: { authorization: `Bearer ${t}` } } }));
    const who = (await client.callTool({ name: 'whoami', arguments: {} })).content[0].text;
    assert.ok(who.startsWith(`machine via machine from ${env.OAUTH_ISSUER.replace('{tenant}', '72f988bf-86f1-41af-91ab-2d7cd011db47')}`), who);
    assert.match(who, /notes:read notes:write/);
    await client.close();
    const narrow = await issued(profile, 'notes:read');
    await expectStepUp(srv.url, narrow);
  });
  await check(`${profile}: oidc-provider's tokens in the other shapes, and its plain RFC 9068 token, are refused`, async () => {
    const others = shapedProfiles.filter((o) => o !== profile);
    for (const other of [...others, 'rfc9068']) {
      const r = await post(srv.url, initialize, await issued(other, 'notes:read'));
      assert.equal(r.status, 401, `${other}'s shape`);
      await r.text();
    }
  });
  await srv.stop();
}
as.kill('SIGTERM');
finish();
