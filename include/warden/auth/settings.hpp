// warden/auth/settings.hpp: run-time settings of the static-credential auth schemes.
//
// A scheme's secrets never appear here: a `key_grant` names the credential variables that
// hold them, and the definition's credential source loads those (and reloads them for
// rotation). What a grant adds is who the holder is and what it may do.
#pragma once

#include <warden/auth/token_profile.hpp>
#include <warden/error.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace warden {

namespace detail {
struct fetched;
struct fetch_options;
struct request_parts;
} // namespace detail

/// Sends one HTTP request for the server itself (warden/detail/http_fetch.hpp's signature).
using http_client = std::function<result<detail::fetched>(const std::string& url, const detail::fetch_options&,
                                                           const detail::request_parts&)>;

/// One accepted credential and what it grants.
struct key_grant {
    std::string name{};                     ///< who holds it: the principal's subject, e.g. "ci-bot"
    std::vector<std::string> credentials{}; ///< variables holding the secret (api_key: one per header, in order)
    std::vector<std::string> scopes{};      ///< what the holder may do
    std::vector<std::string> tenants{};     ///< tenants the holder may act for ("*": any)
    bool required = true;                   ///< false: absent credentials just disable this grant (rotation)
};

/// auth::bearer: static bearer tokens.
struct bearer_settings {
    std::vector<key_grant> tokens{}; ///< several at once: old and new overlap during a rotation
    std::string realm = "mcp";
};

/// auth::api_key<Headers...>: keys in custom headers.
struct api_key_settings {
    std::vector<key_grant> keys{};
    std::string realm = "mcp";
};

/// auth::basic: users and password hashes (warden/crypto/password.hpp) from a credential.
struct basic_settings {
    /// The credential holding one "user:hash" line per user.
    std::string users_credential = "MCP_BASIC_USERS";
    /// Scopes per user; "*" applies to users not listed.
    std::map<std::string, std::vector<std::string>> scopes{};
    std::string realm = "mcp";
    /// How long a verified user and password is remembered, so that a client sending Basic
    /// with every request does not pay for the password hash every time. Zero: never.
    std::chrono::seconds cache_ttl{300};
    /// Accepts hashes weaker than OWASP's guidance (warden/crypto/password.hpp): set by
    /// server<D> from its profile (development and test); a value set by hand is overwritten.
    bool accept_weak_hashes = false;
};

/// One HMAC signing key.
struct hmac_key {
    std::string id{};                  ///< sent by the client as keyId; public
    std::string credential{};          ///< the variable holding the key (at least 32 bytes)
    std::string client{};              ///< who signs with it: the principal's subject
    std::vector<std::string> scopes{};
    bool required = true;              ///< false: absent just disables this key (rotation)
};

/// auth::hmac: signed requests.
struct hmac_settings {
    std::vector<hmac_key> keys{};
    std::chrono::seconds window{300}; ///< how far a request's timestamp may be from now
    std::string realm = "mcp";
    /// Now, in seconds since the epoch: the system clock unless set (a test's fake clock).
    std::function<std::int64_t()> clock{};
};

/// One client identity auth::mtls accepts: a subjectAltName, matched exactly.
struct certificate_identity {
    /// "URI:spiffe://example.org/ns/prod/sa/agent" or "DNS:agent.internal.example" (DNS
    /// names compare case-insensitively; no wildcards).
    std::string san{};
    std::string name{};                 ///< the principal's subject
    std::vector<std::string> scopes{};
    std::vector<std::string> tenants{}; ///< tenants it may act for ("*": any)
};

/// auth::mtls: the allowlist from certificate names to principals.
struct mtls_settings {
    std::vector<certificate_identity> identities{};
};

/// One authorization server whose access tokens auth::oauth_resource_server accepts.
/// Whether an issuer's tokens are presented with DPoP proofs (RFC 9449): not at all, either
/// way, or only so. Anything but `off` needs `auth::dpop_resource_server` (a replay store for
/// the proofs' `jti`).
enum class dpop_mode { off, allowed, required };

