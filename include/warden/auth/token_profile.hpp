// warden/auth/token_profile.hpp: how one issuer shapes its JWT access tokens, and the shapes
// of the authorization servers people run.
//
// A `token_profile` names, for one issuer (`oauth_issuer::profile`): which header `typ`
// values are access tokens, which claims must be there (and which must hold a fixed value),
// which claim names the client, where scopes and roles live, and whether `aud` is checked.
// `rfc9068()` is the default and the strictest; each provider's profile relaxes only what
// that provider's tokens need, and says what in its comment. A user may write their own.
//
// What a profile cannot relax: the signature and its algorithms, `iss` (exact, or one of the
// listed tenants in a `{tenant}` issuer), `exp`/`nbf`/`iat` with the leeway, and `sub`.
// The audience is part of the issuer's settings (`oauth_issuer::audiences`: the resource
// URI by default, or an API identifier, an application ID URI, a GUID).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

/// How a claim holds scopes.
enum class scope_form {
    text,  ///< a space-separated string (RFC 8693's `scope`)
    list,  ///< an array of strings
    either
};
struct scope_claim {
    std::string name{};
    scope_form form = scope_form::either;
};

struct token_profile {
    std::string name = "rfc9068";
    /// Header `typ` values that mark an access token, compared without regard to case; ""
    /// stands for a header without `typ`. Empty: `typ` is not looked at.
    std::vector<std::string> types{"at+jwt", "application/at+jwt"};
    /// Claims every token must carry.
    std::vector<std::string> required_claims{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"};
    /// Claims that must hold exactly this string (what tells an access token from an ID
    /// token where `typ` does not).
    std::map<std::string, std::string> claim_values{};
    /// The claims that may name the client, in order: the first present one does.
    std::vector<std::string> client_claims{"client_id"};
    /// Claims holding scopes, in the form each must have; all are read.
    std::vector<scope_claim> scope_claims{{"scope", scope_form::text}, {"scp", scope_form::list}};
    /// Claims holding role names (arrays of strings; a dotted path reaches into objects,
    /// e.g. "realm_access.roles"). With `role_scopes` empty, each role is a scope of its own
    /// name; otherwise only the roles listed there grant, each its scopes.
    std::vector<std::string> role_claims{};
    std::map<std::string, std::vector<std::string>> role_scopes{};
    /// A claim naming the caller's organisation (WorkOS `org_id`): it becomes the
    /// principal's tenant. Where the issuer has no `{tenant}` and `oauth_issuer::tenants`
    /// lists some, a token must name one of them. Empty: the tenant comes from the issuer.
    std::string tenant_claim{};
    /// `aud` must name one of the issuer's audiences. Off only for issuers whose access
    /// tokens carry no audience (Cognito): then `oauth_issuer::clients` must list the clients
    /// whose tokens are accepted.
    bool audience = true;
};

/// The profiles of the authorization servers warden is tested against.
namespace profiles {

/// RFC 9068 JWT access tokens (oidc-provider, Auth0's RFC 9068 profile, Keycloak with the
/// `at+jwt` option, most servers built on the RFC): the default.
inline token_profile rfc9068() { return {}; }

/// Microsoft Entra ID, v2.0 access tokens for your own API (`accessTokenAcceptedVersion`
/// 2): `typ` is "JWT"; the client is `azp`; delegated scopes are `scp` (a space-separated
/// string) and application permissions `roles`; `ver` is "2.0"; `aud` is the API's
/// application (client) ID, a GUID. Issuer: `https://login.microsoftonline.com/{tenant}/v2.0`,
/// one issuer per tenant (`{tenant}` with `oauth_issuer::tenants` for a multi-tenant app).
/// Relaxed: `typ`, no `client_id` or `jti` (Entra sends `uti`).
inline token_profile entra_v2() {
    token_profile p;
    p.name = "entra_v2";
    p.types = {"jwt"};
    p.required_claims = {"iss", "exp", "aud", "sub", "azp", "iat", "tid", "ver"};
    p.claim_values = {{"ver", "2.0"}};
    p.client_claims = {"azp"};
    p.scope_claims = {{"scp", scope_form::text}};
    p.role_claims = {"roles"};
    return p;
}

/// Microsoft Entra ID, v1.0 access tokens (the default for an API that did not ask for
/// v2): as `entra_v2`, but the client is `appid`, `ver` is "1.0", the issuer is
/// `https://sts.windows.net/{tenant}/` and `aud` is usually the application ID URI
/// (`api://...`).
inline token_profile entra_v1() {
    token_profile p = entra_v2();
    p.name = "entra_v1";
    p.required_claims = {"iss", "exp", "aud", "sub", "appid", "iat", "tid", "ver"};
    p.claim_values = {{"ver", "1.0"}};
    p.client_claims = {"appid"};
    return p;
}

/// Okta custom authorization servers (`https://{domain}/oauth2/{id}`, including
/// `default`): no `typ` in the header (or "JWT"); the client is `cid`; scopes are `scp`, an
/// array; `aud` is the server's configured audience (`api://default` by default). Okta's
/// org authorization server issues tokens only Okta's own APIs may verify: not supported.
/// Relaxed: `typ`, `client_id` (`cid`).
inline token_profile okta() {
    token_profile p;
    p.name = "okta";
    p.types = {"", "jwt"};
    p.required_claims = {"iss", "exp", "aud", "sub", "cid", "iat", "jti"};
    p.client_claims = {"cid"};
    p.scope_claims = {{"scp", scope_form::list}};
    return p;
}

/// Auth0 access tokens in its default profile: `typ` "JWT"; the client is `azp`; scopes
/// are `scope` and, with RBAC's "Add Permissions in the Access Token", `permissions`; `aud`
/// is the API identifier (often beside the tenant's /userinfo URL). The issuer ends with a
/// slash: `https://{tenant}.auth0.com/`. Relaxed: `typ`, `client_id` (`azp`), `jti`.
/// Tenants that turned on "RFC 9068" as the token profile use `rfc9068()` instead.
inline token_profile auth0() {
    token_profile p;
    p.name = "auth0";
    p.types = {"jwt"};
    p.required_claims = {"iss", "exp", "aud", "sub", "azp", "iat"};
    p.client_claims = {"azp"};
    p.scope_claims = {{"scope", scope_form::text}, {"permissions", scope_form::list}};
    return p;
}

/// Keycloak realms (`https://{host}/realms/{realm}`): `typ` "JWT" in the header and
/// "Bearer" in the claims (an ID token says "ID"); the client is `azp`; scopes are `scope`;
/// realm roles are `realm_access.roles` (map them in `role_scopes`; a client's roles are at
/// `resource_access.<client>.roles`, added to `role_claims` by hand). `aud` needs an
/// audience mapper naming the MCP server (the default is "account"). Relaxed: `typ`,
/// `client_id` (`azp`).
inline token_profile keycloak() {
    token_profile p;
    p.name = "keycloak";
    p.types = {"jwt"};
    p.required_claims = {"iss", "exp", "aud", "sub", "azp", "iat", "jti", "typ"};
    p.claim_values = {{"typ", "Bearer"}};
    p.client_claims = {"azp"};
    p.scope_claims = {{"scope", scope_form::text}};
    p.role_claims = {"realm_access.roles"};
    return p;
}

/// AWS Cognito user pools (`https://cognito-idp.{region}.amazonaws.com/{pool}`): no `typ`;
/// `token_use` is "access" (an ID token says "id"); the client is `client_id`; scopes are
/// `scope`; groups are `cognito:groups` (each a scope of its name, unless mapped in
/// `role_scopes`). Access tokens carry no
/// `aud`: list the accepted app clients in `oauth_issuer::clients` instead. Relaxed: `typ`,
/// `aud`.
inline token_profile cognito() {
    token_profile p;
    p.name = "cognito";
    p.types = {""};
    p.required_claims = {"iss", "exp", "sub", "client_id", "iat", "jti", "token_use"};
    p.claim_values = {{"token_use", "access"}};
    p.client_claims = {"client_id"};
    p.scope_claims = {{"scope", scope_form::text}};
    p.role_claims = {"cognito:groups"};
    p.audience = false;
    return p;
}

/// WorkOS AuthKit as the MCP server's authorization server (`https://{subdomain}.authkit.app`,
/// RFC 8414 metadata, keys at `/oauth2/jwks`): `aud` is the MCP server's URL once it is
/// listed among the dashboard's resource indicators (RFC 8707), while an ID token's is the
/// client's ID, so the audience tells them apart; `typ` is "JWT" or absent; scopes are
/// `scope` and the RBAC `permissions` (an array); the client, when named, is `client_id`;
/// `org_id` is the caller's organisation, which becomes the principal's tenant (and, with
/// `oauth_issuer::tenants`, must be listed). Relaxed: `typ`, `client_id`, `jti`.
inline token_profile workos() {
    token_profile p;
    p.name = "workos";
    p.types = {"", "jwt", "at+jwt"};
    p.required_claims = {"iss", "exp", "aud", "sub", "iat"};
    p.client_claims = {"client_id"};
    p.scope_claims = {{"scope", scope_form::text}, {"permissions", scope_form::list}};
    p.tenant_claim = "org_id";
    return p;
}
/// The profile called `name` (as above: "rfc9068", "entra_v2", "entra_v1", "okta", "auth0",
/// "keycloak", "cognito", "workos"), for settings read from a file or the environment; nothing for
/// another name.
inline std::optional<token_profile> named(std::string_view name) {
    if (name == "rfc9068") return rfc9068();
    if (name == "entra_v2") return entra_v2();
    if (name == "entra_v1") return entra_v1();
    if (name == "okta") return okta();
    if (name == "auth0") return auth0();
    if (name == "keycloak") return keycloak();
    if (name == "cognito") return cognito();
    if (name == "workos") return workos();
    return std::nullopt;
}

} // namespace profiles
} // namespace warden::auth
