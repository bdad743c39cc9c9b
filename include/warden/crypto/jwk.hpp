// warden/crypto/jwk.hpp: JSON Web Keys (RFC 7517/7518/8037) for verifying signatures.
//
// A key is checked when it is loaded, not when a token arrives:
//
// | kty   | accepted                                                                  |
// |-------|---------------------------------------------------------------------------|
// | `RSA` | `n` of 2048..16384 bits without leading zero octets, odd `e` >= 3; not a   |
// |       | ROCA-weak modulus (Infineon, CVE-2017-15361)                               |
// | `EC`  | `crv` P-256, P-384 or P-521, `x` and `y` of the curve's exact length, a    |
// |       | point on the curve                                                         |
// | `OKP` | `crv` Ed25519, `x` of 32 bytes                                             |
// | `oct` | only where symmetric keys are allowed (never from a URL); `k` at least 32  |
// |       | bytes, and at least the hash's size for HS384/HS512                        |
//
// Every key: `use`, when present, is "sig"; `key_ops`, when present, lists "verify"; `alg`,
// when present, is one this library verifies and fits the key type and curve; no private
// members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`). A set may not repeat a `kid`, nor mix
// symmetric and asymmetric keys (so an HMAC secret and a public key are never candidates
// for one token). `x5c`, `x5u`, `x5t` are ignored: keys come from configuration only.
//
// In a set, a key that could never verify a signature of ours (`use` "enc", `key_ops`
// without "verify", an encryption `alg`, a key type or curve we do not verify with, RSA
// under 2048 bits) is skipped, with the reason kept for the log: issuers publish such keys
// beside their signing keys (Keycloak, an RSA-OAEP key by default), and refusing the whole
// set would refuse every token. Anything else wrong with a key, and a set with no usable
// key left, refuses the set.
#pragma once

#include <warden/credentials/secret.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/openssl.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <boost/json.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::crypto {

/// The JWS algorithms warden verifies (RFC 7518 §3, RFC 8037). `none` is not one of them.
enum class jws_alg { HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };

inline constexpr std::array<std::pair<jws_alg, std::string_view>, 13> jws_alg_names{{
    {jws_alg::HS256, "HS256"}, {jws_alg::HS384, "HS384"}, {jws_alg::HS512, "HS512"}, {jws_alg::RS256, "RS256"},
    {jws_alg::RS384, "RS384"}, {jws_alg::RS512, "RS512"}, {jws_alg::PS256, "PS256"}, {jws_alg::PS384, "PS384"},
    {jws_alg::PS512, "PS512"}, {jws_alg::ES256, "ES256"}, {jws_alg::ES384, "ES384"}, {jws_alg::ES512, "ES512"},
    {jws_alg::EdDSA, "EdDSA"},
}};

/// The algorithm named exactly `name` (names are case-sensitive: "rs256" is not RS256).
inline std::optional<jws_alg> parse_jws_alg(std::string_view name) {
    for (const auto& [a, n] : jws_alg_names)
        if (n == name) return a;
    return std::nullopt;
}
inline std::string_view to_string(jws_alg a) {
    for (const auto& [x, n] : jws_alg_names)
        if (x == a) return n;
    return "?";
}
inline bool is_hmac(jws_alg a) { return a == jws_alg::HS256 || a == jws_alg::HS384 || a == jws_alg::HS512; }
/// The key type an algorithm needs.
inline std::string_view kty_for(jws_alg a) {
    switch (a) {
    case jws_alg::HS256: case jws_alg::HS384: case jws_alg::HS512: return "oct";
    case jws_alg::RS256: case jws_alg::RS384: case jws_alg::RS512:
    case jws_alg::PS256: case jws_alg::PS384: case jws_alg::PS512: return "RSA";
    case jws_alg::ES256: case jws_alg::ES384: case jws_alg::ES512: return "EC";
    case jws_alg::EdDSA: return "OKP";
    }
    return "";
}
/// The curve an EC algorithm needs ("" for the others).
inline std::string_view curve_for(jws_alg a) {
    switch (a) {
    case jws_alg::ES256: return "P-256";
    case jws_alg::ES384: return "P-384";
    case jws_alg::ES512: return "P-521";
    case jws_alg::EdDSA: return "Ed25519";
    default: return "";
    }
}
/// The digest of an algorithm (null for EdDSA, which hashes internally).
inline const EVP_MD* digest_for(jws_alg a) {
    switch (a) {
    case jws_alg::HS256: case jws_alg::RS256: case jws_alg::PS256: case jws_alg::ES256: return EVP_sha256();
    case jws_alg::HS384: case jws_alg::RS384: case jws_alg::PS384: case jws_alg::ES384: return EVP_sha384();
    case jws_alg::HS512: case jws_alg::RS512: case jws_alg::PS512: case jws_alg::ES512: return EVP_sha512();
    case jws_alg::EdDSA: return nullptr;
    }
    return nullptr;
}

