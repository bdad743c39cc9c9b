// warden/crypto/digest.hpp: SHA-256, HMAC-SHA-256, hex, constant-time comparison, and the
// keyed fingerprints that logs, audit lines and metrics show instead of secrets (OpenSSL).
#pragma once

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace warden::crypto {

using sha256_digest = std::array<unsigned char, 32>;

namespace detail {

/// OpenSSL 3 looks an algorithm up in its provider store on every one-shot call (EVP_Digest
/// with EVP_sha256(), HMAC(), EVP_Q_mac): that lookup costs several times the hash of a
/// short input. The algorithms are therefore fetched once per process, and each thread
/// keeps its own contexts, initialised again for every use.
template <class T, void (*Free)(T*)>
struct openssl_ptr {
    T* p = nullptr;
    openssl_ptr() = default;
    explicit openssl_ptr(T* q) noexcept : p(q) {}
    openssl_ptr(openssl_ptr&& o) noexcept : p(std::exchange(o.p, nullptr)) {}
    openssl_ptr& operator=(openssl_ptr&&) = delete;
    ~openssl_ptr() { if (p) Free(p); }
};

[[noreturn]] inline void openssl_failed(const char* what) {
    throw std::runtime_error(std::string("warden: OpenSSL ") + what + " failed");
}

inline const EVP_MD* sha256_md() {
    static const openssl_ptr<EVP_MD, EVP_MD_free> md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    if (!md.p) openssl_failed("SHA-256 fetch");
    return md.p;
}

inline EVP_MD_CTX* thread_digest_ctx() {
    thread_local const openssl_ptr<EVP_MD_CTX, EVP_MD_CTX_free> ctx{EVP_MD_CTX_new()};
    if (!ctx.p) openssl_failed("digest context");
    return ctx.p;
}

inline EVP_MAC* hmac_mac() {
    static const openssl_ptr<EVP_MAC, EVP_MAC_free> mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
    if (!mac.p) openssl_failed("HMAC fetch");
    return mac.p;
}

using mac_ctx = openssl_ptr<EVP_MAC_CTX, EVP_MAC_CTX_free>;

/// A new HMAC-SHA-256 context, with no key yet.
inline mac_ctx new_hmac_ctx() {
    mac_ctx c{EVP_MAC_CTX_new(hmac_mac())};
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!c.p || EVP_MAC_CTX_set_params(c.p, params) != 1) openssl_failed("HMAC context");
    return c;
}

/// Feeds `data` to `ctx`, keyed with `key` (or, when `key` is null, with the key it holds),
/// and writes the tag to `out`.
inline void hmac_into(EVP_MAC_CTX* ctx, const unsigned char* key, std::size_t key_size, std::string_view data,
                      std::array<unsigned char, 32>& out) {
    std::size_t len = 0;
    if (EVP_MAC_init(ctx, key, key_size, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size())
        openssl_failed("HMAC-SHA-256");
}

} // namespace detail

/// SHA-256 of `data`. Throws std::runtime_error only if OpenSSL itself fails.
inline sha256_digest sha256(std::string_view data) {
    sha256_digest out{};
    unsigned int len = 0;
    EVP_MD_CTX* ctx = detail::thread_digest_ctx();
    if (EVP_DigestInit_ex2(ctx, detail::sha256_md(), nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size())
        detail::openssl_failed("SHA-256");
    return out;
}

/// SHA-256 of `parts` one after another, as if joined first.
inline sha256_digest sha256(std::initializer_list<std::string_view> parts) {
    sha256_digest out{};
    unsigned int len = 0;
    EVP_MD_CTX* ctx = detail::thread_digest_ctx();
    bool ok = EVP_DigestInit_ex2(ctx, detail::sha256_md(), nullptr) == 1;
    for (const auto part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
    if (!ok || EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) detail::openssl_failed("SHA-256");
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
    thread_local const detail::mac_ctx ctx = detail::new_hmac_ctx();
    sha256_digest out{};
    // A zero-length key is still a key: OpenSSL takes a null pointer as "keep the last one".
    static constexpr unsigned char no_key = 0;
    const auto* k = key.empty() ? &no_key : reinterpret_cast<const unsigned char*>(key.data());
    detail::hmac_into(ctx.p, k, key.size(), data, out);
    return out;
}

namespace detail {
/// 32 random bytes made on first use and never shown, one set per `Tag`.
template <class Tag>
std::string_view process_key() {
    static const std::array<unsigned char, 32> key = [] {
        std::array<unsigned char, 32> k{};
        if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
            throw std::runtime_error("warden: no random bytes for a process key");
        return k;
    }();
    return {reinterpret_cast<const char*>(key.data()), key.size()};
}

/// HMAC-SHA-256 of `value` under `process_key<Tag>()`. Each thread keys its context once
/// and then only re-initialises it (no key schedule, no algorithm lookup): these run on
/// every request.
template <class Tag>
sha256_digest process_mac(std::string_view value) {
    thread_local const mac_ctx ctx = [] {
        auto c = new_hmac_ctx();
        const auto key = process_key<Tag>();
        sha256_digest ignored{};
        hmac_into(c.p, reinterpret_cast<const unsigned char*>(key.data()), key.size(), {}, ignored);
        return c;
    }();
    sha256_digest d{};
    hmac_into(ctx.p, nullptr, 0, value, d);
    return d;
}

struct fingerprint_tag {};
struct lookup_tag {};
} // namespace detail

/// The key of this process's fingerprints: 32 random bytes, made on first use, never shown.
inline std::string_view fingerprint_key() { return detail::process_key<detail::fingerprint_tag>(); }

/// A short label for a secret or an identifier, for logs, audit lines and metrics: "fp:"
/// and `hex_digits` hex digits of an HMAC under the process's random key. Lines from one
/// process correlate; nothing in them can be checked offline against a guess, as a plain
/// hash of a password or a short key could.
inline std::string fingerprint(std::string_view value, std::size_t hex_digits = 8) {
    const auto d = detail::process_mac<detail::fingerprint_tag>(value);
    return "fp:" + to_hex(d.data(), std::min<std::size_t>(hex_digits, 2 * d.size()) / 2);
}

/// The key under which a secret is remembered in memory (a cache of verified tokens, of
/// checked passwords): an HMAC under a second random key of the process, so that neither a
/// memory dump nor a fingerprint in a log can be checked offline against a guessed token,
/// and a cache entry never equals a fingerprint's bytes.
inline sha256_digest lookup_key(std::string_view secret) { return detail::process_mac<detail::lookup_tag>(secret); }

/// Overwrites `n` bytes at `p` in a way the compiler does not elide.
inline void cleanse(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

} // namespace warden::crypto
