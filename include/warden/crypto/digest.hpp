// warden/crypto/digest.hpp: SHA-256, hex, and constant-time comparison (OpenSSL).
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>

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

/// A short, non-reversible label for a secret, for logs: "sha256:" and 8 hex digits.
inline std::string fingerprint(std::string_view secret_value) {
    auto d = sha256(secret_value);
    return "sha256:" + to_hex(d.data(), 4);
}

/// Overwrites `n` bytes at `p` in a way the compiler does not elide.
inline void cleanse(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

} // namespace warden::crypto
