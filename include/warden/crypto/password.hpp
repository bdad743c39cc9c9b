// warden/crypto/password.hpp: password hashes for auth::basic (scrypt or PBKDF2, OpenSSL).
//
// The stored form, one line per user in the users credential ("alice:" then this):
//
//     $scrypt$ln=15,r=8,p=3$<salt>$<key>             scrypt, N = 2^ln (the default)
//     $pbkdf2-sha256$i=600000$<salt>$<key>           PBKDF2-HMAC-SHA-256
//
// <salt> and <key> are standard padded base64 (RFC 4648 §4); the salt is 16 random bytes
// and the key 32 bytes. `hash_password` makes one (tools/hash_password.cpp wraps it);
// `verify_password` compares in constant time.
//
// Bounds. Every stored hash must be affordable: a scrypt check needs at most 256 MiB
// (128·r·N bytes) and N·r·p at most 2^22, PBKDF2 at most 2,400,000 iterations (about four
// times OWASP's minimum, seconds per check on a small server). `below_guidance` says when
// a hash is weaker than OWASP's Password Storage Cheat Sheet asks (scrypt N·r·p at least
// 655,360, its smallest listed configuration ln=13,r=8,p=10 and its equivalents;
// PBKDF2-HMAC-SHA-256 600,000 iterations): auth::basic refuses those at start-up outside
// profile::development and profile::test.
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/error.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::crypto {

/// scrypt's cost. The default is one of OWASP's configurations: 32 MiB and about a third of
/// a second per check on a small server.
struct scrypt_params {
    unsigned log2_n = 15; ///< N = 2^15
    unsigned r = 8;
    unsigned p = 3;
};

inline constexpr std::uint64_t max_scrypt_memory = 256ull << 20;
inline constexpr std::uint64_t max_scrypt_work = 1ull << 22;   ///< N·r·p
inline constexpr std::uint64_t min_scrypt_work = 655'360;      ///< N·r·p, OWASP's minimum
inline constexpr std::uint32_t max_pbkdf2_iterations = 2'400'000;
inline constexpr std::uint32_t min_pbkdf2_iterations = 600'000; ///< OWASP's minimum

/// A parsed stored hash.
struct password_hash {
    enum class kind { scrypt, pbkdf2_sha256 } algorithm = kind::scrypt;
    scrypt_params scrypt{};
    std::uint32_t iterations = 0; ///< PBKDF2
    std::vector<unsigned char> salt;
    std::vector<unsigned char> key;
};

namespace detail {
inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}
inline bool derive(const password_hash& h, std::string_view password, std::vector<unsigned char>& out) {
    out.assign(h.key.size(), 0);
    if (h.algorithm == password_hash::kind::scrypt) {
        const std::uint64_t n = std::uint64_t(1) << h.scrypt.log2_n;
        const std::uint64_t maxmem = 128ull * h.scrypt.r * (n + h.scrypt.p + 2) + (1u << 20);
        return EVP_PBE_scrypt(password.data(), password.size(), h.salt.data(), h.salt.size(), n, h.scrypt.r,
                              h.scrypt.p, maxmem, out.data(), out.size()) == 1;
    }
    return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), h.salt.data(),
                             static_cast<int>(h.salt.size()), static_cast<int>(h.iterations), EVP_sha256(),
                             static_cast<int>(out.size()), out.data()) == 1;
}
} // namespace detail

