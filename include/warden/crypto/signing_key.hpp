// warden/crypto/signing_key.hpp: a P-256 key this process signs with (ES256), for DPoP
// proofs (RFC 9449) the upstream client sends. Kept as a private JWK (RFC 7518 §6.2.2:
// crv, x, y, d) so that it can be stored, sealed, with the tokens bound to it.
#pragma once

#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/crypto/openssl.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace warden::crypto {

class ec_signing_key {
public:
    /// A new random key.
    static result<ec_signing_key> generate() {
        EVP_PKEY* k = EVP_EC_gen("P-256");
        if (!k) return failure(errc::internal_error, "OpenSSL could not generate a P-256 key");
        ec_signing_key out;
        out.key_.reset(k, EVP_PKEY_free);
        if (auto filled = out.fill_members(); !filled) return filled.error();
        return out;
    }

    /// The key a private JWK (kty EC, crv P-256, x, y, d) holds; its public half must match d.
    static result<ec_signing_key> from_jwk(std::string_view json) {
        auto v = warden::detail::parse_strict_json(json, {.max_bytes = 2048, .max_depth = 2});
        if (!v || !v.value().is_object()) return failure(errc::invalid_credentials, "the signing key is not a JWK object");
        const auto& o = v.value().get_object();
        auto text = [&](const char* n) -> std::string {
            const auto* m = o.if_contains(n);
            return m && m->is_string() ? std::string(m->get_string()) : std::string();
        };
        if (text("kty") != "EC" || text("crv") != "P-256") return failure(errc::invalid_credentials, "the signing key is not a P-256 JWK");
        auto x = base64url_decode(text("x")), y = base64url_decode(text("y")), d = base64url_decode(text("d"));
        if (!x || !y || !d || x.value().size() != 32 || y.value().size() != 32 || d.value().size() != 32)
            return failure(errc::invalid_credentials, "the signing key's x, y or d is not 32 bytes of base64url");
        const std::string point = "\x04" + x.value() + y.value();
        std::unique_ptr<BIGNUM, decltype(&BN_clear_free)> priv(
            BN_bin2bn(reinterpret_cast<const unsigned char*>(d.value().data()), 32, nullptr), BN_clear_free);
        cleanse(d.value().data(), d.value().size());
        owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
        if (!priv || !bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ||
            !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))
            return failure(errc::internal_error, "OpenSSL could not build EC parameters");
        owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
        owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        EVP_PKEY* k = nullptr;
        if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
            EVP_PKEY_fromdata(ctx.get(), &k, EVP_PKEY_KEYPAIR, params.get()) != 1) {
            ERR_clear_error();
            return failure(errc::invalid_credentials, "OpenSSL refused the signing key");
        }
        ec_signing_key out;
        out.key_.reset(k, EVP_PKEY_free);
        owned<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr));
        if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
            ERR_clear_error();
            return failure(errc::invalid_credentials, "the signing key's public half does not match its private half");
        }
        if (auto filled = out.fill_members(); !filled) return filled.error();
        return out;
    }

    ~ec_signing_key() { cleanse(d_.data(), d_.size()); }
    ec_signing_key(const ec_signing_key& o) : key_(o.key_), x_(o.x_), y_(o.y_), d_(o.d_) {}
    ec_signing_key& operator=(const ec_signing_key& o) {
        if (this != &o) {
            cleanse(d_.data(), d_.size());
            key_ = o.key_, x_ = o.x_, y_ = o.y_, d_ = o.d_;
        }
        return *this;
    }
    ec_signing_key(ec_signing_key&&) noexcept = default;
    ec_signing_key& operator=(ec_signing_key&&) noexcept = default;

    /// The public JWK (kty, crv, x, y), as a DPoP proof's header carries it.
    boost::json::object public_jwk() const { return {{"kty", "EC"}, {"crv", "P-256"}, {"x", x_}, {"y", y_}}; }
    /// The private JWK as text, for sealed storage only.
    std::string private_jwk() const {
        return boost::json::serialize(boost::json::object{{"kty", "EC"}, {"crv", "P-256"}, {"x", x_}, {"y", y_}, {"d", d_}});
    }

    /// The ES256 signature of `input`: r and s, 32 bytes each (RFC 7518 §3.4).
    result<std::string> sign(std::string_view input) const {
        owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
        std::size_t len = 0;
        if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
            EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
            return failure(errc::internal_error, "OpenSSL could not sign");
        std::string der(len, '\0');
        if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
            return failure(errc::internal_error, "OpenSSL could not sign");
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        owned<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
        if (!sig) return failure(errc::internal_error, "OpenSSL produced an unreadable signature");
        std::string raw(64, '\0');
        if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(raw.data()), 32) != 32 ||
            BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32) != 32)
            return failure(errc::internal_error, "OpenSSL produced an oversized signature");
        return raw;
    }

private:
    ec_signing_key() = default;
    static std::string coordinate(const EVP_PKEY* k, const char* name) {
        BIGNUM* bn = nullptr;
        if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) return {};
        std::string out(32, '\0');
        const int n = BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
        BN_clear_free(bn);
        if (n != 32) return {};
        std::string encoded = base64url_encode(out);
        cleanse(out.data(), out.size());
        return encoded;
    }
    result<void> fill_members() {
        x_ = coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
        y_ = coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
        d_ = coordinate(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY);
        if (x_.empty() || y_.empty() || d_.empty()) return failure(errc::internal_error, "OpenSSL could not export the key");
        return success();
    }
    std::shared_ptr<EVP_PKEY> key_;
    std::string x_, y_, d_;
};

/// A DPoP proof (RFC 9449 §4.2) signed by `key`: for `htm` `htu` (no query or fragment),
/// with `ath` when `access_token` is given and `nonce` when the server asked for one.
inline result<std::string> dpop_proof(const ec_signing_key& key, std::string_view htm, std::string_view htu,
                                      std::string_view access_token = {}, std::string_view nonce = {}) {
    boost::json::object header{{"typ", "dpop+jwt"}, {"alg", "ES256"}, {"jwk", key.public_jwk()}};
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    std::string uri(htu.substr(0, htu.find_first_of("?#")));
    boost::json::object claims{{"jti", base64url_encode(random_bytes(16))}, {"htm", htm}, {"htu", uri}, {"iat", now.count()}};
    if (!access_token.empty()) {
        const auto d = sha256(access_token);
        claims.emplace("ath", base64url_encode({reinterpret_cast<const char*>(d.data()), d.size()}));
    }
    if (!nonce.empty()) claims.emplace("nonce", nonce);
    const std::string input = base64url_encode(boost::json::serialize(header)) + "." +
                              base64url_encode(boost::json::serialize(claims));
    auto sig = key.sign(input);
    if (!sig) return sig.error();
    return input + "." + base64url_encode(sig.value());
}

} // namespace warden::crypto
