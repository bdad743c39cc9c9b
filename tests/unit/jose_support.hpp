// Test helpers: keys made here with OpenSSL, and JWS/JWT tokens signed with them, so the
// verifier tests can forge exactly the tokens they need.
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/crypto/jwk.hpp>

#include <boost/json.hpp>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace test {

struct signing_key {
    std::shared_ptr<EVP_PKEY> pkey;
    std::string kty; // "EC", "RSA", "OKP"
    std::string crv;

    static signing_key ec(const char* curve = "P-256") {
        const char* group = std::string_view(curve) == "P-256" ? "P-256" : std::string_view(curve) == "P-384" ? "P-384" : "P-521";
        EVP_PKEY* k = EVP_EC_gen(group);
        if (!k) throw std::runtime_error("EC keygen");
        return {std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free), "EC", curve};
    }
    static signing_key rsa(unsigned bits = 2048) {
        EVP_PKEY* k = EVP_RSA_gen(bits);
        if (!k) throw std::runtime_error("RSA keygen");
        return {std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free), "RSA", ""};
    }
    static signing_key ed25519() {
        EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        if (!k) throw std::runtime_error("Ed25519 keygen");
        return {std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free), "OKP", "Ed25519"};
    }

    static std::string bn_param(EVP_PKEY* k, const char* name, std::size_t pad = 0) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) throw std::runtime_error("get_bn_param");
        std::string out(std::max<std::size_t>(pad, static_cast<std::size_t>(BN_num_bytes(bn))), '\0');
        BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
        BN_free(bn);
        return out;
    }
    /// The public JWK, with `kid` when given.
    boost::json::object jwk(std::string kid = {}) const {
        boost::json::object o{{"kty", kty}};
        if (!kid.empty()) o["kid"] = kid;
        if (kty == "RSA") {
            o["n"] = warden::crypto::base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
            o["e"] = warden::crypto::base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
        } else if (kty == "EC") {
            const std::size_t size = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
            o["crv"] = crv;
            o["x"] = warden::crypto::base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, size));
            o["y"] = warden::crypto::base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size));
        } else {
            unsigned char raw[32];
            std::size_t len = sizeof raw;
            EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len);
            o["crv"] = "Ed25519";
            o["x"] = warden::crypto::base64url_encode(std::string_view(reinterpret_cast<char*>(raw), len));
        }
        return o;
    }

    /// The raw JWS signature of `input` under `alg` (ES*: r‖s; PS*: PSS).
    std::string sign(std::string_view alg, std::string_view input) const {
        const EVP_MD* md = alg.ends_with("256") ? EVP_sha256() : alg.ends_with("384") ? EVP_sha384() : EVP_sha512();
        if (alg == "EdDSA") md = nullptr;
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        EVP_PKEY_CTX* pctx = nullptr;
        EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey.get());
        if (alg.starts_with("PS")) {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        std::size_t len = 0;
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
        std::string sig(len, '\0');
        if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
            throw std::runtime_error("sign");
        sig.resize(len);
        if (kty != "EC") return sig;
        // DER ECDSA-Sig-Value to r‖s.
        const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
        ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
        const std::size_t half = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
        std::string raw(2 * half, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(half));
        BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data() + half), static_cast<int>(half));
        ECDSA_SIG_free(es);
        return raw;
    }
};

inline std::string b64(std::string_view s) { return warden::crypto::base64url_encode(s); }

/// A compact JWS from raw header and payload text, signed with `key` under `alg`.
inline std::string jws(const signing_key& key, std::string_view alg, std::string_view header_json,
                       std::string_view payload_json) {
    const std::string input = b64(header_json) + "." + b64(payload_json);
    return input + "." + b64(key.sign(alg, input));
}
/// The same, HMAC-signed with `secret`.
inline std::string jws_hmac(std::string_view secret, std::string_view header_json, std::string_view payload_json,
                            const EVP_MD* md = EVP_sha256()) {
    const std::string input = b64(header_json) + "." + b64(payload_json);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
         input.size(), mac, &len);
    return input + "." + b64(std::string_view(reinterpret_cast<char*>(mac), len));
}

} // namespace test
