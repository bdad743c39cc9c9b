// warden/auth/jwt.hpp: JWT access tokens (RFC 7519, RFC 9068) verified against configured keys.
//
// The signature first (warden/crypto/jws.hpp), then the claims, from a strict JSON
// payload (duplicate claims, non-finite numbers and deep nesting refused):
//
// | claim       | rule                                                                       |
// |-------------|----------------------------------------------------------------------------|
// | `iss`       | equal to the configured issuer, byte for byte                              |
// | `aud`       | a string or a non-empty array of strings; one equals an accepted audience  |
// | `exp`       | required; a finite NumericDate in [0, 253402300799]; now < exp + leeway    |
// | `nbf`       | if present: now + leeway >= nbf                                            |
// | `iat`       | if present: not after now + leeway                                        |
// | `scope`     | a space-separated string (or `scp`, an array of strings)                  |
// | `cnf`       | `x5t#S256`, when present, is returned for certificate binding (RFC 8705)  |
//
// With the RFC 9068 profile (on by default) the header's `typ` must be `at+jwt` (or
// `application/at+jwt`) and `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti` must all be
// present: an ID token or any other JWT signed by the same keys is not an access token.
#pragma once

#include <warden/crypto/jws.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

struct jwt_rules {
    std::string issuer{};
    std::vector<std::string> audiences{}; ///< empty: `aud` is not checked (only with audience binding off)
    std::chrono::seconds leeway{60};
    bool access_token_profile = true;     ///< RFC 9068: typ at+jwt and its required claims
    crypto::jws_policy jws{};
};

/// What a verified access token says.
struct jwt_claims {
    std::string issuer{};
    std::string subject{};
    std::string client_id{};
    std::vector<std::string> scopes{};
    std::chrono::system_clock::time_point expires{};
    std::string x5t_s256{}; ///< cnf.x5t#S256, if bound to a certificate
    boost::json::object all{};
};

namespace detail {
inline constexpr double max_numeric_date = 253402300799.0; // 9999-12-31T23:59:59Z

/// A NumericDate claim, or an error naming it.
inline result<std::optional<double>> numeric_date(const boost::json::object& c, std::string_view name) {
    const auto* v = c.if_contains(name);
    if (!v) return std::optional<double>{};
    double d = 0;
    if (v->is_int64()) d = static_cast<double>(v->get_int64());
    else if (v->is_uint64()) d = static_cast<double>(v->get_uint64());
    else if (v->is_double()) d = v->get_double();
    else return failure(errc::invalid_credentials, "\"" + std::string(name) + "\" is not a number");
    if (!std::isfinite(d) || d < 0 || d > max_numeric_date)
        return failure(errc::invalid_credentials, "\"" + std::string(name) + "\" is out of range");
    return std::optional<double>{d};
}

/// A NumericDate as a time point. Dates the clock cannot hold (after about 2262 for a
/// nanosecond clock, though NumericDates go to 9999) become its end of time instead of
/// overflowing.
inline std::chrono::system_clock::time_point time_point_of(double seconds) {
    using clock = std::chrono::system_clock;
    constexpr double last =
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(clock::duration::max()).count()) - 1.0;
    if (seconds >= last) return clock::time_point::max();
    return clock::time_point(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds)));
}
} // namespace detail

