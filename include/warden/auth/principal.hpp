// warden/auth/principal.hpp: who is calling, as the auth gate established it.
//
// Handlers see a `principal`, never the credential that proved it: a token received from
// a client cannot be forwarded upstream by accident (the MCP spec bans token passthrough).
#pragma once

#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

class delegated_token; // warden/delegation.hpp

struct principal {
    std::string subject{};             ///< who: a user id, a key name, "local-user:<uid>"
    std::string scheme{};              ///< how it was established: "process_env", "bearer", ...
    std::string issuer{};              ///< who vouches for the subject (an OAuth issuer), if any
    std::string client{};              ///< the client application, if known
    std::string tenant{};              ///< the tenant the caller acts for, if any
    std::string workspace{};           ///< the workspace within the tenant, if any
    std::vector<std::string> scopes{}; ///< what the caller may do
    bool unrestricted = false;       ///< holds every scope (the local process on stdio)
    boost::json::object claims{};      ///< further verified attributes (never a credential)
    /// When the credential that proved it stops being valid (a token's `exp`), if it says.
    /// A long-lived stream (WebSocket, SSE) ends then.
    std::optional<std::chrono::system_clock::time_point> expires{};
    /// The credential can be verified again from the request that presented it (a token, a
    /// key, a password, a certificate): long-lived streams re-ask the gate. An HMAC
    /// signature cannot (its nonce is spent): such a stream is not re-verified.
    bool reverifiable = true;
    // Where the proof came from, for the audit log: not part of the identity.
    std::string address{};             ///< the client address of the request that proved it
    std::string request_id{};          ///< warden's id of that HTTP request (X-Request-Id)
    /// The token this request presented, sealed, when the auth scheme keeps it for token
    /// exchange (`oauth_settings::keep_token_for_exchange`): an opaque capability that only
    /// `upstream::token_exchange` can spend, and nothing can read (warden/delegation.hpp).
    std::shared_ptr<const delegated_token> delegation{};

    bool has_scope(std::string_view scope) const {
        return unrestricted || std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
    }
    /// True when every scope in `needed` is held.
    bool has_scopes(std::span<const std::string> needed) const {
        return std::all_of(needed.begin(), needed.end(), [&](const std::string& s) { return has_scope(s); });
    }
};

/// The scopes an operation needs, e.g. `requires_scopes{"repo:read"}`.
struct requires_scopes {
    std::vector<std::string> scopes{};
    requires_scopes(std::initializer_list<std::string> s) : scopes(s) {}
    explicit requires_scopes(std::vector<std::string> s) : scopes(std::move(s)) {}
};

} // namespace warden
