// warden/crypto/jws.hpp: verifying compact JWS (RFC 7515) against configured keys.
//
// Order of checks, all before any signature arithmetic: size cap; exactly three
// base64url parts (strict decoder, warden/crypto/base64.hpp); a strict JSON header
// (warden/detail/strict_json.hpp); `alg` one of the caller's allowed algorithms (so `none`,
// in any spelling, never is); no `crit` (no extension is understood); then the key:
// by `kid` from the configured set only, or, without `kid`, the one configured key that
// fits the algorithm (two candidates: refused). `jku`, `x5u`, `jwk` and `x5c` in the header
// are never followed. Then the signature, whose length is checked exactly:
//
// | alg      | signature                                                              |
// |----------|------------------------------------------------------------------------|
// | HS*      | HMAC of the hash's full length, compared with CRYPTO_memcmp             |
// | RS*      | RSASSA-PKCS1-v1_5, as long as the modulus                               |
// | PS*      | RSASSA-PSS, MGF1 with the same hash, salt as long as the hash           |
// | ES*      | r‖s of exactly 2×32/48/66 bytes, 0 < r, s < n, re-encoded as DER here   |
// | EdDSA    | Ed25519, 64 bytes                                                      |
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/crypto/openssl.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden::crypto {

struct jws_policy {
    /// Algorithms a token may use. The default is every asymmetric one; HS* must be asked for.
    std::vector<jws_alg> algorithms{jws_alg::RS256, jws_alg::RS384, jws_alg::RS512, jws_alg::PS256, jws_alg::PS384,
                                    jws_alg::PS512, jws_alg::ES256, jws_alg::ES384, jws_alg::ES512, jws_alg::EdDSA};
    std::size_t max_token_bytes = 16 * 1024; ///< longer tokens are refused before decoding
};

struct verified_jws {
    boost::json::object header{};
    std::string payload{}; ///< the decoded payload bytes
    jws_alg alg{};
    std::string kid{}; ///< the key's id, if it has one
};

namespace detail {
inline result<void> jws_refused(std::string why) { return failure(errc::invalid_credentials, std::move(why)); }

inline bool verify_hmac(const jwk& key, jws_alg alg, std::string_view input, std::string_view sig) {
    if (!key.hmac_key) return false; // not an HMAC key (jwk::fits keeps those away; this fails closed too)
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const auto k = key.hmac_key->reveal();
    if (!HMAC(digest_for(alg), k.data(), static_cast<int>(k.size()), reinterpret_cast<const unsigned char*>(input.data()),
              input.size(), mac, &len))
        return false;
    return sig.size() == len && CRYPTO_memcmp(mac, sig.data(), len) == 0;
}

/// r‖s (each `half` bytes, big-endian) as a DER ECDSA-Sig-Value, or empty when r or s is
/// outside [1, n-1].
/// The order of curve `nid` (P-256, P-384, P-521), from a group made once per process:
/// making one costs as much as verifying a signature.
inline const BIGNUM* curve_order(int nid) {
    static const owned<EC_GROUP> p256(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    static const owned<EC_GROUP> p384(EC_GROUP_new_by_curve_name(NID_secp384r1));
    static const owned<EC_GROUP> p521(EC_GROUP_new_by_curve_name(NID_secp521r1));
    const EC_GROUP* g = nid == NID_X9_62_prime256v1 ? p256.get()
                        : nid == NID_secp384r1      ? p384.get()
                        : nid == NID_secp521r1      ? p521.get()
                                                    : nullptr;
    return g ? EC_GROUP_get0_order(g) : nullptr;
}

inline std::string ecdsa_der(std::string_view sig, std::size_t half, int nid) {
    owned<BIGNUM> r(BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), static_cast<int>(half), nullptr));
    owned<BIGNUM> s(BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + half), static_cast<int>(half), nullptr));
    const BIGNUM* order = curve_order(nid);
    if (!r || !s || !order) return {};
    if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), order) >= 0 || BN_cmp(s.get(), order) >= 0) return {};
    owned<ECDSA_SIG> es(ECDSA_SIG_new());
    if (!es || ECDSA_SIG_set0(es.get(), r.get(), s.get()) != 1) return {};
    r.release();
    s.release();
    unsigned char* der = nullptr;
    const int n = i2d_ECDSA_SIG(es.get(), &der);
    if (n <= 0) return {};
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

/// ES256 over a digest this thread computes, with a verification context kept per key and
/// thread: OpenSSL 3 looks the algorithm up again on every context it makes, which costs
/// about as much as the arithmetic (a DPoP proof and an uncached JWT are one each). A kept
/// context holds a reference to its key, so a key's address is never reused while cached.
inline bool verify_es256_prehashed(const jwk& key, std::string_view input, const std::string& der) {
    struct entry {
        EVP_PKEY_CTX* ctx;
    };
    struct table {
        std::unordered_map<const EVP_PKEY*, entry> contexts;
        void clear() {
            for (auto& [k, e] : contexts) EVP_PKEY_CTX_free(e.ctx);
            contexts.clear();
        }
        ~table() { clear(); }
    };
    thread_local table t;
    EVP_PKEY* pkey = key.public_key.get();
    auto it = t.contexts.find(pkey);
    if (it == t.contexts.end()) {
        if (t.contexts.size() >= 256) t.clear();
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
        if (!ctx || EVP_PKEY_verify_init(ctx) != 1) {
            EVP_PKEY_CTX_free(ctx);
            ERR_clear_error();
            return false;
        }
        it = t.contexts.emplace(pkey, entry{ctx}).first;
    }
    const auto digest = sha256(input);
    const int ok = EVP_PKEY_verify(it->second.ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                                   digest.data(), digest.size());
    ERR_clear_error();
    return ok == 1;
}

