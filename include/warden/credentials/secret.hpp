// warden/credentials/secret.hpp: a value that never prints.
//
// `secret` owns sensitive bytes (a token, a key, a password). It cannot be copied by
// accident (move-only; `clone()` is explicit), prints as a short digest
// ("secret(fp:1a2b3c4d)") on any stream, compares in constant time, and wipes its
// memory when destroyed or moved from. Code that needs the bytes calls `reveal()`, a
// name meant to stand out in review.
#pragma once

#include <warden/crypto/digest.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace warden {

class secret {
public:
    secret() = default;
    /// Takes `value` over and wipes what the argument's buffer still held.
    explicit secret(std::string&& value) noexcept : value_(std::move(value)) {
        crypto::cleanse(value.data(), value.capacity());
        value.clear();
    }
    explicit secret(std::string_view value) : value_(value) {}

    secret(secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    secret& operator=(secret&& other) noexcept {
        if (this != &other) {
            wipe();
            value_ = std::move(other.value_);
            other.wipe();
        }
        return *this;
    }
    secret(const secret&) = delete;
    secret& operator=(const secret&) = delete;
    ~secret() { wipe(); }

    /// An explicit copy.
    secret clone() const { return secret(std::string_view(value_)); }

    /// The bytes. Never log or return them to a client.
    std::string_view reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    std::size_t size() const noexcept { return value_.size(); }

    /// "fp:" and 8 hex digits of a keyed hash (crypto::fingerprint): enough to tell secrets apart
    /// in a log, useless to an attacker.
    std::string fingerprint() const { return crypto::fingerprint(value_); }

    /// Constant-time comparison with a presented value.
    bool matches(std::string_view presented) const { return crypto::equal_secrets(value_, presented); }

    friend std::ostream& operator<<(std::ostream& os, const secret& s) {
        return os << "secret(" << (s.empty() ? std::string("empty") : s.fingerprint()) << ")";
    }

private:
    void wipe() noexcept {
        crypto::cleanse(value_.data(), value_.capacity());
        value_.clear();
    }
    std::string value_;
};

} // namespace warden
