// warden/auth/http_credentials.hpp: what the HTTP schemes share: reading credentials from
// exactly the headers a scheme names, building RFC 6750 / RFC 9110 challenges, and
// matching a presented secret against configured ones in constant time.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/principal.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <span>
#include <variant>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

/// `value` as an RFC 9110 quoted-string: backslash before `"` and `\`; other control
/// characters dropped (a challenge never needs them).
inline std::string quoted(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
        out += c;
    }
    return out + "\"";
}

/// Challenges (a refusal names the scheme's challenge; its body carries only the code).
struct challenges {
    std::string scheme; ///< "Bearer", "Basic", ...
    std::string realm;
    /// Further auth-params of every challenge, already formatted (`resource_metadata="..."`).
    std::string parameters{};
    /// The scope to name when the request asks for nothing in particular (401s).
    std::string default_scope{};

    std::string header(std::string_view error = {}, std::string_view description = {},
                       std::string_view scope = {}) const {
        std::string h = scheme + " realm=" + quoted(realm);
        if (!parameters.empty()) h += ", " + parameters;
        if (!error.empty()) h += ", error=" + quoted(error);
        if (!description.empty()) h += ", error_description=" + quoted(description);
        if (scope.empty() && error != "insufficient_scope") scope = default_scope;
        if (!scope.empty()) h += ", scope=" + quoted(scope);
        return h;
    }
    /// No credentials: 401 with the challenge and no error code.
    challenge missing() const { return {401, header(), "", ""}; }
    /// A credential that is wrong: 401 invalid_token. `why` goes to the body and the log; it
    /// never contains the credential.
    challenge invalid(std::string_view why) const {
        return {401, header("invalid_token", why), "invalid_token", std::string(why)};
    }
    /// A request that is malformed: 400 invalid_request.
    challenge malformed(std::string_view why) const {
        return {400, header("invalid_request", why), "invalid_request", std::string(why)};
    }
    /// An authenticated caller without the permission: 403 insufficient_scope.
    challenge forbidden(std::string_view why, std::string_view scope = {}) const {
        return {403, header("insufficient_scope", why, scope), "insufficient_scope", std::string(why)};
    }
};

/// The values of header `name` (several fields with one name are several values).
inline std::vector<std::string_view> header_values(const http_request_view& r, std::string_view name) {
    std::vector<std::string_view> out;
    if (!r.headers) return out;
    auto [first, last] = r.headers->equal_range(name);
    for (auto it = first; it != last; ++it) out.push_back(it->value());
    return out;
}

/// True when the request target carries a credential in its query string (RFC 6750 §2.3
/// `access_token`). Never read: URLs end up in logs and histories. Alone it is no credential
/// at all; beside one in a header it is a request that uses two methods (400).
inline bool credential_in_query(std::string_view target) {
    if (target.find('?') == std::string_view::npos) return false; // no query: nothing to parse
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return false;
    for (auto p : url->params())
        if (p.key == "access_token") return true;
    return false;
}

/// RFC 9110 token: 1*tchar, the syntax of an auth-scheme's name.
inline bool is_token(std::string_view s) {
    constexpr std::string_view others = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               others.find(c) != std::string_view::npos;
    });
}

/// The Authorization field as scheme and credentials.
struct authorization {
    enum class kind { absent, other_scheme, present, malformed } state = kind::absent;
    std::string_view credentials{}; ///< after the scheme name and its spaces (state present)
    std::string reason{};           ///< why it is malformed
};

/// Reads the single Authorization field for `scheme` (compared case-insensitively). A field
/// that does not start with a scheme name (`Bearer:`, an empty value) is malformed for every
/// scheme.
inline authorization read_authorization(const http_request_view& r, std::string_view scheme) {
    if (!r.headers) return {};
    const auto [first, last] = r.headers->equal_range(boost::beast::http::field::authorization);
    if (first == last) return {};
    if (std::next(first) != last) return {authorization::kind::malformed, {}, "more than one Authorization field"};
    std::string_view v = first->value();
    const auto space = v.find(' ');
    const std::string_view name = v.substr(0, space);
    if (!is_token(name)) return {authorization::kind::malformed, {}, "the Authorization field does not name a scheme"};
    if (name.size() != scheme.size() || OPENSSL_strncasecmp(name.data(), scheme.data(), scheme.size()) != 0)
        return {authorization::kind::other_scheme, {}, {}};
    if (space == std::string_view::npos) return {authorization::kind::present, {}, {}};
    v.remove_prefix(space);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return {authorization::kind::present, v, {}};
}