namespace detail {
inline result<std::string> member_b64(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return failure(errc::invalid_credentials, "JWK: \"" + std::string(name) + "\" missing");
    auto bytes = base64url_decode(v->get_string());
    if (!bytes) return failure(errc::invalid_credentials, "JWK: \"" + std::string(name) + "\" is not base64url");
    return bytes;
}

/// ROCA (CVE-2017-15361): moduli from Infineon's generator are 65537^a mod M for a
/// primorial M, so n mod p lies in the subgroup 65537 generates mod p for every small
/// prime p. A random modulus fails that test for some p almost surely.
inline bool roca_weak(const BIGNUM* n) {
    static constexpr unsigned primes[] = {11,  13,  17,  19,  37,  53,  61,  71,  73,  79,  97,
                                          103, 107, 109, 127, 151, 157, 163, 167};
    for (unsigned p : primes) {
        const BN_ULONG r = BN_mod_word(n, p);
        if (r == static_cast<BN_ULONG>(-1)) return false;
        const unsigned g = 65537 % p;
        bool in_subgroup = false;
        unsigned x = 1;
        for (unsigned i = 0; i < p; ++i) {
            if (x == r) {
                in_subgroup = true;
                break;
            }
            x = x * g % p;
        }
        if (!in_subgroup) return false;
    }
    return true;
}
} // namespace detail

/// One verification key.
struct jwk {
    std::string kid{};
    std::string kty{};
    std::string crv{};
    std::optional<jws_alg> alg{};          ///< the key's own "alg", if it names one
    std::shared_ptr<EVP_PKEY> public_key{}; ///< RSA, EC, OKP
    std::shared_ptr<const secret> hmac_key{}; ///< oct

    /// True when a token signed with `a` may be checked with this key.
    bool fits(jws_alg a) const {
        if (alg && *alg != a) return false;
        if (kty != kty_for(a)) return false;
        const auto curve = curve_for(a);
        return curve.empty() || crv == curve;
    }
};

struct jwk_options {
    bool allow_symmetric = false; ///< oct keys (HMAC secrets): never for keys fetched from a URL
};

/// Members that only a private key has.
inline constexpr const char* private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