inline bool verify_asymmetric(const jwk& key, jws_alg alg, std::string_view input, std::string_view sig) {
    std::string der;
    switch (alg) {
    case jws_alg::RS256: case jws_alg::RS384: case jws_alg::RS512:
    case jws_alg::PS256: case jws_alg::PS384: case jws_alg::PS512:
        if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.public_key.get()))) return false;
        break;
    case jws_alg::ES256: case jws_alg::ES384: case jws_alg::ES512: {
        const std::size_t half = alg == jws_alg::ES256 ? 32 : alg == jws_alg::ES384 ? 48 : 66;
        const int nid = alg == jws_alg::ES256   ? NID_X9_62_prime256v1
                        : alg == jws_alg::ES384 ? NID_secp384r1
                                                : NID_secp521r1;
        if (sig.size() != 2 * half) return false;
        der = ecdsa_der(sig, half, nid);
        if (der.empty()) return false;
        if (alg == jws_alg::ES256) return verify_es256_prehashed(key, input, der);
        sig = der;
        break;
    }
    case jws_alg::EdDSA:
        if (sig.size() != 64) return false;
        break;
    default: return false;
    }
    owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(alg), nullptr, key.public_key.get()) != 1) {
        ERR_clear_error();
        return false;
    }
    if (alg == jws_alg::PS256 || alg == jws_alg::PS384 || alg == jws_alg::PS512) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_for(alg)) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
            ERR_clear_error();
            return false;
        }
    } else if (key.kty == "RSA" && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        ERR_clear_error();
        return false;
    }
    const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                    reinterpret_cast<const unsigned char*>(input.data()), input.size());
    ERR_clear_error();
    return ok == 1;
}
} // namespace detail

/// Verifies `token` with one of `keys`; the error says why, never quoting the token.
inline result<verified_jws> verify_jws(std::string_view token, const jwk_set& keys, const jws_policy& policy = {}) {
    auto refuse = [](std::string why) { return failure(errc::invalid_credentials, std::move(why)); };
    if (token.size() > policy.max_token_bytes) return refuse("token too long");
    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return refuse("not a compact JWS (three base64url parts)");
    const auto h64 = token.substr(0, dot1), p64 = token.substr(dot1 + 1, dot2 - dot1 - 1), s64 = token.substr(dot2 + 1);
    auto header_bytes = base64url_decode(h64);
    if (!header_bytes || h64.empty()) return refuse("JWS header is not base64url");
    auto header = warden::detail::parse_strict_json(header_bytes.value(), {.max_bytes = 4096, .max_depth = 4});
    if (!header) return refuse("JWS header: " + header.error().message());
    if (!header.value().is_object()) return refuse("JWS header is not a JSON object");
    auto& h = header.value().get_object();

    const auto* alg_v = h.if_contains("alg");
    if (!alg_v || !alg_v->is_string()) return refuse("JWS header has no \"alg\"");
    const auto alg = parse_jws_alg(alg_v->get_string());
    if (!alg || std::find(policy.algorithms.begin(), policy.algorithms.end(), *alg) == policy.algorithms.end())
        return refuse("algorithm not accepted");
    if (h.contains("crit")) return refuse("JWS header has \"crit\" extensions, none of which are understood");

    const jwk* key = nullptr;
    if (const auto* kid = h.if_contains("kid")) {
        if (!kid->is_string()) return refuse("JWS \"kid\" is not a string");
        key = keys.by_kid(kid->get_string());
        if (!key) return failure(errc::resource_not_found, "no configured key has this kid");
        if (!key->fits(*alg)) return refuse("the key named by kid does not fit the algorithm");
    } else {
        for (const auto& k : keys.keys) {
            if (!k.fits(*alg)) continue;
            if (key) return refuse("no kid and several keys fit the algorithm");
            key = &k;
        }
        if (!key) return refuse("no configured key fits the algorithm");
    }

    auto sig = base64url_decode(s64);
    if (!sig) return refuse("JWS signature is not base64url");
    const std::string_view input = token.substr(0, dot2);
    const bool ok = is_hmac(*alg) ? detail::verify_hmac(*key, *alg, input, sig.value())
                                  : detail::verify_asymmetric(*key, *alg, input, sig.value());
    if (!ok) return refuse("signature does not verify");
    auto payload = base64url_decode(p64);
    if (!payload) return refuse("JWS payload is not base64url");
    verified_jws out;
    out.header = std::move(h);
    out.payload = std::move(payload).value();
    out.alg = *alg;
    out.kid = key->kid;
    return out;
}

} // namespace warden::crypto