/// The request carries an Authorization field for `scheme` (or a malformed one that the
/// scheme must refuse): what `presents(r)` of an Authorization-based scheme answers.
inline bool presents_authorization(const http_request_view& r, std::string_view scheme) {
    const auto state = read_authorization(r, scheme).state;
    return state == authorization::kind::present || state == authorization::kind::malformed;
}

/// The credentials after `scheme` in the request's Authorization field, or the refusal: none
/// (401 with the challenge; a credential only in the query string is not read) or a malformed
/// request (400: two fields, no scheme name, a credential in the query string as well).
inline std::variant<std::string_view, challenge> authorization_credentials(const http_request_view& r,
                                                                           std::string_view scheme,
                                                                           const challenges& refuse) {
    const auto a = read_authorization(r, scheme);
    switch (a.state) {
    case authorization::kind::absent:
    case authorization::kind::other_scheme: return refuse.missing();
    case authorization::kind::malformed: return refuse.malformed(a.reason);
    case authorization::kind::present: break;
    }
    if (credential_in_query(r.target))
        return refuse.malformed("credentials in both the Authorization field and the query string");
    return a.credentials;
}

/// RFC 9110 token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
inline bool is_token68(std::string_view s) {
    // One table look-up per character: a JWT is hundreds of them, on every request.
    static constexpr auto allowed = [] {
        std::array<bool, 256> t{};
        for (int c = 0; c < 256; ++c)
            t[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                             (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                                             c == '+' || c == '/';
        return t;
    }();
    std::size_t i = 0;
    while (i < s.size() && allowed[static_cast<unsigned char>(s[i])]) ++i;
    if (i == 0) return false;
    for (; i < s.size(); ++i)
        if (s[i] != '=') return false;
    return true;
}

/// What follows `Authorization: Bearer` before its syntax is checked (`bearer_token` checks
/// it): for a scheme that looks the token up where only well-formed tokens were ever put, and
/// checks the syntax only when it is not found there.
inline std::variant<std::string_view, challenge> bearer_credentials(const http_request_view& r, const challenges& refuse) {
    auto read = authorization_credentials(r, "Bearer", refuse);
    if (std::holds_alternative<challenge>(read)) return read;
    if (std::get<std::string_view>(read).empty()) return refuse.malformed("no token after the Bearer scheme");
    return read;
}

/// The refusal of bearer credentials `token` that are not one token68, else nothing.
inline std::optional<challenge> malformed_bearer(std::string_view token, const challenges& refuse) {
    if (is_token68(token)) return std::nullopt;
    return refuse.malformed("the bearer credentials are not one token68");
}

/// The token of `Authorization: Bearer <token>` (RFC 6750 §2.1), or the refusal: none (401,
/// the challenge alone), or a malformed request, 400 invalid_request (§3.1): no token, or
/// anything but one token68 after the scheme (a second word, a comma and another scheme,
/// quotes, `%`, `=` inside, bytes outside ASCII), besides the cases of
/// `authorization_credentials`.
inline std::variant<std::string_view, challenge> bearer_token(const http_request_view& r, const challenges& refuse) {
    auto read = bearer_credentials(r, refuse);
    if (std::holds_alternative<challenge>(read)) return read;
    if (auto refused = malformed_bearer(std::get<std::string_view>(read), refuse)) return std::move(*refused);
    return read;
}

/// Configured secrets, kept as SHA-256 digests, matched against presented values in
/// constant time: every entry is compared, whatever matched, so timing tells nothing of
/// which (or whether one) matched; and a fixed-length digest is compared, so neither do
/// prefixes or lengths.
class digest_table {
public:
    /// Adds one grant's secrets (several for a header pair), hashed.
    void add(std::size_t grant, std::vector<crypto::sha256_digest> digests) {
        entries_.push_back({grant, std::move(digests)});
    }
    bool empty() const noexcept { return entries_.empty(); }
    /// The grant of the entry with exactly these digests (configuration time only: not
    /// constant time).
    std::optional<std::size_t> grant_of(const std::vector<crypto::sha256_digest>& digests) const {
        for (const auto& e : entries_)
            if (e.digests == digests) return e.grant;
        return std::nullopt;
    }
    /// The grant whose secrets equal `presented`, if any.
    std::optional<std::size_t> find(std::initializer_list<std::string_view> presented) const {
        return find(std::span(presented.begin(), presented.size()));
    }
    std::optional<std::size_t> find(std::span<const std::string_view> presented) const {
        // A token, or a header pair: the digests on the stack (more only for a long list).
        std::array<crypto::sha256_digest, 4> few;
        std::vector<crypto::sha256_digest> many;
        if (presented.size() > few.size()) many.resize(presented.size());
        const std::span<crypto::sha256_digest> digests =
            many.empty() ? std::span(few).first(presented.size()) : std::span(many);
        for (std::size_t i = 0; i < presented.size(); ++i) digests[i] = crypto::sha256(presented[i]);
        std::size_t found = 0;
        unsigned char any = 0;
        for (const auto& e : entries_) {
            unsigned char same = e.digests.size() == digests.size() ? 1 : 0;
            for (std::size_t i = 0; same && i < digests.size(); ++i)
                same &= CRYPTO_memcmp(e.digests[i].data(), digests[i].data(), digests[i].size()) == 0 ? 1 : 0;
            // Branch-free select of the first match.
            const std::size_t take = static_cast<std::size_t>(0) - static_cast<std::size_t>(same & ~any & 1);
            found = (found & ~take) | (e.grant & take);
            any |= same;
        }
        if (!any) return std::nullopt;
        return found;
    }

private:
    struct entry {
        std::size_t grant;
        std::vector<crypto::sha256_digest> digests;
    };
    std::vector<entry> entries_;
};

/// The principal a grant makes: its name, scheme, scopes, and the tenants it may act for
/// (claim "tenants", read by auth::with_identity).
inline principal principal_of(const key_grant& g, std::string_view scheme) {
    principal p;
    p.subject = g.name;
    p.scheme = std::string(scheme);
    p.scopes = g.scopes;
    if (!g.tenants.empty()) {
        boost::json::array t;
        for (const auto& x : g.tenants) t.emplace_back(x);
        p.claims.emplace("tenants", std::move(t));
    }
    return p;
}

/// The variables that `grants` need declared: each credential, required unless the grant
/// is optional.
inline std::vector<variable> grant_variables(const std::vector<key_grant>& grants, std::string_view what) {
    std::vector<variable> out;
    for (const auto& g : grants)
        for (const auto& c : g.credentials)
            out.push_back({c, std::string(what) + " for " + g.name, g.required, true});
    return out;
}

/// Builds the digest table for `grants` from `creds`: every configured secret must pass
/// `valid` (which returns an empty string or what is wrong); two grants may not share a
/// secret; at least one grant must be usable. `parts` is how many credentials a grant
/// names (one per header).
template <class Valid>
result<digest_table> load_grants(const std::vector<key_grant>& grants, const credential_set& creds,
                                 std::size_t parts, std::string_view what, Valid valid) {
    digest_table table;
    std::string names;
    for (std::size_t i = 0; i < grants.size(); ++i) {
        const auto& g = grants[i];
        if (g.credentials.size() != parts)
            return failure(errc::invalid_argument, std::string(what) + " grant \"" + g.name + "\" names " +
                                                       std::to_string(g.credentials.size()) +
                                                       " credentials; it needs " + std::to_string(parts));
        std::vector<crypto::sha256_digest> digests;
        for (const auto& c : g.credentials) {
            names += (names.empty() ? "" : ", ") + c;
            const secret* s = creds.find_secret(c);
            if (!s || s->empty()) break;
            if (auto bad = valid(s->reveal()); !bad.empty())
                return failure(errc::invalid_credentials, c + ": " + bad);
            digests.push_back(crypto::sha256(s->reveal()));
        }
        // A grant whose secret is absent or empty is not configured. `required` is the
        // credential loader's to enforce (it refuses to start, or to reload, without one);
        // here an absent secret can never match anything.
        if (digests.size() != parts) continue;
        if (auto other = table.grant_of(digests)) {
            // The same secret twice is harmless when it grants the same (mid-rotation, the
            // new token briefly in both slots); otherwise it would be ambiguous.
            const auto& o = grants[*other];
            if (o.name == g.name && o.scopes == g.scopes && o.tenants == g.tenants) continue;
            return failure(errc::invalid_credentials,
                           std::string(what) + " grant \"" + g.name + "\" has the same secret as grant \"" + o.name +
                               "\"");
        }
        table.add(i, std::move(digests));
    }
    if (table.empty())
        return failure(errc::missing_credentials,
                       "no " + std::string(what) + " is configured" + (names.empty() ? "" : ": set " + names));
    return table;
}

} // namespace warden::auth
