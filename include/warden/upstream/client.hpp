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
#include <mutex>
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
    /// The header fields for one request with `method` to `url`: the credential's, and
    /// whatever must accompany it (a DPoP proof names the method and the URL; `nonce` is the
    /// one the upstream asked for). By default the one field `header` gives.
    virtual result<std::vector<std::pair<std::string, std::string>>> fields(std::string_view tenant,
                                                                           std::string_view rejected,
                                                                           std::string_view /*method*/,
                                                                           std::string_view /*url*/,
                                                                           std::string_view /*nonce*/) {
        auto h = header(tenant, rejected);
        if (!h) return h.error();
        return std::vector<std::pair<std::string, std::string>>{std::move(h).value()};
    }
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

/// "Authorization: Bearer <access token>" from a token manager, per tenant; with
/// `oauth_client_settings::dpop`, "Authorization: DPoP <access token>" and its proof.
class oauth_bearer final : public credential {
public:
    explicit oauth_bearer(std::shared_ptr<token_manager> tokens) : tokens_(std::move(tokens)) {}
    result<std::pair<std::string, std::string>> header(std::string_view tenant, std::string_view rejected) override {
        auto f = fields(tenant, rejected, "GET", "", "");
        if (!f) return f.error();
        return std::move(f.value().front());
    }
    result<std::vector<std::pair<std::string, std::string>>> fields(std::string_view tenant, std::string_view rejected,
                                                                   std::string_view method, std::string_view url,
                                                                   std::string_view nonce) override {
        // `rejected` is the Authorization value the upstream refused: its token follows the scheme.
        const auto space = rejected.find(' ');
        auto a = tokens_->authorization(tenant, space == std::string_view::npos ? rejected : rejected.substr(space + 1),
                                        method, url, nonce);
        if (!a) return a.error();
        std::vector<std::pair<std::string, std::string>> out{{"Authorization", std::move(a.value().first)}};
        if (!a.value().second.empty()) out.emplace_back("DPoP", std::move(a.value().second));
        return out;
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

    /// Sends `r` for `tenant`. A 401 with an OAuth credential: one refresh, one retry; a
    /// 401 `use_dpop_nonce` (DPoP): one retry with the upstream's nonce.
    result<response> send(const request& r, std::string_view tenant = "default") const {
        if (!r.path.starts_with('/') || r.path.starts_with("//"))
            return failure(errc::invalid_argument, "an upstream path starts with a single '/'");
        const std::string url = options_.base_url + r.path;
        const std::string method = r.method.empty() ? std::string(r.body.empty() ? "GET" : "POST") : r.method;
        std::string rejected, nonce = nonce_->get();
        bool refreshed = false, nonce_retried = false;
        for (;;) {
            auto f = credential_->fields(tenant, rejected, method, url, nonce);
            if (!f) return f.error();
            warden::detail::request_parts parts;
            parts.method = r.method;
            parts.body = r.body;
            parts.content_type = r.body.empty() ? std::string() : r.content_type;
            parts.headers = r.headers;
            parts.headers.insert(parts.headers.end(), f.value().begin(), f.value().end());
            auto wipe = [&] {
                for (auto& h : f.value()) crypto::cleanse(h.second.data(), h.second.size());
                for (auto& h : parts.headers) crypto::cleanse(h.second.data(), h.second.size());
            };
            auto got = warden::detail::http_request(url, options_.fetch, parts);
            if (!got) {
                wipe();
                return error{got.error().code, "upstream " + options_.name + ": " + got.error().message()};
            }
            auto& g = got.value();
            if (!g.dpop_nonce.empty()) nonce_->set(g.dpop_nonce); // used until the upstream gives another
            if (g.status == 401 && !g.dpop_nonce.empty() && !nonce_retried &&
                g.www_authenticate.find("use_dpop_nonce") != std::string::npos) {
                nonce = g.dpop_nonce;
                nonce_retried = true;
                wipe();
                continue;
            }
            if (g.status == 401 && credential_->renews_on_rejection() && !refreshed) {
                rejected = f.value().front().second;
                refreshed = true;
                wipe();
                continue;
            }
            wipe();
            if (g.status == 401 && refreshed)
                return failure(errc::invalid_credentials, "upstream " + options_.name + " refused the refreshed credential (401)");
            return response{g.status, std::move(g.body), std::move(g.content_type)};
        }
    }

private:
    /// The upstream's last DPoP nonce (RFC 9449 §9), shared by copies of the client.
    class nonce_cell {
    public:
        std::string get() const {
            std::lock_guard lock(mutex_);
            return value_;
        }
        void set(std::string v) {
            std::lock_guard lock(mutex_);
            value_ = std::move(v);
        }

    private:
        mutable std::mutex mutex_;
        std::string value_;
    };
    client() = default;
    client_options options_;
    std::shared_ptr<credential> credential_;
    std::shared_ptr<nonce_cell> nonce_ = std::make_shared<nonce_cell>();
};

} // namespace warden::upstream