struct oauth_issuer {
    std::string issuer{};                  ///< its `iss`, exactly (e.g. "https://auth.example.com")
    std::vector<std::string> audiences{};  ///< accepted `aud` values; empty: the resource URI
    std::string jwks{};                    ///< its JWK set, inline JSON; or:
    std::string jwks_file{};               ///< a file holding its JWK set; or:
    std::string hmac_credential{};         ///< a credential variable holding a shared HS256 secret; or:
    std::string jwks_uri{};                ///< its JWK set's URL (https), fetched and kept fresh; or:
    bool discover = false;                 ///< find jwks_uri in the issuer's RFC 8414 / OIDC metadata; or:
    std::string introspection_endpoint{};  ///< RFC 7662: ask the issuer about each (opaque) token
    std::string introspection_client_id{}; ///< how warden authenticates to it (client_secret_basic)
    std::string introspection_secret_credential{}; ///< the credential variable holding its secret
    /// The member of an introspection answer that names the caller, for issuers whose
    /// answers have no `sub` (e.g. "username"); then it names every caller of this issuer.
    /// Empty: `sub`, and an answer without one is refused.
    std::string introspection_subject_claim{};
    std::string tenant{};                  ///< the principal's tenant for its tokens, if any
    std::vector<std::string> algorithms{}; ///< accepted `alg` names; empty: every asymmetric one
    /// DPoP-bound tokens (`cnf.jkt`) are never accepted as bearer tokens, whatever this says.
    dpop_mode dpop = dpop_mode::off;
    /// How its JWTs are shaped (warden/auth/token_profile.hpp: `profiles::entra_v2()`,
    /// `okta()`, `auth0()`, `keycloak()`, `cognito()`, `workos()`); RFC 9068 by default.
    auth::token_profile profile{};
    std::vector<std::string> clients{};    ///< if any: only these clients' tokens (required when the profile has no audience)
    /// The tenants served when `issuer` is written with `{tenant}` (one issuer per tenant,
    /// e.g. "https://login.microsoftonline.com/{tenant}/v2.0"); the principal's tenant is the
    /// one its token's issuer names. For a profile with a tenant claim (WorkOS `org_id`):
    /// the organisations whose tokens are accepted.
    std::vector<std::string> tenants{};
    /// How `introspection_endpoint` is asked about an opaque token: "" (RFC 7662), or the
    /// provider's own check where it has no introspection: "github" (the OAuth app's token
    /// check, POST {endpoint}/applications/{introspection_client_id}/token with the app's
    /// secret: only tokens issued to this app pass) or "google" (the tokeninfo endpoint:
    /// `aud` or `azp` must be one of `clients`).
    std::string token_check{};
};