/// Parses and checks one key (see the table above).
inline result<jwk> parse_jwk(const boost::json::object& o, const jwk_options& opt = {}) {
    jwk k;
    const auto str = [&](std::string_view name) -> std::optional<std::string> {
        const auto* v = o.if_contains(name);
        if (!v) return std::nullopt;
        if (!v->is_string()) return std::string("\x01"); // marks "present but not a string"
        return std::string(v->get_string());
    };
    const auto kty = str("kty");
    if (!kty || *kty == "\x01") return failure(errc::invalid_credentials, "JWK: \"kty\" missing");
    k.kty = *kty;
    for (const char* priv : private_members)
        if (o.contains(priv))
            return failure(errc::invalid_credentials, "JWK: private key material (\"" + std::string(priv) +
                                                          "\") in a verification key; publish the public key only");
    if (auto kid = str("kid")) {
        if (*kid == "\x01" || kid->empty()) return failure(errc::invalid_credentials, "JWK: \"kid\" is not a non-empty string");
        k.kid = *kid;
    }
    if (auto use = str("use"); use && *use != "sig")
        return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"use\" is not \"sig\"");
    if (const auto* ops = o.if_contains("key_ops")) {
        bool verify = false;
        if (!ops->is_array()) return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"key_ops\" is not an array");
        for (const auto& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
        if (!verify) return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"key_ops\" does not allow \"verify\"");
    }
    if (auto crv = str("crv")) k.crv = *crv;
    if (auto alg = str("alg")) {
        k.alg = parse_jws_alg(*alg);
        if (!k.alg) return failure(errc::invalid_credentials, "JWK " + k.kid + ": unsupported \"alg\"");
    }

    if (k.kty == "oct") {
        if (!opt.allow_symmetric)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": a symmetric key where only public keys belong");
        auto bytes = detail::member_b64(o, "k");
        if (!bytes) return bytes.error();
        std::size_t need = 32;
        if (k.alg == jws_alg::HS384) need = 48;
        if (k.alg == jws_alg::HS512) need = 64;
        if (bytes.value().size() < need)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": HMAC key shorter than " + std::to_string(need) +
                                                          " bytes");
        k.hmac_key = std::make_shared<const secret>(std::move(bytes).value());
    } else if (k.kty == "RSA") {
        auto n = detail::member_b64(o, "n");
        if (!n) return n.error();
        auto e = detail::member_b64(o, "e");
        if (!e) return e.error();
        const auto& nb = n.value();
        const auto& eb = e.value();
        if (nb.empty() || nb[0] == 0 || eb.empty() || eb[0] == 0 || eb.size() > 8)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": RSA \"n\" or \"e\" is not a minimal integer");
        owned<BIGNUM> bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()), static_cast<int>(nb.size()), nullptr));
        owned<BIGNUM> be(BN_bin2bn(reinterpret_cast<const unsigned char*>(eb.data()), static_cast<int>(eb.size()), nullptr));
        if (!bn || !be) return failure(errc::internal_error, "OpenSSL could not allocate a number");
        const int bits = BN_num_bits(bn.get());
        if (bits < 2048 || bits > 16384)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": RSA key of " + std::to_string(bits) +
                                                          " bits (2048 to 16384 accepted)");
        if (!BN_is_odd(be.get()) || BN_is_one(be.get()))
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": RSA exponent must be odd and at least 3");
        if (!BN_is_odd(bn.get())) return failure(errc::invalid_credentials, "JWK " + k.kid + ": RSA modulus is even");
        if (detail::roca_weak(bn.get()))
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": RSA key from a generator with the ROCA flaw "
                                                                       "(CVE-2017-15361); replace it");
        owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
        if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) ||
            !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()))
            return failure(errc::internal_error, "OpenSSL could not build RSA parameters");
        owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
        owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
        EVP_PKEY* pkey = nullptr;
        if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
            EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": OpenSSL refused the RSA key");
        k.public_key.reset(pkey, EVP_PKEY_free);
        if (k.alg && kty_for(*k.alg) != "RSA")
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"alg\" does not fit an RSA key");
    } else if (k.kty == "EC") {
        std::size_t size = 0;
        const char* group = nullptr;
        if (k.crv == "P-256") size = 32, group = "prime256v1";
        else if (k.crv == "P-384") size = 48, group = "secp384r1";
        else if (k.crv == "P-521") size = 66, group = "secp521r1";
        else return failure(errc::invalid_credentials, "JWK " + k.kid + ": unsupported EC curve");
        auto x = detail::member_b64(o, "x");
        if (!x) return x.error();
        auto y = detail::member_b64(o, "y");
        if (!y) return y.error();
        if (x.value().size() != size || y.value().size() != size)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": EC coordinates of the wrong length");
        std::string point = "\x04" + x.value() + y.value();
        owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
        if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
            return failure(errc::internal_error, "OpenSSL could not build EC parameters");
        owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
        owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        EVP_PKEY* pkey = nullptr;
        if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
            EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
            ERR_clear_error();
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": not a point on " + k.crv);
        }
        k.public_key.reset(pkey, EVP_PKEY_free);
        owned<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
        if (!check || EVP_PKEY_public_check(check.get()) != 1) {
            ERR_clear_error();
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": not a point on " + k.crv);
        }
        if (k.alg && !k.fits(*k.alg))
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"alg\" does not fit the curve " + k.crv);
    } else if (k.kty == "OKP") {
        if (k.crv != "Ed25519") return failure(errc::invalid_credentials, "JWK " + k.kid + ": unsupported OKP curve");
        auto x = detail::member_b64(o, "x");
        if (!x) return x.error();
        if (x.value().size() != 32) return failure(errc::invalid_credentials, "JWK " + k.kid + ": Ed25519 \"x\" is not 32 bytes");
        EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                     reinterpret_cast<const unsigned char*>(x.value().data()), 32);
        if (!pkey) return failure(errc::invalid_credentials, "JWK " + k.kid + ": OpenSSL refused the Ed25519 key");
        k.public_key.reset(pkey, EVP_PKEY_free);
        if (k.alg && *k.alg != jws_alg::EdDSA)
            return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"alg\" does not fit an Ed25519 key");
    } else {
        return failure(errc::invalid_credentials, "JWK " + k.kid + ": unsupported \"kty\"");
    }
    if (k.kty == "oct" && k.alg && !is_hmac(*k.alg))
        return failure(errc::invalid_credentials, "JWK " + k.kid + ": \"alg\" does not fit a symmetric key");
    return k;
}

