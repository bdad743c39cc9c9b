// How each provider shapes its JWT access tokens, applied by oidc-provider (oidc_as.mjs
// with OIDC_AS_SHAPES=1) to the tokens it signs: the header's typ, the issuer form, the
// audience, the claims naming the client and holding the scopes, and the claims that tell
// an access token apart. The shape is chosen by the resource indicator: a token for
// https://<host>/shape/<profile> gets <profile>'s shape. `settings` gives the example's
// variables for each (those its recipe in docs/providers.md names).
export const T1 = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ENTRA_API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

const scopesOf = (p) => (p.scope ?? '').split(' ').filter(Boolean);
const shapes = {
  entra_v2: (o, p, resource) => ({
    header: { typ: 'JWT' },
    payload: { aud: ENTRA_API, iss: `${o}/${T1}/v2.0`, iat: p.iat, nbf: p.iat, exp: p.exp, azp: p.client_id,
               azpacr: '1', scp: p.scope, sub: p.sub, tid: T1, uti: p.jti, ver: '2.0', oid: p.sub } }),
  entra_v1: (o, p) => ({
    header: { typ: 'JWT' },
    payload: { aud: 'api://notes-mcp', iss: `${o}/sts/${T1}/`, iat: p.iat, nbf: p.iat, exp: p.exp, appid: p.client_id,
               appidacr: '1', scp: p.scope, sub: p.sub, tid: T1, uti: p.jti, ver: '1.0' } }),
  okta: (o, p) => ({
    header: { typ: undefined },
    payload: { ver: 1, jti: `AT.${p.jti}`, iss: `${o}/oauth2/default`, aud: 'api://default', iat: p.iat, exp: p.exp,
               cid: p.client_id, scp: scopesOf(p), sub: p.sub } }),
  auth0: (o, p, resource) => ({
    header: { typ: 'JWT' },
    payload: { iss: `${o}/`, sub: p.sub, aud: [resource, `${o}/userinfo`], iat: p.iat, exp: p.exp, azp: p.client_id,
               scope: 'openid', permissions: scopesOf(p), gty: 'client-credentials' } }),
  keycloak: (o, p) => ({
    header: { typ: 'JWT' },
    payload: { exp: p.exp, iat: p.iat, jti: p.jti, iss: `${o}/realms/acme`, aud: ['mcp-server', 'account'], sub: p.sub,
               typ: 'Bearer', azp: p.client_id, scope: p.scope, realm_access: { roles: ['default-roles-acme'] },
               clientHost: '127.0.0.1' } }),
  // oidc-provider insists on an audience; Cognito's access tokens have none, and the
  // cognito profile does not read it: the client's ID stands there.
  cognito: (o, p) => ({
    header: { typ: undefined },
    payload: { sub: p.sub, iss: `${o}/eu-west-1_AbCdEfGhI`, version: 2, client_id: p.client_id, token_use: 'access',
               scope: p.scope, auth_time: p.iat, exp: p.exp, iat: p.iat, jti: p.jti, aud: p.client_id } }),
  workos: (o, p, resource) => ({
    header: { typ: 'JWT' },
    payload: { iss: o, sub: p.sub, aud: resource, client_id: p.client_id, org_id: 'org_01HRDMC6CM357W30QMHMQ96Q0S',
               permissions: scopesOf(p), jti: p.jti, iat: p.iat, exp: p.exp } }),
};
export const profiles = Object.keys(shapes);

/// oidc-provider's JWT customizer: reshapes `jwt` ({ header, payload }) for the profile its
/// audience names, if any.
export function reshape(issuer, jwt) {
  const aud = String(jwt.payload.aud);
  const m = /\/shape\/([a-z0-9_]+)$/.exec(aud);
  if (!m || !shapes[m[1]]) return;
  const p = { ...jwt.payload, iat: Math.floor(Date.now() / 1000) };
  const shaped = shapes[m[1]](issuer, p, aud);
  jwt.header = shaped.header;
  for (const k of Object.keys(jwt.payload)) delete jwt.payload[k];
  Object.assign(jwt.payload, shaped.payload);
}

/// The example's variables for `profile`'s tokens from oidc-provider at `origin`: the
/// issuer in the provider's form, keys from oidc-provider's JWK set.
export function settings(profile, origin, resource) {
  const table = {
    entra_v2: { OAUTH_ISSUER: `${origin}/{tenant}/v2.0`, OAUTH_TENANTS: T1, OAUTH_AUDIENCE: ENTRA_API },
    entra_v1: { OAUTH_ISSUER: `${origin}/sts/${T1}/`, OAUTH_AUDIENCE: 'api://notes-mcp', OAUTH_TENANT: T1 },
    okta: { OAUTH_ISSUER: `${origin}/oauth2/default`, OAUTH_AUDIENCE: 'api://default' },
    auth0: { OAUTH_ISSUER: `${origin}/`, OAUTH_AUDIENCE: resource },
    keycloak: { OAUTH_ISSUER: `${origin}/realms/acme`, OAUTH_AUDIENCE: 'mcp-server' },
    cognito: { OAUTH_ISSUER: `${origin}/eu-west-1_AbCdEfGhI`, OAUTH_CLIENTS: 'machine' },
    workos: { OAUTH_ISSUER: origin, OAUTH_AUDIENCE: resource },
  };
  return { OAUTH_PROFILE: profile, OAUTH_JWKS_URI: `${origin}/jwks`, ...table[profile] };
}
