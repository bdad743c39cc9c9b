// warden/auth/dpop.hpp: checking a DPoP proof (RFC 9449 §4.3) that comes with a
// DPoP-bound access token, and the nonces a resource server hands out (§9).
//
// | step | what must hold                                                                |
// |------|-------------------------------------------------------------------------------|
// | 1    | one `DPoP` header field, one compact JWS                                       |
// | 2    | header `typ` "dpop+jwt", `alg` asymmetric and allowed, `jwk` a public key      |
// |      | (crypto::parse_jwk: no private members, no weak key), no `kid`/`x5c` lookups    |
// | 3    | the signature verifies with that `jwk`                                         |
// | 4    | `jti` a string (1-256 bytes), `htm` the request's method, `htu` the request's   |
// |      | URI (scheme, host and path compared after RFC 3986 normalisation; query and    |
// |      | fragment ignored), `iat` within the window either side of now                  |
// | 5    | `ath`: base64url SHA-256 of the access token                                   |
// | 6    | `nonce`, when the server asks for one: a current nonce (else `use_dpop_nonce`) |
//
// What this header does not do: binding the token to the key (the caller compares the
// token's `cnf.jkt` with `jwk_thumbprint`), and remembering `jti`s (the caller's replay
// store, after every other check passed).
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/crypto/jws.hpp>
#include <warden/detail/strict_json.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace warden::auth {

/// The RFC 7638 thumbprint of a public JWK: base64url SHA-256 of its required members
/// (EC: crv, kty, x, y; RSA: e, kty, n; OKP: crv, kty, x) in that order, as compact JSON.
/// Nothing for another key type or a required member that is not a string.
inline std::optional<std::string> jwk_thumbprint(const boost::json::object& jwk) {
    const auto* kty = jwk.if_contains("kty");
    if (!kty || !kty->is_string()) return std::nullopt;
    std::vector<const char*> names;
    if (kty->get_string() == "EC") names = {"crv", "kty", "x", "y"};
    else if (kty->get_string() == "RSA") names = {"e", "kty", "n"};
    else if (kty->get_string() == "OKP") names = {"crv", "kty", "x"};
    else return std::nullopt;
    boost::json::object canonical;
    for (const char* n : names) {
        const auto* v = jwk.if_contains(n);
        if (!v || !v->is_string()) return std::nullopt;
        canonical.emplace(n, v->get_string());
    }
    const auto d = crypto::sha256(boost::json::serialize(canonical));
    return crypto::base64url_encode({reinterpret_cast<const char*>(d.data()), d.size()});
}

/// An http(s) URI reduced to what `htu` is compared on: lower-case scheme and host, the
/// port only when it is not the scheme's default, the path normalised (RFC 3986 §6.2.2;
/// empty is "/"); query and fragment dropped. Nothing for anything else.
inline std::optional<std::string> dpop_uri(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed || !parsed->has_authority()) return std::nullopt;
    boost::urls::url u = *parsed;
    u.normalize();
    const std::string scheme(u.scheme());
    if (scheme != "https" && scheme != "http") return std::nullopt;
    if (u.encoded_host().empty()) return std::nullopt;
    std::string out = scheme + "://" + std::string(u.encoded_host());
    if (u.has_port() && !((scheme == "https" && u.port() == "443") || (scheme == "http" && u.port() == "80")))
        out += ":" + std::string(u.port());
    const std::string path(u.encoded_path());
    return out + (path.empty() ? std::string("/") : path);
}

namespace detail {
/// The key a proof's `jwk` names, parsed and checked (crypto::parse_jwk: a point on the
/// curve, no private members, no weak key) once per thread for the same JWK text: checking
/// an EC point costs as much as a signature. Keyed by the whole JWK as received, so a JWK
/// that differs in any member is parsed and checked again; the proof's signature, claims and
/// jti are checked every time.
inline result<std::shared_ptr<const crypto::jwk>> proof_key(const boost::json::object& jwk) {
    thread_local std::unordered_map<std::string, std::shared_ptr<const crypto::jwk>> seen;
    std::string text = boost::json::serialize(jwk);
    if (auto it = seen.find(text); it != seen.end()) return it->second;
    auto key = crypto::parse_jwk(jwk);
    if (!key) return key.error();
    if (key.value().kty == "oct") return failure(errc::invalid_credentials, "a symmetric key");
    key.value().kid.clear(); // the proof has no kid: the one key must be chosen by fit
    auto shared = std::make_shared<const crypto::jwk>(std::move(key).value());
    if (seen.size() >= 1024) seen.clear();
    seen.emplace(std::move(text), shared);
    return shared;
}
} // namespace detail

/// What a proof must match.
struct dpop_expectations {
    std::string_view method{};                ///< the request's method, e.g. "POST"
    std::vector<std::string> uris{};          ///< dpop_uri() forms the request may be addressed as
    std::string_view access_token{};          ///< for `ath`
    std::chrono::system_clock::time_point now{};
    std::chrono::seconds window{60};          ///< |now - iat| must not exceed this
    std::vector<crypto::jws_alg> algorithms{};
    /// When set, the proof's `nonce` must satisfy it (a server that hands out nonces).
    std::function<bool(std::string_view)> nonce_valid{};
};

/// A proof that passed: the key's thumbprint and the proof's id (for the replay store).
struct dpop_proof {
    std::string jkt;
    std::string jti;
};

/// A proof refused: `nonce` when only the nonce is missing or stale (the client retries
/// with the one the server sends), otherwise an invalid proof. `why` never quotes the proof.
struct dpop_refusal {
    bool nonce = false;
    std::string why;
};