/// Verifies `token` with `keys` under `rules` at time `now`. The error says which check
/// failed and never quotes the token; `errc::resource_not_found` means the token names a
/// `kid` the keys do not have (a reason to refetch a JWKS).
inline result<jwt_claims> verify_jwt(std::string_view token, const crypto::jwk_set& keys, const jwt_rules& rules,
                                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    auto refuse = [](std::string why) { return failure(errc::invalid_credentials, std::move(why)); };
    auto jws = crypto::verify_jws(token, keys, rules.jws);
    if (!jws) return jws.error();
    auto& v = jws.value();
    if (rules.access_token_profile) {
        const auto* typ = v.header.if_contains("typ");
        const std::string t = typ && typ->is_string() ? warden::detail::lower_ascii(typ->get_string()) : std::string();
        if (t != "at+jwt" && t != "application/at+jwt") return refuse("not an access token (typ is not at+jwt)");
    }
    auto payload = warden::detail::parse_strict_json(v.payload, {.max_bytes = 16 * 1024, .max_depth = 8});
    if (!payload) return refuse("claims: " + payload.error().message());
    if (!payload.value().is_object()) return refuse("claims are not a JSON object");
    jwt_claims out;
    out.all = std::move(payload.value().get_object());
    const auto& c = out.all;
    auto string_claim = [&](std::string_view name, std::string& into) -> result<bool> {
        const auto* x = c.if_contains(name);
        if (!x) return false;
        if (!x->is_string()) return refuse("\"" + std::string(name) + "\" is not a string");
        into = std::string(x->get_string());
        return true;
    };
    if (rules.access_token_profile)
        for (const char* required : {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"})
            if (!c.contains(required)) return refuse("claim \"" + std::string(required) + "\" missing");

    auto iss = string_claim("iss", out.issuer);
    if (!iss) return iss.error();
    if (!iss.value() || out.issuer != rules.issuer) return refuse("issuer not accepted");
    if (auto r = string_claim("sub", out.subject); !r) return r.error();
    if (auto r = string_claim("client_id", out.client_id); !r) return r.error();
    std::string jti;
    if (auto r = string_claim("jti", jti); !r) return r.error();

    if (const auto* aud = c.if_contains("aud")) {
        std::vector<std::string_view> values;
        if (aud->is_string()) {
            values.push_back(aud->get_string());
        } else if (aud->is_array() && !aud->get_array().empty()) {
            for (const auto& a : aud->get_array()) {
                if (!a.is_string()) return refuse("\"aud\" holds a non-string");
                values.push_back(a.get_string());
            }
        } else {
            return refuse("\"aud\" is neither a string nor a non-empty array of strings");
        }
        if (!rules.audiences.empty()) {
            bool match = false;
            for (auto a : values)
                for (const auto& want : rules.audiences) match = match || a == want;
            if (!match) return refuse("audience not accepted (a token for another resource)");
        }
    } else if (!rules.audiences.empty()) {
        return refuse("claim \"aud\" missing");
    }

    const double t = std::chrono::duration<double>(now.time_since_epoch()).count();
    const double leeway = static_cast<double>(rules.leeway.count());
    auto exp = detail::numeric_date(c, "exp");
    if (!exp) return exp.error();
    if (!exp.value()) return refuse("claim \"exp\" missing");
    if (t >= *exp.value() + leeway) return refuse("token expired");
    out.expires = detail::time_point_of(*exp.value());
    auto nbf = detail::numeric_date(c, "nbf");
    if (!nbf) return nbf.error();
    if (nbf.value() && t + leeway < *nbf.value()) return refuse("token not yet valid (nbf)");
    auto iat = detail::numeric_date(c, "iat");
    if (!iat) return iat.error();
    if (iat.value() && *iat.value() > t + leeway) return refuse("token issued in the future (iat)");

    if (const auto* scope = c.if_contains("scope")) {
        if (!scope->is_string()) return refuse("\"scope\" is not a string");
        std::string_view s = scope->get_string();
        while (!s.empty()) {
            const auto sp = s.find(' ');
            if (sp != 0) out.scopes.emplace_back(s.substr(0, sp));
            if (sp == std::string_view::npos) break;
            s.remove_prefix(sp + 1);
        }
    } else if (const auto* scp = c.if_contains("scp")) {
        if (!scp->is_array()) return refuse("\"scp\" is not an array");
        for (const auto& x : scp->get_array()) {
            if (!x.is_string()) return refuse("\"scp\" holds a non-string");
            out.scopes.emplace_back(x.get_string());
        }
    }
    if (const auto* cnf = c.if_contains("cnf")) {
        if (!cnf->is_object()) return refuse("\"cnf\" is not an object");
        if (const auto* x5t = cnf->get_object().if_contains("x5t#S256")) {
            if (!x5t->is_string() || x5t->get_string().empty()) return refuse("\"cnf\".\"x5t#S256\" is not a string");
            out.x5t_s256 = std::string(x5t->get_string());
        }
    }
    return out;
}

} // namespace warden::auth
