// warden/auth/jwt.hpp: JWT access tokens (RFC 7519, RFC 9068) verified against configured keys.
//
// The signature first (warden/crypto/jws.hpp), then the claims, from a strict JSON
// payload (duplicate claims, non-finite numbers and deep nesting refused):
//
// | claim       | rule                                                                       |
// |-------------|----------------------------------------------------------------------------|
// | `iss`       | equal to the configured issuer, byte for byte (or, for an issuer written   |
// |             | with `{tenant}`, equal to it with one of the listed tenants)               |
// | `aud`       | a string or a non-empty array of strings; one equals an accepted audience  |
// | `exp`       | required; a finite NumericDate in [0, 253402300799]; now < exp + leeway    |
// | `nbf`       | if present: now + leeway >= nbf                                            |
// | `iat`       | if present: not after now + leeway                                        |
// | scopes      | the profile's scope claims: space-separated strings or arrays of strings   |
// | `cnf`       | `x5t#S256` and `jkt`, when present, are returned for certificate binding  |
// |             | (RFC 8705) and DPoP binding (RFC 9449)                                     |
//
// The issuer's token profile (warden/auth/token_profile.hpp; RFC 9068 by default) says
// which header `typ` marks an access token, which claims must be present or hold a fixed
// value, which claim names the client and where scopes and roles are: an ID token or any
// other JWT signed by the same keys is not an access token.
#pragma once

#include <warden/auth/token_profile.hpp>
#include <warden/crypto/jws.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

struct jwt_rules {
    /// Its `iss`; `{tenant}` in it stands for each of `tenants` (one issuer per tenant).
    std::string issuer{};
    std::vector<std::string> tenants{};
    std::vector<std::string> audiences{}; ///< empty: `aud` is not checked (only with audience binding off)
    std::vector<std::string> clients{};   ///< if any: the client must be one of these
    std::chrono::seconds leeway{60};
    /// Off: the profile's `typ` and required claims are not checked (a deployment's escape
    /// hatch, `oauth_settings::access_token_profile`); its other rules still hold.
    bool access_token_profile = true;
    token_profile profile{};
    crypto::jws_policy jws{};
};

