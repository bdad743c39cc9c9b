// warden/upstream/exchange.hpp: acting for the caller upstream without passing its token
// on. The token the caller presented (`ctx.caller().delegation`, kept sealed by the auth
// scheme) is exchanged at the authorization server for a token meant for one upstream API:
// RFC 8693 token exchange, or the JWT-bearer on-behalf-of grant (Microsoft Entra ID).
//
//     upstream::token_exchange billing{{.name = "billing", .token_endpoint = "https://as.example.com/token",
//                                       .client_id = "notes-mcp", .client_secret_variable = "EXCHANGE_SECRET",
//                                       .audience = "https://billing.example.com"}, creds};
//     auto t = billing.token_for(*ctx.caller().delegation);   // a token for billing, for this caller
//
// The exchange goes to the configured token endpoint only, for the configured audience,
// resource and scopes: a handler chooses none of them. Exchanged tokens are cached per
// caller (issuer and subject) until shortly before they expire, and never logged; errors
// name the upstream and what failed, never a token.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/delegation.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/http_fetch.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace warden::upstream {

struct token_exchange_settings {
    std::string name{};                   ///< the upstream, for messages
    std::string token_endpoint{};         ///< https (loopback http in tests)
    std::string client_id{};
    std::string client_secret_variable{}; ///< the credential holding the client secret (client_secret_basic)
    std::string audience{};               ///< RFC 8693 `audience`, if the AS wants one
    std::string resource{};               ///< RFC 8707 `resource`, if the AS wants one
    std::vector<std::string> scopes{};
    /// "token-exchange" (RFC 8693) or "jwt-bearer" (RFC 7523 with `requested_token_use=
    /// on_behalf_of`, as Microsoft Entra ID's on-behalf-of flow wants it).
    std::string grant = "token-exchange";
    std::chrono::seconds refresh_ahead{30}; ///< a cached token is not used this close to its expiry
    std::size_t cache_capacity = 10'000;
    warden::detail::fetch_options fetch{};
};

class token_exchange {
public:
    /// Throws std::invalid_argument for settings that cannot work (no endpoint, no client,
    /// a secret that is not loaded, an unknown grant).
    token_exchange(token_exchange_settings s, const credential_set& creds) : s_(std::move(s)) {
        if (s_.token_endpoint.empty() || s_.client_id.empty())
            throw std::invalid_argument("token exchange " + s_.name + ": the token endpoint and the client id are needed");
        if (s_.grant != "token-exchange" && s_.grant != "jwt-bearer")
            throw std::invalid_argument("token exchange " + s_.name + ": grant is token-exchange or jwt-bearer");
        if (!s_.client_secret_variable.empty()) {
            const secret* sec = creds.find_secret(s_.client_secret_variable);
            if (!sec || sec->empty())
                throw std::invalid_argument("token exchange " + s_.name + ": the client secret " +
                                            s_.client_secret_variable + " is not loaded (declare it)");
            client_auth_ = warden::detail::client_secret_basic(s_.client_id, sec->reveal());
        }
    }
    ~token_exchange() {
        crypto::cleanse(client_auth_.data(), client_auth_.size());
        for (auto& [k, v] : cache_) crypto::cleanse(v.token.data(), v.token.size());
    }
    token_exchange(const token_exchange&) = delete;
    token_exchange& operator=(const token_exchange&) = delete;

