// warden/auth/gate.hpp: the auth gate seam (docs/design.md §4).
//
// An HTTP transport hands every request to its definition's auth scheme before routing it
// to a session. The scheme answers with the `principal` the request proves, or with a
// `challenge`: the status and RFC 6750 / RFC 9110 `WWW-Authenticate` value to refuse it
// with. The gate is the only place that reads credentials from a request.
//
// What a scheme must provide at run time, besides its traits (warden/concepts.hpp), is
// `a.authenticate(r)`, a member or static member function returning `gate_result` for a
// `const http_request_view& r`; the complete table, with the optional members, is in
// warden/auth/scheme.hpp.
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/client_certificate.hpp>

#include <boost/beast/http/fields.hpp>

#include <array>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace warden {

/// The SHA-256 the gate took of a presented token for its brute-force bucket: over the
/// scheme's name in lower case, ':' and the token (see `auth::token_digest`). A scheme that
/// keys something by the token (a cache of verified tokens) takes it from here instead of
/// reading the token a second time.
struct presented_digest {
    std::string_view token{}; ///< the token it covers: a view into the Authorization field
    std::array<unsigned char, 32> sha256{};
};

/// What the gate may look at: the request line, the header fields, and the peer.
struct http_request_view {
    std::string_view method{};
    std::string_view target{};
    const boost::beast::http::fields* headers = nullptr;
    std::string remote_address{}; ///< the peer (or, behind a trusted proxy, the client it names)
    bool secure = false;          ///< the request reached the server over TLS (directly or via a trusted proxy)
    std::string_view body{};      ///< the exact body bytes (for schemes that sign them)
    /// The verified client certificate, on channels that verify one; null when none.
    const client_certificate* client_cert = nullptr;
    /// A client certificate was presented (by a trusted proxy) and failed verification: why.
    std::string_view client_cert_refusal{};
    /// The digest of the presented token, when the gate took one; null otherwise.
    const presented_digest* digest = nullptr;
};

/// A refusal: the HTTP status, the WWW-Authenticate value (may be empty for 403), and an
/// RFC 6750 error code and description for the JSON body. Never contains a credential.
struct challenge {
    unsigned status = 401;
    std::string www_authenticate{};
    std::string error{};
    std::string description{};
    std::string detail{}; ///< for the server log only, when it says more than `description`
    std::string dpop_nonce{}; ///< a `DPoP-Nonce` to send (RFC 9449 §9: `use_dpop_nonce`)
};

using gate_result = std::variant<principal, challenge>;

/// True when two principals are the same caller, for binding sessions to their creator.
/// A principal without a subject is no one in particular: never the same caller as another.
inline bool same_caller(const principal& a, const principal& b) {
    return !a.subject.empty() && a.subject == b.subject && a.scheme == b.scheme && a.issuer == b.issuer && a.tenant == b.tenant;
}

} // namespace warden
