// warden/crypto/digest.hpp: SHA-256, HMAC-SHA-256, hex, constant-time comparison, and the
// keyed fingerprints that logs, audit lines and metrics show instead of secrets (OpenSSL).
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace warden::crypto {

using sha256_digest = std::array<unsigned char, 32>;

/// SHA-256 of `data`. Throws std::runtime_error only if OpenSSL itself fails.
inline sha256_digest sha256(std::string_view data) {
    sha256_digest out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
        throw std::runtime_error("warden: OpenSSL SHA-256 failed");
    return out;
}

/// Lower-case hex of `bytes`.
inline std::string to_hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    return out;
}

/// Compares two equal-length byte ranges in time independent of their contents.
inline bool equal_constant_time(const sha256_digest& a, const sha256_digest& b) noexcept {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// Compares two secrets without leaking where they differ or, beyond the digest, their
/// lengths: both sides are hashed to fixed-length digests first.
inline bool equal_secrets(std::string_view a, std::string_view b) {
    return equal_constant_time(sha256(a), sha256(b));
}

/// HMAC-SHA-256 of `data` under `key`. Throws std::runtime_error only if OpenSSL fails.
inline sha256_digest hmac_sha256(std::string_view key, std::string_view data) {
    sha256_digest out{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              data.size(), out.data(), &len) ||
        len != out.size())
        throw std::runtime_error("warden: OpenSSL HMAC-SHA-256 failed");
    return out;
}

/// The key of this process's fingerprints: 32 random bytes, made on first use, never shown.
inline std::string_view fingerprint_key() {
    static const std::array<unsigned char, 32> key = [] {
        std::array<unsigned char, 32> k{};
        if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
            throw std::runtime_error("warden: no random bytes for the fingerprint key");
        return k;
    }();
    return {reinterpret_cast<const char*>(key.data()), key.size()};
}

/// A short label for a secret or an identifier, for logs, audit lines and metrics: "fp:"
/// and `hex_digits` hex digits of an HMAC under the process's random key. Lines from one
/// process correlate; nothing in them can be checked offline against a guess, as a plain
/// hash of a password or a short key could.
inline std::string fingerprint(std::string_view value, std::size_t hex_digits = 8) {
    const auto d = hmac_sha256(fingerprint_key(), value);
    return "fp:" + to_hex(d.data(), std::min<std::size_t>(hex_digits, 2 * d.size()) / 2);
}

/// Overwrites `n` bytes at `p` in a way the compiler does not elide.
inline void cleanse(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

} // namespace warden::crypto