/// Parses a stored hash, checking that its parameters are sane (a hash that would take
/// minutes or gigabytes to check is refused).
inline result<password_hash> parse_password_hash(std::string_view encoded) {
    auto bad = [](std::string_view why) { return failure(errc::invalid_credentials, "password hash: " + std::string(why)); };
    const auto parts = detail::split(encoded, '$');
    if (parts.size() != 5 || !parts[0].empty()) return bad("expected $algorithm$parameters$salt$key");
    password_hash h;
    if (parts[1] == "scrypt") {
        const auto params = detail::split(parts[2], ',');
        if (params.size() != 3 || !params[0].starts_with("ln=") || !params[1].starts_with("r=") ||
            !params[2].starts_with("p="))
            return bad("scrypt parameters must be ln=N,r=R,p=P");
        if (!warden::detail::parse_decimal(params[0].substr(3), h.scrypt.log2_n) ||
            !warden::detail::parse_decimal(params[1].substr(2), h.scrypt.r) ||
            !warden::detail::parse_decimal(params[2].substr(2), h.scrypt.p))
            return bad("scrypt parameters must be decimal numbers");
        if (h.scrypt.log2_n < 10 || h.scrypt.log2_n > 21 || h.scrypt.r < 1 || h.scrypt.r > 32 || h.scrypt.p < 1 ||
            h.scrypt.p > 16)
            return bad("scrypt parameters out of range (ln 10-21, r 1-32, p 1-16)");
        const std::uint64_t n = std::uint64_t(1) << h.scrypt.log2_n;
        if (128 * h.scrypt.r * n > max_scrypt_memory || n * h.scrypt.r * h.scrypt.p > max_scrypt_work)
            return bad("scrypt parameters cost more than a server can afford per check (at most 256 MiB, "
                       "128·r·2^ln bytes, and N·r·p at most 2^22)");
    } else if (parts[1] == "pbkdf2-sha256") {
        if (!parts[2].starts_with("i=") || !warden::detail::parse_decimal(parts[2].substr(2), h.iterations))
            return bad("PBKDF2 parameters must be i=ITERATIONS");
        if (h.iterations < 100'000 || h.iterations > max_pbkdf2_iterations)
            return bad("PBKDF2 iterations out of range (100000-2400000)");
        h.algorithm = password_hash::kind::pbkdf2_sha256;
    } else {
        return bad("unknown algorithm \"" + std::string(parts[1].substr(0, 32)) + "\" (scrypt or pbkdf2-sha256)");
    }
    auto salt = base64_decode(parts[3]);
    auto key = base64_decode(parts[4]);
    if (!salt || !key) return bad("salt and key must be base64");
    if (salt.value().size() < 8 || key.value().size() < 16) return bad("salt or key too short");
    h.salt = std::move(salt).value();
    h.key = std::move(key).value();
    return h;
}

/// What checking `h` costs, in PBKDF2-HMAC-SHA-256 iterations (an N·r·p unit of scrypt
/// takes about 1.2 of them): for comparing hashes of either algorithm.
inline double password_work(const password_hash& h) {
    if (h.algorithm == password_hash::kind::pbkdf2_sha256) return h.iterations;
    return 1.2 * static_cast<double>((std::uint64_t(1) << h.scrypt.log2_n) * h.scrypt.r * h.scrypt.p);
}

/// Why `h` is weaker than OWASP's guidance (see the top), or nothing when it is not.
inline std::optional<std::string> below_guidance(const password_hash& h) {
    if (h.algorithm == password_hash::kind::pbkdf2_sha256) {
        if (h.iterations >= min_pbkdf2_iterations) return std::nullopt;
        return "PBKDF2 with " + std::to_string(h.iterations) + " iterations is below OWASP's minimum of 600000";
    }
    if ((std::uint64_t(1) << h.scrypt.log2_n) * h.scrypt.r * h.scrypt.p >= min_scrypt_work) return std::nullopt;
    return "scrypt ln=" + std::to_string(h.scrypt.log2_n) + ",r=" + std::to_string(h.scrypt.r) + ",p=" +
           std::to_string(h.scrypt.p) + " is below OWASP's minimum (N·r·p at least 655360: ln=15,r=8,p=3, "
           "ln=16,r=8,p=2 or ln=17,r=8,p=1)";
}

/// A new stored hash of `password` (scrypt, a fresh random salt).
inline result<std::string> hash_password(std::string_view password, scrypt_params params = {}) {
    if (password.find('\0') != std::string_view::npos)
        return failure(errc::invalid_argument, "a password cannot hold a NUL byte");
    password_hash h;
    h.scrypt = params;
    h.salt.resize(16);
    h.key.resize(32);
    if (RAND_bytes(h.salt.data(), static_cast<int>(h.salt.size())) != 1)
        return failure(errc::internal_error, "the OpenSSL RNG failed");
    std::vector<unsigned char> key;
    if (!detail::derive(h, password, key)) return failure(errc::internal_error, "scrypt failed");
    std::string out = "$scrypt$ln=" + std::to_string(params.log2_n) + ",r=" + std::to_string(params.r) +
                      ",p=" + std::to_string(params.p) + "$" + base64_encode(h.salt) + "$" + base64_encode(key);
    cleanse(key.data(), key.size());
    return out;
}

/// True when `password` matches the parsed hash (constant-time comparison of the keys). A
/// password with a NUL byte never matches: both algorithms key HMAC with the password, which
/// pads it with zeros, so "pw" and "pw\0" would derive the same key.
inline bool verify_password(std::string_view password, const password_hash& h) {
    std::vector<unsigned char> key;
    const bool derived = detail::derive(h, password, key);
    const bool same = derived && CRYPTO_memcmp(key.data(), h.key.data(), key.size()) == 0 &&
                      password.find('\0') == std::string_view::npos;
    cleanse(key.data(), key.size());
    return same;
}

} // namespace warden::crypto