/// A checked set of keys.
struct jwk_set {
    std::vector<jwk> keys{};
    std::vector<std::string> skipped{}; ///< why each key that cannot verify signatures was left out

    const jwk* by_kid(std::string_view kid) const {
        for (const auto& k : keys)
            if (!k.kid.empty() && k.kid == kid) return &k;
        return nullptr;
    }
};

namespace detail {
/// Why the key `o` of a set can never verify one of our signatures, or nothing.
inline std::optional<std::string> not_for_signatures(const boost::json::object& o) {
    auto text = [&](const char* name) -> std::string_view {
        const auto* v = o.if_contains(name);
        return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
    };
    std::string kid(text("kid"));
    const std::string who = "JWK" + (kid.empty() ? std::string() : " " + kid) + ": ";
    if (const auto use = text("use"); !use.empty() && use != "sig") return who + "\"use\" is \"" + std::string(use) + "\"";
    if (const auto* ops = o.if_contains("key_ops"); ops && ops->is_array()) {
        bool verify = false;
        for (const auto& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
        if (!verify) return who + "\"key_ops\" without \"verify\"";
    }
    if (const auto alg = text("alg"); !alg.empty() && !parse_jws_alg(alg))
        return who + "\"alg\" " + std::string(alg) + " is not a signature algorithm of ours";
    const auto kty = text("kty"), crv = text("crv");
    if (kty == "EC" && crv != "P-256" && crv != "P-384" && crv != "P-521") return who + "EC curve " + std::string(crv);
    if (kty == "OKP" && crv != "Ed25519") return who + "OKP curve " + std::string(crv);
    if (kty != "RSA" && kty != "EC" && kty != "OKP" && kty != "oct") return who + "key type " + std::string(kty);
    if (kty == "RSA") {
        auto n = member_b64(o, "n");
        if (n && !n.value().empty() && n.value()[0] != 0) {
            const auto top = static_cast<unsigned char>(n.value()[0]);
            std::size_t bits = (n.value().size() - 1) * 8;
            for (unsigned b = top; b; b >>= 1) ++bits;
            if (bits < 2048) return who + "RSA key of " + std::to_string(bits) + " bits";
        }
    }
    return std::nullopt;
}
} // namespace detail

/// `{"keys": [...]}` (or one key object), every key checked, no kid twice, symmetric and
/// asymmetric keys never mixed; keys that cannot verify signatures skipped (see the top).
inline result<jwk_set> parse_jwk_set(const boost::json::value& v, const jwk_options& opt = {}) {
    jwk_set set;
    const boost::json::object* o = v.if_object();
    if (!o) return failure(errc::invalid_credentials, "JWK set: not a JSON object");
    std::vector<const boost::json::object*> members;
    if (const auto* keys = o->if_contains("keys")) {
        if (!keys->is_array()) return failure(errc::invalid_credentials, "JWK set: \"keys\" is not an array");
        for (const auto& k : keys->get_array()) {
            if (!k.is_object()) return failure(errc::invalid_credentials, "JWK set: a key is not an object");
            members.push_back(&k.get_object());
        }
    } else {
        members.push_back(o);
    }
    bool symmetric = false, asymmetric = false;
    for (const auto* m : members) {
        // (Private members refuse the set whatever else the key is: see parse_jwk.)
        const bool has_private = std::any_of(std::begin(private_members), std::end(private_members),
                                             [&](const char* p) { return m->contains(p); });
        if (auto why = detail::not_for_signatures(*m); why && !has_private) {
            set.skipped.push_back(std::move(*why));
            continue;
        }
        auto k = parse_jwk(*m, opt);
        if (!k) return k.error();
        if (!k.value().kid.empty() && set.by_kid(k.value().kid))
            return failure(errc::invalid_credentials, "JWK set: kid \"" + k.value().kid + "\" appears twice");
        (k.value().kty == "oct" ? symmetric : asymmetric) = true;
        set.keys.push_back(std::move(k).value());
    }
    if (symmetric && asymmetric)
        return failure(errc::invalid_credentials, "JWK set: symmetric and asymmetric keys mixed in one set");
    if (set.keys.empty()) {
        std::string why = "JWK set: no keys that verify signatures";
        for (const auto& s : set.skipped) why += "; " + s;
        return failure(errc::invalid_credentials, why);
    }
    return set;
}

inline result<jwk_set> parse_jwk_set(std::string_view json, const jwk_options& opt = {}) {
    auto v = warden::detail::parse_strict_json(json);
    if (!v) return failure(errc::invalid_credentials, "JWK set: " + v.error().message());
    return parse_jwk_set(v.value(), opt);
}

} // namespace warden::crypto
