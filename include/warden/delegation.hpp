// warden/delegation.hpp: the token a caller presented, kept so that the server can act for
// the caller upstream without forwarding it (the MCP specification forbids token
// passthrough; RFC 8693 token exchange is the sanctioned way).
//
// A `delegated_token` is sealed (AES-256-GCM under a random key of this process) the moment
// the auth scheme accepts the token, and only `upstream::token_exchange` can open it, to
// send it to the one token endpoint it is configured for. A handler may hold one
// (`ctx.caller().delegation`) and pass it on; it has no way to read it: no accessor, no
// stream operator, no conversion (tests/compile_fail/delegation_sealed_fail.cpp).
#pragma once

#include <warden/crypto/aead.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace warden {

namespace upstream {
class token_exchange;
}

class delegated_token {
public:
    /// Seals `token` for the caller `issuer`/`subject`. Null only if OpenSSL fails.
    static std::shared_ptr<const delegated_token> seal(std::string_view token, std::string issuer, std::string subject) {
        auto d = std::shared_ptr<delegated_token>(new delegated_token());
        d->nonce_ = crypto::random_bytes(crypto::aes256_gcm_nonce_size);
        auto sealed = crypto::aes256_gcm_seal(key(), d->nonce_, "warden-delegation", token);
        if (!sealed) return nullptr;
        d->sealed_ = std::move(sealed).value();
        d->issuer_ = std::move(issuer);
        d->subject_ = std::move(subject);
        return d;
    }
    /// Whose token it is (what an exchanged token is cached under).
    const std::string& issuer() const noexcept { return issuer_; }
    const std::string& subject() const noexcept { return subject_; }

    delegated_token(const delegated_token&) = delete;
    delegated_token& operator=(const delegated_token&) = delete;

private:
    friend class upstream::token_exchange;
    delegated_token() = default;
    /// The token, for the exchange request only.
    result<std::string> open() const { return crypto::aes256_gcm_open(key(), nonce_, "warden-delegation", sealed_); }
    static std::string_view key() {
        static const std::string k = crypto::random_bytes(crypto::aes256_gcm_key_size);
        return k;
    }
    std::string nonce_;
    std::string sealed_;
    std::string issuer_;
    std::string subject_;
};

} // namespace warden
