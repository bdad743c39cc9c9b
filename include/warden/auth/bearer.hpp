// warden/auth/bearer.hpp: static bearer tokens (RFC 6750 header usage).
//
// The tokens come from the definition's credential source, each named by a `key_grant`
// (settings::auth.bearer.tokens) with a name and scopes. Several may be valid at once, so
// a token is rotated by adding the new one, moving clients over, and removing the old one;
// the server picks the change up on SIGHUP or when its credential files change, without a
// restart.
//
//     Authorization: Bearer <token68>
//
// Refusals (RFC 6750 §3.1): no Authorization (or another scheme, or a token only in the
// query string, which is never read) is 401 with a challenge and no error; a malformed
// request (two Authorization fields, no token, anything but one token68 after the scheme, a
// token in the query string as well) is 400 invalid_request; a token that is unknown or
// too long is 401 invalid_token.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

class bearer : public header_secret_traits {
public:
    /// Configured tokens shorter than this are refused at start-up: a guessable token is
    /// a configuration error.
    static constexpr std::size_t min_token_length = 16;
    static constexpr std::size_t max_token_length = 4096;

    static std::vector<variable> variables(const auth_settings& s) {
        return grant_variables(s.bearer.tokens, "bearer token");
    }

    static result<bearer> configure(const credential_set& creds, const auth_settings& s) {
        auto table = load_grants(s.bearer.tokens, creds, 1, "bearer token", [](std::string_view t) -> std::string {
            if (!is_token68(t)) return "not a valid bearer token (letters, digits and -._~+/, then optional =)";
            if (t.size() < min_token_length)
                return "shorter than " + std::to_string(min_token_length) +
                       " characters; generate one with: openssl rand -hex 32";
            if (t.size() > max_token_length) return "longer than " + std::to_string(max_token_length) + " characters";
            return {};
        });
        if (!table) return table.error();
        bearer b;
        b.grants_ = s.bearer.tokens;
        b.table_ = std::move(table).value();
        b.challenge_ = {"Bearer", s.bearer.realm};
        return b;
    }

    /// The request carries an Authorization field for this scheme.
    static bool presents(const http_request_view& r) { return presents_authorization(r, "Bearer"); }

    gate_result authenticate(const http_request_view& r) const {
        auto read = bearer_token(r, challenge_);
        if (auto* refused = std::get_if<challenge>(&read)) return std::move(*refused);
        const std::string_view token = std::get<std::string_view>(read);
        if (token.size() > max_token_length) return challenge_.invalid("bearer token too long");
        const auto grant = table_.find({token});
        if (!grant) return challenge_.invalid("unknown bearer token");
        return principal_of(grants_[*grant], "bearer");
    }

    const challenges& challenge_text() const noexcept { return challenge_; }

private:
    std::vector<key_grant> grants_;
    digest_table table_;
    challenges challenge_{"Bearer", "mcp"};
};

} // namespace warden::auth