/// auth::oauth_resource_server: an OAuth 2.1 resource server (RFC 9068 JWT access tokens).
struct oauth_settings {
    std::string resource{};                          ///< canonical URI of the MCP endpoint
    std::vector<oauth_issuer> issuers{};
    std::vector<std::string> authorization_servers{}; ///< metadata's list; empty: the issuers
    std::vector<std::string> scopes_supported{};     ///< besides the scopes the tools require
    std::vector<std::string> challenge_scopes{};     ///< `scope=` of a 401; empty: every supported scope
    std::string resource_name{};                     ///< RFC 9728 `resource_name`, if any
    /// Where clients fetch the RFC 9728 metadata, named in every challenge's
    /// `resource_metadata`. Empty: the path-inserted form of `resource`
    /// (`https://host/.well-known/oauth-protected-resource/<path>`), which a proxy that
    /// serves the endpoint under a prefix must route here. Set it when only the prefix
    /// reaches this server, e.g. `https://host/team-a/.well-known/oauth-protected-resource`
    /// (the proxy strips `/team-a`, so the request arrives at the root form). The metadata is
    /// also served at this URL's path, as the proxy may pass it unchanged.
    std::string resource_metadata_url{};
    std::chrono::seconds leeway{60};
    bool access_token_profile = true;                ///< RFC 9068 typ and claims
    /// Accepts tokens issued for any resource: a token stolen from another service then
    /// works here. Off unless you set this, and logged loudly at start-up when on.
    bool accept_any_audience_allowing_token_replay = false;
    /// Keeps each accepted token, sealed, in `principal::delegation`, so that a handler can
    /// have it exchanged (`upstream::token_exchange`, RFC 8693) for a token of an upstream
    /// API, never forwarding it and never able to read it.
    bool keep_token_for_exchange = false;
    std::size_t verified_token_cache = 10'000;      ///< entries; 0: verify every request
    std::string jwks_ca_file{};                      ///< PEM CAs for fetching keys, instead of the system's
    std::chrono::seconds jwks_refetch_interval{10};  ///< at most one early refetch (unknown kid) per this
    std::chrono::seconds jwks_min_ttl{60};           ///< a set is kept at least this long (whatever max-age says)
    std::chrono::seconds jwks_max_stale{3600};       ///< last good keys used this long past their expiry
    std::chrono::milliseconds jwks_timeout{5000};    ///< per fetch (and per introspection request)
    std::chrono::seconds introspection_cache{60};    ///< an active answer is reused this long (and never past exp)
    /// Plain http:// to loopback for keys and metadata: set by server<D> from its profile
    /// (development and test only); a value set by hand is overwritten.
    bool allow_loopback_http = false;
    std::string realm = "mcp";
    /// DPoP proofs (issuers with `dpop` allowed or required): the algorithms a proof may be
    /// signed with (asymmetric only), how far its `iat` may be from now, and whether the
    /// server hands out nonces (`use_dpop_nonce`), valid for `dpop_nonce_lifetime` and the
    /// one before. Several instances check each other's nonces only when they share
    /// `dpop_nonce_credential` (a variable holding at least 32 bytes); otherwise each
    /// instance keys its nonces with a random key of its own.
    std::vector<std::string> dpop_algorithms{"ES256", "ES384", "PS256", "RS256", "EdDSA"};
    std::chrono::seconds dpop_window{60};
    bool dpop_nonce = false;
    std::chrono::seconds dpop_nonce_lifetime{300};
    std::string dpop_nonce_credential{};
    /// Sends the requests of key fetches, discovery and introspection: warden's own client
    /// (warden::detail::http_request) unless set, e.g. to go through a proxy's client.
    http_client http{};
};

/// auth::with_identity<Scheme>: identity headers that select within what the credential allows.
struct identity_settings {
    std::string user_header = "X-User-ID";
    std::string tenant_header = "X-Tenant-ID";
    std::string workspace_header = "X-Workspace-ID";
    /// Takes the tenant from the Host's first label under this domain, e.g. "api.example.com"
    /// makes `acme.api.example.com` tenant "acme". Empty: off.
    std::string tenant_domain{};
    bool tenant_required = false; ///< refuse requests that name no tenant
};

/// Brute-force defence (warden/auth/failure_limits.hpp): failed authentications allowed
/// per client address and per presented credential before the gate answers 429.
struct failure_limit_settings {
    bool enabled = true;
    unsigned per_address = 20;                         ///< failures an address may make at once...
    std::chrono::milliseconds address_refill{3'000};   ///< ...then one more per this (20 a minute)
    unsigned per_credential = 10;                      ///< failures naming one user, key id or token...
    std::chrono::milliseconds credential_refill{30'000}; ///< ...then one more per this (2 a minute)
    unsigned ipv6_prefix = 64;                         ///< IPv6 clients share a bucket per this prefix
    /// How long an address that authenticated with a credential stays exempt from that
    /// credential's bucket.
    std::chrono::hours remember_success{24 * 30};
};

struct auth_settings {
    failure_limit_settings failures{};
    bearer_settings bearer{};
    api_key_settings api_key{};
    basic_settings basic{};
    hmac_settings hmac{};
    mtls_settings mtls{};
    oauth_settings oauth{};
    identity_settings identity{};
};

} // namespace warden
