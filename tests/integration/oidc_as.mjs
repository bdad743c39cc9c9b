// A real authorization server for the end-to-end tests: oidc-provider over HTTPS, with
// dynamic client registration, PKCE, resource indicators (RFC 8707) issuing RFC 9068 JWT
// (or opaque) access tokens for the MCP resource, introspection, and an interaction
// endpoint that signs "ada" in and consents to what was asked, so that a client can run
// the authorization code flow without a browser.
//   node oidc_as.mjs PORT CERT KEY RESOURCE FORMAT(jwt|opaque) INTROSPECTION_SECRET KEY_FILE
// Prints "listening" when ready. Static clients: "warden-rs" (introspection, with
// INTROSPECTION_SECRET) and "machine" (client_credentials, same secret).
// For upstream_api's tests (a server that is itself an OAuth client): with
// OIDC_AS_UPSTREAM_SECRET and OIDC_AS_UPSTREAM_REDIRECT (space-separated), a confidential client
// "warden-upstream" that gets rotating refresh tokens (a reused one revokes the grant);
// OIDC_AS_ACCESS_TTL sets the access token lifetime (default 600 s); GET /test/stats
// counts refresh_token grants.
// Token exchange (RFC 8693) for the client "machine": a JWT access token this server
// issued (for RESOURCE, unexpired) is exchanged for one with audience
// https://billing.example.test, `act` naming the client; another audience is invalid_target,
// a bad subject token invalid_grant; /test/stats counts exchanges. The same through the
// JWT-bearer grant with requested_token_use=on_behalf_of (Entra's form: no audience, the
// scope names the API). The scope "short" makes the exchanged token live 10 s.
// With OIDC_AS_SHAPES=1, a JWT access token for a resource indicator ending in
// /shape/<profile> is reshaped as that provider issues its tokens (token_shapes.mjs).
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [port, cert, key, resource, format, secret, keyFile] = process.argv.slice(2);
const { default: Provider, errors } = await import(
  pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, 'node_modules/oidc-provider/lib/index.js')).href);
const issuer = `https://127.0.0.1:${port}`;
// The same signing key across restarts (KEY_FILE), as a real server keeps its keys.
if (!fs.existsSync(keyFile)) {
  fs.writeFileSync(keyFile, JSON.stringify(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })),
                   { mode: 0o600 });
}
const signing = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
const resourceScopes = 'notes:read notes:write';

const exchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
const oboGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const { reshape } = process.env.OIDC_AS_SHAPES
  ? await import(pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname), 'token_shapes.mjs')).href)
  : { reshape: null };

