// warden/auth/api_key.hpp: API keys in custom headers.
//
//     w::auth::api_key<"X-API-Key">                      one header
//     w::auth::api_key<"X-API-Key", "X-API-Secret">      a key and its secret, both checked
//
// Keys come from the definition's credential source, each named by a `key_grant`
// (settings::auth.api_key.keys) listing one credential per header, in order. Configured
// keys are kept only as SHA-256 digests and compared in constant time; a configured key
// that is empty or shorter than 16 characters stops the server at start-up. A request with
// none of the headers is 401 with an `ApiKey` challenge naming them (a key only in the query
// string is never read); one with a wrong, empty or partial set is 401 invalid_token; a
// header given twice, or a key in the query string beside the headers, is 400
// invalid_request.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

/// A string usable as a template argument: `api_key<"X-API-Key">`.
template <std::size_t N>
struct header_name {
    char text[N]{};
    constexpr header_name(const char (&s)[N]) { std::copy_n(s, N, text); }
    constexpr std::string_view view() const { return {text, N - 1}; }
};

template <header_name... Headers>
    requires(sizeof...(Headers) > 0)
class api_key : public header_secret_traits {
public:
    static constexpr std::array<std::string_view, sizeof...(Headers)> headers{Headers.view()...};
    /// Configured keys (and secrets) shorter than this are refused at start-up: a short key
    /// can be guessed, online or from any digest of it.
    static constexpr std::size_t min_key_length = 16;
    static constexpr std::size_t max_key_length = 4096;
    static std::vector<std::string_view> credential_headers() { return {headers.begin(), headers.end()}; }

    static std::vector<variable> variables(const auth_settings& s) { return grant_variables(s.api_key.keys, "API key"); }

    static result<api_key> configure(const credential_set& creds, const auth_settings& s) {
        auto table = load_grants(s.api_key.keys, creds, headers.size(), "API key", [](std::string_view k) -> std::string {
            for (unsigned char c : k)
                if (c < 0x21 || c > 0x7e) return "contains a character that is not visible ASCII";
            if (k.size() < min_key_length)
                return "shorter than " + std::to_string(min_key_length) +
                       " characters; generate one with: openssl rand -hex 32";
            if (k.size() > max_key_length) return "longer than " + std::to_string(max_key_length) + " characters";
            return {};
        });
        if (!table) return table.error();
        api_key a;
        a.grants_ = s.api_key.keys;
        a.table_ = std::move(table).value();
        std::string names;
        for (auto h : headers) names += (names.empty() ? "" : " ") + std::string(h);
        a.challenge_ = {"ApiKey", s.api_key.realm};
        a.names_ = names;
        return a;
    }

    /// The request carries at least one of the headers.
    static bool presents(const http_request_view& r) {
        return std::any_of(headers.begin(), headers.end(),
                           [&](std::string_view h) { return !header_values(r, h).empty(); });
    }

    gate_result authenticate(const http_request_view& r) const {
        std::vector<std::string_view> presented;
        std::size_t given = 0;
        for (auto h : headers) {
            auto values = header_values(r, h);
            if (values.size() > 1) return challenge_.malformed(std::string(h) + " given more than once");
            given += values.size();
            presented.push_back(values.empty() ? std::string_view() : values.front());
        }
        if (given == 0) {
            auto c = challenge_.missing();
            c.www_authenticate += ", header=" + quoted(names_);
            return c;
        }
        if (credential_in_query(r.target))
            return challenge_.malformed("credentials in both a header and the query string");
        if (given != headers.size()) return challenge_.invalid("incomplete API key: send " + names_);
        for (auto p : presented)
            if (p.empty() || p.size() > max_key_length) return challenge_.invalid("malformed API key");
        const auto grant = table_.find(presented);
        if (!grant) return challenge_.invalid("unknown API key");
        return principal_of(grants_[*grant], "api_key");
    }

private:
    std::vector<key_grant> grants_;
    digest_table table_;
    challenges challenge_{"ApiKey", "mcp"};
    std::string names_;
};

} // namespace warden::auth
