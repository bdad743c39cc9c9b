// warden/upstream/client.hpp: calls to the APIs a server uses, with the server's own
// credentials attached.
//
//     auto weather = upstream::client::make({.base_url = "https://api.weather.example"},
//                                           upstream::static_header::from(creds, "PROD_WEATHER_API_KEY", "X-API-Key"));
//     auto r = weather.value().send({.path = "/v1/forecast?city=Oslo"}, ctx.caller().tenant);
//
// HTTPS with certificate and host name verification (plain http only to loopback and only
// when the fetch options allow it, as in tests), a deadline per exchange, a body cap, and
// redirects never followed (a 3xx is an error: credentials are not carried elsewhere).
// Credentials come from a credential source (`static_header`) or an OAuth token manager
// (`oauth_bearer`); with OAuth an upstream 401 triggers one forced refresh and one retry.
// Errors name the upstream and the failure, never a credential.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/detail/http_fetch.hpp>
#include <warden/error.hpp>
#include <warden/upstream/oauth.hpp>

#include <boost/url/parse.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::upstream {

struct request {
    std::string method = "GET";
    std::string path = "/";             ///< appended to the base URL: "/v1/items?q=x"
    std::string body{};
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers{};
};

struct response {
    unsigned status = 0;
    std::string body{};
    std::string content_type{};
};

/// How a credential gets onto a request.
class credential {
public:
    virtual ~credential() = default;
    /// Adds the credential for `tenant`; `rejected` is the header value the upstream just
    /// refused (a retry), or empty.
    virtual result<std::pair<std::string, std::string>> header(std::string_view tenant, std::string_view rejected) = 0;
    /// Whether a 401 is worth one retry with a new credential.
    virtual bool renews_on_rejection() const noexcept { return false; }
};

/// A fixed header from a credential: "Authorization: Bearer <token>", "X-API-Key: <key>".
class static_header final : public credential {
public:
    static result<std::shared_ptr<credential>> from(const credential_set& creds, const std::string& variable,
                                                    std::string header = "Authorization",
                                                    std::string prefix = "Bearer ") {
        const secret* s = creds.find_secret(variable);
        if (!s || s->empty()) return failure(errc::missing_credentials, variable + " is not set");
        auto c = std::shared_ptr<static_header>(new static_header());
        c->name_ = std::move(header);
        c->value_ = prefix + std::string(s->reveal());
        return std::shared_ptr<credential>(std::move(c));
    }
    ~static_header() override { crypto::cleanse(value_.data(), value_.size()); }
    result<std::pair<std::string, std::string>> header(std::string_view, std::string_view) override {
        return std::pair{name_, value_};
    }

private:
    static_header() = default;
    std::string name_;
    std::string value_;
};

/// "Authorization: Bearer <access token>" from a token manager, per tenant.
class oauth_bearer final : public credential {
public:
    explicit oauth_bearer(std::shared_ptr<token_manager> tokens) : tokens_(std::move(tokens)) {}
    result<std::pair<std::string, std::string>> header(std::string_view tenant, std::string_view rejected) override {
        auto t = rejected.empty() ? tokens_->access_token(tenant)
                                  : tokens_->refresh_after_rejection(tenant, rejected.substr(std::string_view("Bearer ").size()));
        if (!t) return t.error();
        std::string value = "Bearer " + t.value();
        crypto::cleanse(t.value().data(), t.value().size());
        return std::pair<std::string, std::string>{"Authorization", std::move(value)};
    }
    bool renews_on_rejection() const noexcept override { return true; }

private:
    std::shared_ptr<token_manager> tokens_;
};

struct client_options {
    std::string name{};     ///< for messages; default: the base URL's host
    std::string base_url{}; ///< https://host[:port][/prefix]
    warden::detail::fetch_options fetch{};
};

class client {
public:
    static result<client> make(client_options o, result<std::shared_ptr<credential>> cred) {
        if (!cred) return cred.error();
        auto u = boost::urls::parse_absolute_uri(o.base_url);
        if (!u || (u->scheme() != "https" && u->scheme() != "http"))
            return failure(errc::invalid_argument, "upstream base URL \"" + o.base_url + "\" is not an http(s) URL");
        if (u->has_userinfo()) return failure(errc::invalid_argument, "upstream base URL carries credentials");
        if (u->scheme() == "http" && !(o.fetch.allow_loopback_http && warden::detail::loopback_host(u->host_address())))
            return failure(errc::invalid_argument, "upstream \"" + o.base_url +
                                                       "\": credentials are only sent over https (plain http only to "
                                                       "loopback, outside profile::production)");
        while (o.base_url.ends_with('/')) o.base_url.pop_back();
        if (o.name.empty()) o.name = std::string(u->host());
        client c;
        c.options_ = std::move(o);
        c.credential_ = std::move(cred).value();
        return c;
    }

    const std::string& name() const noexcept { return options_.name; }

    /// Sends `r` for `tenant`. A 401 with an OAuth credential: one refresh, one retry.
    result<response> send(const request& r, std::string_view tenant = "default") const {
        if (!r.path.starts_with('/') || r.path.starts_with("//"))
            return failure(errc::invalid_argument, "an upstream path starts with a single '/'");
        std::string rejected;
        for (int attempt = 0; attempt < 2; ++attempt) {
            auto h = credential_->header(tenant, rejected);
            if (!h) return h.error();
            warden::detail::request_parts parts;
            parts.method = r.method;
            parts.body = r.body;
            parts.content_type = r.body.empty() ? std::string() : r.content_type;
            parts.headers = r.headers;
            parts.headers.push_back(h.value());
            auto got = warden::detail::http_request(options_.base_url + r.path, options_.fetch, parts);
            if (!got) return error{got.error().code, "upstream " + options_.name + ": " + got.error().message()};
            if (got.value().status == 401 && credential_->renews_on_rejection() && attempt == 0) {
                rejected = std::move(h.value().second);
                continue;
            }
            crypto::cleanse(h.value().second.data(), h.value().second.size());
            return response{got.value().status, std::move(got.value().body), std::move(got.value().content_type)};
        }
        return failure(errc::invalid_credentials, "upstream " + options_.name + " refused the refreshed credential (401)");
    }

private:
    client() = default;
    client_options options_;
    std::shared_ptr<credential> credential_;
};

} // namespace warden::upstream