/// What a verified access token says.
struct jwt_claims {
    std::string issuer{};
    std::string tenant{};   ///< the tenant its issuer names, for an issuer with `{tenant}`
    std::string subject{};
    std::string client_id{};
    std::vector<std::string> scopes{};
    std::chrono::system_clock::time_point expires{};
    std::string x5t_s256{}; ///< cnf.x5t#S256, if bound to a certificate
    std::string jkt{};      ///< cnf.jkt, if bound to a DPoP key (RFC 9449)
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
/// The tenant `iss` names when it is `pattern` with `{tenant}` replaced by one of
/// `tenants`; "" when `pattern` has no `{tenant}` and equals `iss`; nothing otherwise.
inline std::optional<std::string> match_issuer(std::string_view pattern, const std::vector<std::string>& tenants,
                                               std::string_view iss) {
    constexpr std::string_view slot = "{tenant}";
    const auto at = pattern.find(slot);
    if (at == std::string_view::npos) {
        if (iss == pattern) return std::string();
        return std::nullopt;
    }
    const auto head = pattern.substr(0, at), tail = pattern.substr(at + slot.size());
    if (iss.size() <= head.size() + tail.size() || !iss.starts_with(head) || !iss.ends_with(tail)) return std::nullopt;
    const auto tenant = iss.substr(head.size(), iss.size() - head.size() - tail.size());
    for (const auto& t : tenants)
        if (t == tenant) return std::string(tenant);
    return std::nullopt;
}

/// The value at a dotted `path` ("realm_access.roles") in `c`, or null.
inline const boost::json::value* claim_at(const boost::json::object& c, std::string_view path) {
    const boost::json::object* o = &c;
    for (;;) {
        const auto dot = path.find('.');
        const auto* v = o->if_contains(path.substr(0, dot));
        if (!v || dot == std::string_view::npos) return v;
        o = v->if_object();
        if (!o) return nullptr;
        path.remove_prefix(dot + 1);
    }
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
    const token_profile& profile = rules.profile;
    // Tokens without an audience are bound to this server through their client: a profile
    // that reads no audience needs a list of clients, or every token of the issuer would do.
    if (!profile.audience && rules.clients.empty())
        return refuse("the " + profile.name + " profile reads no audience, and no client is listed");
    if (rules.access_token_profile && !profile.types.empty()) {
        const auto* typ = v.header.if_contains("typ");
        if (typ && !typ->is_string()) return refuse("\"typ\" is not a string");
        const std::string t = typ ? warden::detail::lower_ascii(typ->get_string()) : std::string();
        if (std::find(profile.types.begin(), profile.types.end(), t) == profile.types.end())
            return refuse(typ ? "not an access token (typ " + t + " is not one of the " + profile.name + " profile's)"
                              : "not an access token (no typ, which the " + profile.name + " profile requires)");
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
        for (const auto& required : profile.required_claims)
            if (!c.contains(required)) return refuse("claim \"" + required + "\" missing");
    for (const auto& [name, want] : profile.claim_values) {
        const auto* x = c.if_contains(name);
        if (!x || !x->is_string() || x->get_string() != want)
            return refuse("claim \"" + name + "\" is not \"" + want + "\" (not an access token of this issuer)");
    }

    auto iss = string_claim("iss", out.issuer);
    if (!iss) return iss.error();
    auto tenant = iss.value() ? detail::match_issuer(rules.issuer, rules.tenants, out.issuer) : std::nullopt;
    if (!tenant) return refuse("issuer not accepted");
    out.tenant = std::move(*tenant);
    if (!profile.tenant_claim.empty()) {
        std::string named;
        auto r = string_claim(profile.tenant_claim, named);
        if (!r) return r.error();
        if (r.value() && !out.tenant.empty() && named != out.tenant)
            return refuse("\"" + profile.tenant_claim + "\" names another tenant than the issuer");
        if (r.value()) out.tenant = std::move(named);
        const bool per_issuer = rules.issuer.find("{tenant}") != std::string::npos;
        if (!per_issuer && !rules.tenants.empty() &&
            std::find(rules.tenants.begin(), rules.tenants.end(), out.tenant) == rules.tenants.end())
            return refuse("tenant not accepted");
    }
    if (auto r = string_claim("sub", out.subject); !r) return r.error();
    for (const auto& name : profile.client_claims) {
        auto r = string_claim(name, out.client_id);
        if (!r) return r.error();
        if (r.value()) break;
    }
    if (!rules.clients.empty() &&
        std::find(rules.clients.begin(), rules.clients.end(), out.client_id) == rules.clients.end())
        return refuse("client not accepted");
    std::string jti;
    if (auto r = string_claim("jti", jti); !r) return r.error();

    if (!profile.audience) {
        // The issuer's access tokens name no audience (the client was checked instead).
    } else if (const auto* aud = c.if_contains("aud")) {
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

    std::set<std::string, std::less<>> scopes;
    for (const auto& [name, form] : profile.scope_claims) {
        const auto* x = c.if_contains(name);
        if (!x) continue;
        if (form == scope_form::text && !x->is_string()) return refuse("\"" + name + "\" is not a string");
        if (form == scope_form::list && !x->is_array()) return refuse("\"" + name + "\" is not an array");
        if (x->is_string()) {
            std::string_view s = x->get_string();
            while (!s.empty()) {
                const auto sp = s.find(' ');
                if (sp != 0) scopes.emplace(s.substr(0, sp));
                if (sp == std::string_view::npos) break;
                s.remove_prefix(sp + 1);
            }
        } else if (x->is_array()) {
            for (const auto& e : x->get_array()) {
                if (!e.is_string()) return refuse("\"" + name + "\" holds a non-string");
                scopes.emplace(e.get_string());
            }
        } else {
            return refuse("\"" + name + "\" is neither a string nor an array of strings");
        }
    }
    for (const auto& path : profile.role_claims) {
        const auto* x = detail::claim_at(c, path);
        if (!x) continue;
        if (!x->is_array()) return refuse("\"" + path + "\" is not an array of roles");
        for (const auto& e : x->get_array()) {
            if (!e.is_string()) return refuse("\"" + path + "\" holds a non-string");
            const std::string_view role = e.get_string();
            if (profile.role_scopes.empty()) {
                scopes.emplace(role);
            } else if (auto m = profile.role_scopes.find(std::string(role)); m != profile.role_scopes.end()) {
                scopes.insert(m->second.begin(), m->second.end());
            }
        }
    }
    out.scopes.assign(scopes.begin(), scopes.end());
    if (const auto* cnf = c.if_contains("cnf")) {
        if (!cnf->is_object()) return refuse("\"cnf\" is not an object");
        if (const auto* x5t = cnf->get_object().if_contains("x5t#S256")) {
            if (!x5t->is_string() || x5t->get_string().empty()) return refuse("\"cnf\".\"x5t#S256\" is not a string");
            out.x5t_s256 = std::string(x5t->get_string());
        }
        if (const auto* jkt = cnf->get_object().if_contains("jkt")) {
            if (!jkt->is_string() || jkt->get_string().empty()) return refuse("\"cnf\".\"jkt\" is not a string");
            out.jkt = std::string(jkt->get_string());
        }
    }
    return out;
}

} // namespace warden::auth