/// Checks `proof` as the table at the top says.
inline std::variant<dpop_proof, dpop_refusal> check_dpop_proof(std::string_view proof, const dpop_expectations& want) {
    auto refuse = [](std::string why) { return dpop_refusal{false, std::move(why)}; };
    if (proof.empty() || proof.size() > 8 * 1024) return refuse("the DPoP proof is empty or too long");
    const auto dot = proof.find('.');
    if (dot == std::string_view::npos) return refuse("the DPoP proof is not a compact JWS");
    auto header_bytes = crypto::base64url_decode(proof.substr(0, dot));
    if (!header_bytes) return refuse("the DPoP proof's header is not base64url");
    auto header = warden::detail::parse_strict_json(header_bytes.value(), {.max_bytes = 4096, .max_depth = 4});
    if (!header || !header.value().is_object()) return refuse("the DPoP proof's header is not a JSON object");
    const auto& h = header.value().get_object();
    const auto* typ = h.if_contains("typ");
    if (!typ || !typ->is_string() || typ->get_string() != "dpop+jwt") return refuse("the DPoP proof's typ is not dpop+jwt");
    const auto* alg = h.if_contains("alg");
    const auto parsed_alg = alg && alg->is_string() ? crypto::parse_jws_alg(alg->get_string()) : std::nullopt;
    if (!parsed_alg || crypto::is_hmac(*parsed_alg) ||
        std::find(want.algorithms.begin(), want.algorithms.end(), *parsed_alg) == want.algorithms.end())
        return refuse("the DPoP proof's alg is not an accepted asymmetric algorithm");
    if (h.contains("kid") || h.contains("x5c") || h.contains("jku") || h.contains("x5u"))
        return refuse("the DPoP proof names its key other than by jwk");
    const auto* jwk_v = h.if_contains("jwk");
    if (!jwk_v || !jwk_v->is_object()) return refuse("the DPoP proof carries no jwk");
    auto key = detail::proof_key(jwk_v->get_object());
    if (!key) return refuse("the DPoP proof's jwk: " + key.error().message());
    auto jkt = jwk_thumbprint(jwk_v->get_object());
    if (!jkt) return refuse("the DPoP proof's jwk has no thumbprint");
    crypto::jws_policy policy;
    policy.algorithms = {*parsed_alg};
    policy.max_token_bytes = 8 * 1024;
    auto verified = crypto::verify_jws(proof, crypto::jwk_set{{*key.value()}}, policy);
    if (!verified) return refuse("the DPoP proof: " + verified.error().message());

    auto claims = warden::detail::parse_strict_json(verified.value().payload, {.max_bytes = 8192, .max_depth = 4});
    if (!claims || !claims.value().is_object()) return refuse("the DPoP proof's claims are not a JSON object");
    const auto& c = claims.value().get_object();
    auto text = [&](std::string_view name) -> std::optional<std::string_view> {
        const auto* v = c.if_contains(name);
        if (!v || !v->is_string()) return std::nullopt;
        return std::string_view(v->get_string());
    };
    const auto jti = text("jti");
    if (!jti || jti->empty() || jti->size() > 256) return refuse("the DPoP proof has no jti");
    const auto htm = text("htm");
    if (!htm || *htm != want.method) return refuse("the DPoP proof's htm is not this request's method");
    const auto htu = text("htu");
    const auto htu_form = htu ? dpop_uri(*htu) : std::nullopt;
    if (!htu_form || std::find(want.uris.begin(), want.uris.end(), *htu_form) == want.uris.end())
        return refuse("the DPoP proof's htu is not this request's URI");
    const auto* iat = c.if_contains("iat");
    if (!iat || !iat->is_number()) return refuse("the DPoP proof has no iat");
    const double issued = iat->to_number<double>();
    const double t = std::chrono::duration<double>(want.now.time_since_epoch()).count();
    if (!std::isfinite(issued) || std::abs(t - issued) > static_cast<double>(want.window.count()))
        return refuse("the DPoP proof's iat is outside the accepted window");
    const auto ath = text("ath");
    const auto digest = crypto::sha256(want.access_token);
    const auto expected_ath = crypto::base64url_encode({reinterpret_cast<const char*>(digest.data()), digest.size()});
    if (!ath || !crypto::equal_secrets(*ath, expected_ath)) return refuse("the DPoP proof's ath is not this token's hash");
    if (want.nonce_valid) {
        const auto nonce = text("nonce");
        if (!nonce || !want.nonce_valid(*nonce)) return dpop_refusal{true, "the DPoP proof has no current nonce"};
    }
    return dpop_proof{std::move(jkt).value(), std::string(*jti)};
}

/// Nonces a resource server hands out: an HMAC of the time slot under the server's key,
/// so any instance with that key checks them without state. One is valid in its slot and
/// the next (one to two lifetimes).
class dpop_nonces {
public:
    dpop_nonces(std::string key, std::chrono::seconds lifetime) : key_(std::move(key)), lifetime_(lifetime) {}

    std::string current(std::chrono::system_clock::time_point now) const { return of(slot(now)); }
    bool valid(std::string_view nonce, std::chrono::system_clock::time_point now) const {
        const auto s = slot(now);
        return crypto::equal_secrets(nonce, of(s)) || crypto::equal_secrets(nonce, of(s - 1));
    }

private:
    long long slot(std::chrono::system_clock::time_point now) const {
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
        return secs / std::max<long long>(1, lifetime_.count());
    }
    std::string of(long long s) const {
        const auto mac = crypto::hmac_sha256(key_, "dpop-nonce:" + std::to_string(s));
        return crypto::base64url_encode({reinterpret_cast<const char*>(mac.data()), 18});
    }
    std::string key_;
    std::chrono::seconds lifetime_;
};

} // namespace warden::auth