const provider = new Provider(issuer, {
  ...(reshape ? { formats: { customizers: { jwt: (ctx, token, jwt) => reshape(issuer, jwt) } } } : {}),
  jwks: { keys: [{ ...signing, kid: 'as-es256', alg: 'ES256', use: 'sig' }] },
  clients: [
    { client_id: 'warden-rs', client_secret: secret, grant_types: [], redirect_uris: [], response_types: [] },
    { client_id: 'machine', client_secret: secret, grant_types: ['client_credentials', exchangeGrant, oboGrant], redirect_uris: [],
      response_types: [] },
    ...(process.env.OIDC_AS_UPSTREAM_SECRET ? [{
      client_id: 'warden-upstream', client_secret: process.env.OIDC_AS_UPSTREAM_SECRET,
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      redirect_uris: process.env.OIDC_AS_UPSTREAM_REDIRECT.split(' '), token_endpoint_auth_method: 'client_secret_basic',
    }] : []),
  ],
  // Refresh tokens for warden-upstream only (the other tests' clients are unchanged),
  // rotated on every use, not tied to a browser session.
  issueRefreshToken: async (ctx, client) => client.clientId === 'warden-upstream',
  rotateRefreshToken: true,
  expiresWithSession: async () => false,
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    introspection: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (!/^https?:\/\//.test(indicator)) throw new errors.InvalidTarget();
        return {
          scope: resourceScopes,
          audience: indicator,
          accessTokenTTL: Number(process.env.OIDC_AS_ACCESS_TTL ?? 600),
          accessTokenFormat: format,
          ...(format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
        };
      },
    },
  },
  // The resource's scopes also as the provider's own: MCP clients register with them.
  scopes: ['openid', 'offline_access', 'notes:read', 'notes:write'],
  pkce: { required: () => true },
  findAccount: (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'] },
  // A client registers with the scope of the first challenge; it may still ask for more
  // later (step-up), as many authorization servers allow: the registered scope is dropped.
  extraClientMetadata: {
    properties: ['warden_test'],
    validator: (ctx, key, value, metadata) => { delete metadata.scope; },
  },
});
provider.on('server_error', (ctx, err) => console.error('oidc-provider:', err));
const stats = { refreshes: 0, refreshErrors: 0, exchanges: 0, obo: 0 };
const b64 = (x) => Buffer.from(x).toString('base64url');
const exchange = (obo) => async (ctx) => {
  const params = ctx.oidc.params;
  const subject = obo ? params.assertion : params.subject_token;
  const scope = params.scope;
  const audience = obo ? 'https://billing.example.test' : params.audience;
  const refuse = (error) => { ctx.status = 400; ctx.body = { error }; };
  if (obo ? params.requested_token_use !== 'on_behalf_of'
          : params.subject_token_type !== 'urn:ietf:params:oauth:token-type:access_token') return refuse('invalid_request');
  if (!subject) return refuse('invalid_request');
  const [h, p, s] = subject.split('.');
  const pub = crypto.createPublicKey({ key: { kty: signing.kty, crv: signing.crv, x: signing.x, y: signing.y }, format: 'jwk' });
  let claims;
  try {
    if (!crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(s ?? '', 'base64url')))
      return refuse('invalid_grant');
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch { return refuse('invalid_grant'); }
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== issuer || claims.aud !== resource || !(claims.exp > now)) return refuse('invalid_grant');
  if (audience !== 'https://billing.example.test') return refuse('invalid_target');
  if (obo) stats.obo++;
  else stats.exchanges++;
  const header = { alg: 'ES256', typ: 'at+jwt', kid: 'as-es256' };
  const ttl = (scope ?? '').split(' ').includes('short') ? 10 : 300;
  const body = { iss: issuer, sub: claims.sub, aud: audience, act: { sub: ctx.oidc.client.clientId }, client_id: ctx.oidc.client.clientId,
                 scope: scope ?? 'billing:read', iat: now, exp: now + ttl, jti: crypto.randomUUID(), ...(obo ? { grant: 'obo' } : {}) };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(body))}`;
  const key = crypto.createPrivateKey({ key: signing, format: 'jwk' });
  const sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  ctx.body = { access_token: `${input}.${b64(sig)}`, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
               token_type: 'Bearer', expires_in: ttl };
};
provider.registerGrantType(exchangeGrant, exchange(false), ['subject_token', 'subject_token_type', 'audience', 'requested_token_type', 'scope']);
provider.registerGrantType(oboGrant, exchange(true), ['assertion', 'requested_token_use', 'scope']);
provider.on('grant.success', (ctx) => { if (ctx.oidc.params?.grant_type === 'refresh_token') stats.refreshes++; });
provider.on('grant.error', (ctx) => { if (ctx.oidc.params?.grant_type === 'refresh_token') stats.refreshErrors++; });

// Signs "ada" in and grants exactly what the client asked for.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (process.env.OIDC_AS_DEBUG) console.error('interaction', JSON.stringify(details.prompt), JSON.stringify(details.params));
  if (details.prompt.name === 'login') {
    return provider.interactionFinished(req, res, { login: { accountId: 'ada' } }, { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const { missingOIDCScope, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  if (req.url === '/test/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
  } else if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((e) => { console.error('interaction:', e); res.writeHead(500).end(); });
  } else {
    callback(req, res);
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });
