// warden/auth/settings.hpp: run-time settings of the static-credential auth schemes.
//
// A scheme's secrets never appear here: a `key_grant` names the credential variables that
// hold them, and the definition's credential source loads those (and reloads them for
// rotation). What a grant adds is who the holder is and what it may do.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace warden {

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

struct auth_settings {
    bearer_settings bearer{};
    api_key_settings api_key{};
    basic_settings basic{};
    hmac_settings hmac{};
    mtls_settings mtls{};
    identity_settings identity{};
};

} // namespace warden