    /// A token for the upstream, for the caller whose token `d` is: from the cache, or
    /// exchanged now. The authorization server unreachable or failing, or refusing the
    /// exchange, is an error saying which.
    result<std::string> token_for(const delegated_token& d) {
        const std::string key = d.issuer() + '\0' + d.subject();
        const auto now = std::chrono::system_clock::now();
        {
            std::lock_guard lock(mutex_);
            if (auto it = cache_.find(key); it != cache_.end() && now + s_.refresh_ahead < it->second.expires)
                return it->second.token;
        }
        auto subject_token = d.open();
        if (!subject_token) return failure(errc::internal_error, "token exchange " + s_.name + ": the kept token cannot be opened");
        std::string body;
        auto add = [&](std::string_view k, std::string_view v) {
            if (v.empty()) return;
            body += (body.empty() ? "" : "&") + std::string(k) + "=" + warden::detail::form_encode(v);
        };
        std::string scope;
        for (const auto& x : s_.scopes) scope += (scope.empty() ? "" : " ") + x;
        if (s_.grant == "token-exchange") {
            add("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
            add("subject_token", subject_token.value());
            add("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
            add("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
            add("audience", s_.audience);
        } else {
            add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
            add("assertion", subject_token.value());
            add("requested_token_use", "on_behalf_of");
        }
        crypto::cleanse(subject_token.value().data(), subject_token.value().size());
        add("resource", s_.resource);
        add("scope", scope);
        warden::detail::request_parts parts;
        if (client_auth_.empty()) add("client_id", s_.client_id);
        else parts.headers.emplace_back("Authorization", client_auth_);
        parts.body = std::move(body);
        parts.content_type = "application/x-www-form-urlencoded";
        auto got = warden::detail::http_request(s_.token_endpoint, s_.fetch, parts);
        crypto::cleanse(parts.body.data(), parts.body.size());
        if (!got)
            return failure(errc::client_error, "token exchange " + s_.name + ": the authorization server cannot be asked (" +
                                                  got.error().message() + ")");
        auto doc = warden::detail::parse_strict_json(got.value().body);
        crypto::cleanse(got.value().body.data(), got.value().body.size());
        const auto status = got.value().status;
        if (!doc || !doc.value().is_object())
            return failure(errc::client_error, "token exchange " + s_.name + ": the authorization server answered HTTP " +
                                                  std::to_string(status) + " without a JSON object");
        const auto& o = doc.value().as_object();
        if (status != 200) {
            std::string code = "unknown";
            if (auto* e = o.if_contains("error"); e && e->is_string() && e->as_string().size() <= 64)
                code = std::string(e->as_string());
            return failure(status >= 500 ? errc::client_error : errc::invalid_credentials,
                           "token exchange " + s_.name + ": the authorization server refused: " + code + " (HTTP " +
                               std::to_string(status) + ")");
        }
        const auto* access = o.if_contains("access_token");
        const auto* type = o.if_contains("token_type");
        if (!access || !access->is_string() || access->as_string().empty() || !type || !type->is_string() ||
            warden::detail::lower_ascii(type->as_string()) != "bearer")
            return failure(errc::client_error, "token exchange " + s_.name + ": the answer lacks a bearer access_token");
        auto expires = now + std::chrono::seconds(60); // no expires_in: a short while
        if (const auto* e = o.if_contains("expires_in"); e && e->is_int64() && e->as_int64() > 0 &&
                                                         e->as_int64() < 10LL * 365 * 24 * 3600)
            expires = now + std::chrono::seconds(e->as_int64());
        std::string token(access->as_string());
        ++exchanges_;
        {
            std::lock_guard lock(mutex_);
            if (cache_.size() >= s_.cache_capacity) std::erase_if(cache_, [&](const auto& e) { return e.second.expires <= now; });
            if (cache_.size() < s_.cache_capacity) cache_.insert_or_assign(key, cached{token, expires});
        }
        return token;
    }

    /// Exchanges that reached the authorization server (for tests and metrics).
    std::uint64_t exchanges() const noexcept { return exchanges_.load(); }
    const token_exchange_settings& settings() const noexcept { return s_; }

private:
    struct cached {
        std::string token;
        std::chrono::system_clock::time_point expires;
    };
    token_exchange_settings s_;
    std::string client_auth_;
    std::mutex mutex_;
    std::map<std::string, cached> cache_;
    std::atomic<std::uint64_t> exchanges_{0};
};

} // namespace warden::upstream
