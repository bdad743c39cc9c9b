// warden/crypto/aead.hpp: AES-256-GCM through OpenSSL, and the random bytes it needs.
//
//     auto sealed = crypto::aes256_gcm_seal(key, nonce, aad, plaintext);  // ciphertext || tag
//     auto opened = crypto::aes256_gcm_open(key, nonce, aad, sealed);     // the plaintext, or an error
//
// The key is 32 bytes and the tag 16. The nonce may be 1 to 128 bytes (what OpenSSL's GCM
// accepts; the Wycheproof vectors use several lengths); what warden writes always uses a
// fresh random 96-bit nonce. Every failure to open (wrong key, nonce, additional data, a changed byte, a
// short input) is the same error, so a caller learns nothing about which check failed.
#pragma once

#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace warden::crypto {

inline constexpr std::size_t aes256_gcm_key_size = 32;
inline constexpr std::size_t aes256_gcm_tag_size = 16;
inline constexpr std::size_t aes256_gcm_nonce_size = 12;
/// The longest nonce OpenSSL's GCM accepts (longer ones are refused).
inline constexpr std::size_t aes256_gcm_max_nonce_size = 128;

/// `n` bytes from OpenSSL's CSPRNG; throws if the generator fails (nothing safe to do then).
inline std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > INT_MAX || RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("warden: the OpenSSL random generator failed");
    return out;
}

namespace detail {
struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

inline const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}

/// A context keyed for AES-256-GCM with `nonce`; null when the sizes are out of range.
inline cipher_ctx gcm_context(bool encrypt, std::string_view key, std::string_view nonce) {
    if (key.size() != aes256_gcm_key_size || nonce.empty() || nonce.size() > aes256_gcm_max_nonce_size) return nullptr;
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return nullptr;
    const auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
    if (init(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        init(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1)
        return nullptr;
    return ctx;
}

/// Feeds `aad` as additional authenticated data.
inline bool gcm_aad(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view aad) {
    if (aad.empty()) return true;
    if (aad.size() > INT_MAX) return false;
    int n = 0;
    const auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
    return update(ctx, nullptr, &n, bytes(aad), static_cast<int>(aad.size())) == 1;
}
} // namespace detail

/// Encrypts `plaintext`; returns ciphertext followed by the 16-byte tag.
inline result<std::string> aes256_gcm_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                                           std::string_view plaintext) {
    auto ctx = detail::gcm_context(true, key, nonce);
    if (!ctx || !detail::gcm_aad(ctx.get(), true, aad) || plaintext.size() > INT_MAX - 64)
        return failure(errc::invalid_argument, "AES-256-GCM: a 32-byte key and a non-empty nonce are needed");
    std::string out(plaintext.size() + aes256_gcm_tag_size, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    int n = 0, tail = 0;
    if ((!plaintext.empty() &&
         EVP_EncryptUpdate(ctx.get(), o, &n, detail::bytes(plaintext), static_cast<int>(plaintext.size())) != 1) ||
        EVP_EncryptFinal_ex(ctx.get(), o + n, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(aes256_gcm_tag_size),
                            o + plaintext.size()) != 1) {
        cleanse(out.data(), out.size());
        return failure(errc::internal_error, "AES-256-GCM encryption failed");
    }
    return out;
}

/// Decrypts ciphertext || tag; any mismatch is one generic error and no plaintext.
inline result<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce, std::string_view aad,
                                           std::string_view sealed) {
    const auto generic = [] { return failure(errc::invalid_credentials, "the data cannot be decrypted"); };
    if (sealed.size() < aes256_gcm_tag_size || sealed.size() > INT_MAX) return generic();
    auto ctx = detail::gcm_context(false, key, nonce);
    if (!ctx || !detail::gcm_aad(ctx.get(), false, aad)) return generic();
    const auto body = sealed.substr(0, sealed.size() - aes256_gcm_tag_size);
    std::string tag(sealed.substr(body.size()));
    std::string out(body.size(), '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    int n = 0, tail = 0;
    const bool ok =
        (body.empty() || EVP_DecryptUpdate(ctx.get(), o, &n, detail::bytes(body), static_cast<int>(body.size())) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), o + n, &tail) == 1;
    if (!ok) {
        cleanse(out.data(), out.size());
        return generic();
    }
    return out;
}

} // namespace warden::crypto
