// warden/upstream/oauth.hpp: OAuth tokens a server holds for an upstream API, per tenant.
//
//     upstream::oauth_client_settings gh{.name = "github", .authorization_endpoint = ..., .token_endpoint = ...,
//                                        .client_id = "...", .client_secret_variable = "GITHUB_CLIENT_SECRET",
//                                        .scopes = {"repo"}, .login_command = "my-server login"};
//     auto tokens = std::make_shared<upstream::token_manager>(gh, server.storage().value(), server.credentials(), &log);
//     tokens->login("acme", [](std::string_view url) { std::cout << "open " << url << "\n"; });  // once
//     auto token = tokens->access_token("acme");                                                 // every call
//
// Bootstrap: the authorization code flow with PKCE S256 and a random `state` (compared in
// constant time), the redirect received by a listener on 127.0.0.1 (random port unless
// the redirect URI names one; redirect URIs must be loopback http or https).
//
// Afterwards `access_token(tenant)` returns the stored access token while it has more than
// `refresh_ahead` to live, and refreshes it otherwise. Refreshes are single-flight: in this
// process concurrent callers for one (tenant, upstream) wait for the one refresh; across
// processes sharing the storage (Redis), a lock entry (insert-if-absent with expiry) lets
// one of them refresh while the others wait for the stored result (a refresher that dies
// holding it delays the next refresh until the entry lapses; meanwhile callers get the
// current token while it is still valid). A rotated refresh token
// is stored with compare-and-swap before the new access token is handed to anyone, so the
// store never holds a refresh token the authorization server has already consumed while a
// newer one is in use. `invalid_grant` marks the account as needing a new login, and every
// later call fails with an error that names the command to run. An upstream 401 calls
// `refresh_after_rejection`, which refreshes once unless someone already replaced the
// rejected token.
//
// Nothing here logs or returns a token or secret in an error.
#pragma once

#include <warden/metrics.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/signing_key.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/http_fetch.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/store.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace warden::upstream {

struct oauth_client_settings {
    std::string name;                    ///< the upstream ("github"): storage key and messages
    std::string authorization_endpoint;  ///< https (loopback http in tests)
    std::string token_endpoint;
    std::string client_id;
    std::string client_secret_variable{}; ///< empty: a public client (PKCE only); else client_secret_basic
    std::vector<std::string> scopes{};
    std::string resource{};              ///< RFC 8707 resource indicator, when the AS wants one
    std::string redirect_uri{};          ///< empty: http://127.0.0.1:<random port>/callback
    std::chrono::seconds refresh_ahead{300};
    std::chrono::seconds login_timeout{300};
    /// How long the refresh lock lasts: a refresher that crashed holds it this long (callers
    /// meanwhile use the current token while it is valid). It must outlast a refresh in
    /// flight by far, or a second refresher would spend a rotated refresh token: at least
    /// twice the token request's timeout plus 10 s. Zero: twice the timeout plus 30 s.
    std::chrono::milliseconds refresh_lock_ttl{0};
    /// How long a caller waits for another's refresh before it gives up (and uses the
    /// current token if it is still valid). Zero: the lock's lifetime plus 5 s.
    std::chrono::milliseconds refresh_wait{0};
    std::string login_command{};         ///< shown when a login is needed, e.g. "my-server login --tenant acme"
    warden::detail::fetch_options fetch{};
    /// In a store that keeps values in the clear beyond this host (storage::redis), the
    /// tokens are sealed (AES-256-GCM, as storage::encrypted_file seals records) under the
    /// key in this credential (base64 of 32 random bytes; declare it), and opened with it or
    /// with the one it replaces. Without it such a store is refused.
    /// DPoP (RFC 9449): each login makes a new P-256 key for the tenant, kept sealed with
    /// the tokens it binds; every token request and every API request carries a proof
    /// signed with it, and a server's `use_dpop_nonce` is answered by one retry with its
    /// nonce. The tokens are then worthless without the key.
    bool dpop = false;
    std::string token_key_variable = "WARDEN_STORAGE_KEY";
    std::string previous_token_key_variable = "WARDEN_STORAGE_KEY_PREVIOUS";
};

/// What is stored per (tenant, upstream), as JSON (inside whatever encryption the storage
/// policy applies).
struct token_set {
    std::string access_token{};
    std::string refresh_token{};
    std::string scope{};
    std::int64_t expires_at = 0; ///< unix seconds; 0: unknown
    bool needs_login = false;
    std::string reason{};        ///< why a login is needed (no secrets)
    std::string dpop_key{};      ///< the private JWK the tokens are bound to (DPoP), if any
    ~token_set() {
        crypto::cleanse(access_token.data(), access_token.size());
        crypto::cleanse(refresh_token.data(), refresh_token.size());
        crypto::cleanse(dpop_key.data(), dpop_key.size());
    }
    token_set() = default;
    token_set(const token_set&) = default;
    token_set& operator=(const token_set&) = default;

    std::string serialize() const {
        boost::json::object o{{"access_token", access_token}, {"refresh_token", refresh_token}, {"scope", scope},
                              {"expires_at", expires_at}, {"needs_login", needs_login}, {"reason", reason}};
        if (!dpop_key.empty()) o.emplace("dpop_key", dpop_key);
        return boost::json::serialize(o);
    }
    static std::optional<token_set> parse(std::string_view text) {
        auto v = warden::detail::parse_strict_json(text);
        if (!v || !v.value().is_object()) return std::nullopt;
        const auto& o = v.value().as_object();
        token_set t;
        auto str = [&](const char* k, std::string& out) {
            if (auto* p = o.if_contains(k); p && p->is_string()) out = std::string(p->as_string());
        };
        str("access_token", t.access_token);
        str("refresh_token", t.refresh_token);
        str("scope", t.scope);
        str("reason", t.reason);
        str("dpop_key", t.dpop_key);
        if (auto* p = o.if_contains("expires_at"); p && p->is_int64()) t.expires_at = p->as_int64();
        if (auto* p = o.if_contains("needs_login"); p && p->is_bool()) t.needs_login = p->as_bool();
        return t;
    }
};

/// PKCE (RFC 7636): a verifier of 32 random bytes and its S256 challenge.
struct pkce_pair {
    std::string verifier;
    std::string challenge;
    static pkce_pair make() {
        pkce_pair p;
        p.verifier = crypto::base64url_encode(crypto::random_bytes(32));
        const auto d = crypto::sha256(p.verifier);
        p.challenge = crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
        return p;
    }
};

/// What a login needs to remember between the redirect out and the redirect back.
struct authorization_request {
    std::string url;
    std::string state;
    std::string verifier;
    std::string redirect_uri;
};

/// Whether `uri` may receive authorization codes: https, or http to a loopback address.
inline result<void> check_redirect_uri(std::string_view uri) {
    auto u = boost::urls::parse_absolute_uri(uri);
    if (!u) return failure(errc::invalid_argument, "the redirect URI is not an absolute URL");
    if (u->scheme() == "https") return success();
    const std::string host(u->host_address()); // an IPv6 literal without its brackets
    if (u->scheme() == "http" && host != "localhost" && warden::detail::loopback_host(host)) return success();
    return failure(errc::invalid_argument,
                   "redirect URIs must be https, or http to a loopback address (127.0.0.1, [::1]), not \"" +
                       std::string(uri) + "\"");
}

class token_manager {
public:
    using clock = std::chrono::system_clock;

    /// Throws std::invalid_argument when the settings cannot work: a client secret variable
    /// that is named but not loaded, or a refresh lock shorter than a refresh may take.
    /// `make` returns that as an error instead. The client secret is read here, once.
    token_manager(oauth_client_settings s, std::shared_ptr<storage::store> store, const credential_set& creds,
                  const logger* log = nullptr)
        : settings_(std::move(s)), store_(std::move(store)), log_(log) {
        if (!settings_.client_secret_variable.empty()) {
            const secret* sec = creds.find_secret(settings_.client_secret_variable);
            if (!sec || sec->empty())
                throw std::invalid_argument("upstream " + settings_.name + ": the client secret " +
                                            settings_.client_secret_variable + " is not loaded (declare it)");
            client_auth_ = warden::detail::client_secret_basic(settings_.client_id, sec->reveal());
        }
        if (settings_.refresh_lock_ttl > std::chrono::milliseconds::zero() &&
            settings_.refresh_lock_ttl < 2 * settings_.fetch.timeout + std::chrono::seconds(10))
            throw std::invalid_argument("upstream " + settings_.name +
                                        ": refresh_lock_ttl must be at least twice the request timeout plus 10 s");
        if (!store_) throw std::invalid_argument("upstream " + settings_.name + ": no storage");
        if (store_->keeps_values_in_clear()) {
            auto current = storage::detail::storage_key(creds, settings_.token_key_variable);
            auto previous = storage::detail::storage_key(creds, settings_.previous_token_key_variable);
            if (!current) throw std::invalid_argument("upstream " + settings_.name + ": " + current.error().message());
            if (!previous) throw std::invalid_argument("upstream " + settings_.name + ": " + previous.error().message());
            if (current.value().empty())
                throw std::invalid_argument("upstream " + settings_.name + ": its refresh tokens would be stored in the "
                                            "clear where other hosts read them (Redis); set " + settings_.token_key_variable +
                                            " (openssl rand -base64 32) to seal them");
            auto codec = storage::aead_codec::make(std::move(current).value(), std::move(previous).value());
            if (!codec) throw std::invalid_argument("upstream " + settings_.name + ": " + codec.error().message());
            sealer_ = std::move(codec).value();
        }
        owner_ = crypto::base64url_encode(crypto::random_bytes(12));
    }

    static result<std::shared_ptr<token_manager>> make(oauth_client_settings s, std::shared_ptr<storage::store> store,
                                                       const credential_set& creds, const logger* log = nullptr) {
        try {
            return std::make_shared<token_manager>(std::move(s), std::move(store), creds, log);
        } catch (const std::invalid_argument& e) {
            return failure(errc::invalid_argument, e.what());
        }
    }
    ~token_manager() { crypto::cleanse(client_auth_.data(), client_auth_.size()); }
    token_manager(const token_manager&) = delete;
    token_manager& operator=(const token_manager&) = delete;

    const oauth_client_settings& settings() const noexcept { return settings_; }

    /// Refreshes that reached the token endpoint from this manager (for tests and metrics).
    std::uint64_t refreshes() const noexcept { return refreshes_.load(); }

    /// A usable access token for `tenant`, refreshed first when it is about to expire.
    result<std::string> access_token(std::string_view tenant) { return fresh_token(tenant, std::nullopt); }

    /// After the upstream refused `rejected` (401): a refreshed token, or the token someone
    /// else already put in its place. Callers retry once with it.
    result<std::string> refresh_after_rejection(std::string_view tenant, std::string_view rejected) {
        return fresh_token(tenant, std::string(rejected));
    }

    /// The `Authorization` value and, with DPoP, the `DPoP` proof for one request to `url`
    /// with `method`: "Bearer <token>" and nothing, or "DPoP <token>" and a proof signed with
    /// the tenant's key (`nonce`: the one the upstream asked for). `rejected`: the token the
    /// upstream just refused (then a refreshed one), or empty.
    result<std::pair<std::string, std::string>> authorization(std::string_view tenant, std::string_view rejected,
                                                              std::string_view method, std::string_view url,
                                                              std::string_view nonce = {}) {
        auto t = rejected.empty() ? access_token(tenant) : refresh_after_rejection(tenant, rejected);
        if (!t) return t.error();
        std::string token = std::move(t).value();
        if (!settings_.dpop) {
            std::string value = "Bearer " + token;
            crypto::cleanse(token.data(), token.size());
            return std::pair{std::move(value), std::string()};
        }
        // The key of the stored set this token belongs to (a refresh keeps the key; a new
        // login replaces both, and a proof with the old key is then refused and retried).
        auto cur = load(tenant);
        if (!cur) return cur.error();
        if (!cur.value() || cur.value()->set.dpop_key.empty())
            return login_needed(tenant, "the stored tokens have no DPoP key");
        auto key = crypto::ec_signing_key::from_jwk(cur.value()->set.dpop_key);
        if (!key) return failure(errc::storage_error, "upstream " + settings_.name + ": the stored DPoP key: " + key.error().message());
        auto proof = crypto::dpop_proof(key.value(), method, url, token, nonce);
        if (!proof) return proof.error();
        std::string value = "DPoP " + token;
        crypto::cleanse(token.data(), token.size());
        return std::pair{std::move(value), std::move(proof).value()};
    }

    /// Starts a login: the URL to open and what to keep for `complete_login`.
    result<authorization_request> begin_login(std::string redirect_uri) const {
        if (auto r = check_redirect_uri(redirect_uri); !r) return r.error();
        auto u = boost::urls::parse_absolute_uri(settings_.authorization_endpoint);
        if (!u) return failure(errc::invalid_argument, "the authorization endpoint is not an absolute URL");
        const auto pkce = pkce_pair::make();
        authorization_request a;
        a.state = crypto::base64url_encode(crypto::random_bytes(32));
        a.verifier = pkce.verifier;
        a.redirect_uri = std::move(redirect_uri);
        boost::urls::url url(*u);
        auto params = url.params();
        params.append({"response_type", "code"});
        params.append({"client_id", settings_.client_id});
        params.append({"redirect_uri", a.redirect_uri});
        params.append({"code_challenge", pkce.challenge});
        params.append({"code_challenge_method", "S256"});
        params.append({"state", a.state});
        if (!settings_.scopes.empty()) params.append({"scope", joined_scopes()});
        if (!settings_.resource.empty()) params.append({"resource", settings_.resource});
        a.url = std::string(url.buffer());
        return a;
    }

    /// Finishes a login with the `code` and `state` the redirect carried: the state must be
    /// the one sent (constant-time comparison); the code is exchanged with the verifier and
    /// the tokens stored for `tenant`, replacing whatever was there.
    result<void> complete_login(std::string_view tenant, const authorization_request& a, std::string_view code,
                                std::string_view state) {
        if (state.size() != a.state.size() || !crypto::equal_secrets(state, a.state))
            return failure(errc::invalid_credentials, "the login's state does not match (a forged or stale redirect)");
        std::string body = "grant_type=authorization_code&code=" + warden::detail::form_encode(code) +
                           "&redirect_uri=" + warden::detail::form_encode(a.redirect_uri) +
                           "&code_verifier=" + warden::detail::form_encode(a.verifier);
        std::optional<crypto::ec_signing_key> key;
        if (settings_.dpop) { // a new grant, a new key
            auto k = crypto::ec_signing_key::generate();
            if (!k) return k.error();
            key = std::move(k).value();
        }
        auto t = token_request(std::move(body), nullptr, key ? &*key : nullptr);
        if (!t) return t.error();
        if (key) t.value().dpop_key = key->private_jwk();
        if (t.value().refresh_token.empty() && log_)
            log_->warn("upstream " + settings_.name + ": the authorization server issued no refresh token; a new login "
                       "will be needed when the access token expires");
        if (auto stored = import_tokens(tenant, t.value()); !stored) return stored.error();
        if (log_) log_->info("upstream " + settings_.name + ": signed in for tenant " + std::string(tenant));
        return success();
    }

    /// Stores `t` for `tenant`, replacing what was there, as a login does (sealed where the
    /// store keeps values in the clear): for tokens obtained elsewhere.
    result<void> import_tokens(std::string_view tenant, const token_set& t) {
        auto sealed = seal(tenant, t.serialize());
        if (!sealed) return sealed.error();
        return store_->put(tenant, token_key(), std::move(sealed).value());
    }

    /// The whole login on this machine: listens on the loopback redirect URI, calls
    /// `show(url)` with the URL to open in a browser, waits for the redirect (at most
    /// `login_timeout`), answers the browser, and completes the login.
    result<void> login(std::string_view tenant, const std::function<void(std::string_view)>& show) {
        namespace net = boost::asio;
        namespace http = boost::beast::http;
        std::string redirect = settings_.redirect_uri;
        std::uint16_t port = 0;
        std::string path = "/callback";
        if (!redirect.empty()) {
            if (auto r = check_redirect_uri(redirect); !r) return r.error();
            auto u = boost::urls::parse_absolute_uri(redirect);
            if (u->scheme() != "http")
                return failure(errc::invalid_argument,
                               "login listens on a loopback redirect URI; with an https one, deliver the code to "
                               "complete_login yourself");
            if (!u->has_port() || u->port_number() == 0)
                return failure(errc::invalid_argument, "the loopback redirect URI must name its port");
            port = static_cast<std::uint16_t>(u->port_number());
            path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
        }
        net::io_context io;
        net::ip::tcp::acceptor acceptor(io);
        boost::system::error_code ec;
        const net::ip::tcp::endpoint where(net::ip::make_address("127.0.0.1"), port);
        acceptor.open(where.protocol(), ec);
        // A fixed redirect port is reused by the next login (its last connection may linger in TIME_WAIT).
        if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(where, ec);
        if (!ec) acceptor.listen(8, ec);
        if (ec) return failure(errc::closed, "cannot listen for the login redirect on " + where.address().to_string() +
                                                 ":" + std::to_string(port) + ": " + ec.message());
        if (redirect.empty())
            redirect = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + path;
        auto request = begin_login(redirect);
        if (!request) return request.error();
        show(request.value().url);

        std::optional<result<void>> outcome;
        bool answered = false; // the browser got its page
        const auto deadline = std::chrono::steady_clock::now() + settings_.login_timeout;
        // Every connection gets a few seconds to send its request, and the next one is
        // accepted at once: an idle connection (a browser's preconnect) cannot block the login.
        std::function<void()> accept_next = [&] {
            acceptor.async_accept([&](boost::system::error_code aec, net::ip::tcp::socket sock) {
                if (aec) return;
                if (!outcome) accept_next();
                auto s = std::make_shared<boost::beast::tcp_stream>(std::move(sock));
                auto buffer = std::make_shared<boost::beast::flat_buffer>();
                auto req = std::make_shared<http::request<http::empty_body>>();
                s->expires_after(std::chrono::seconds(5));
                http::async_read(*s, *buffer, *req, [&, s, buffer, req](boost::system::error_code rec, std::size_t) {
                    if (rec || outcome) return;
                    auto [status, page] = handle_redirect(tenant, request.value(), path, *req, outcome);
                    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
                    res->set(http::field::content_type, "text/html; charset=utf-8");
                    res->set(http::field::cache_control, "no-store");
                    res->body() = "<!doctype html><title>warden</title><p>" + page + "</p>";
                    res->prepare_payload();
                    res->keep_alive(false);
                    const bool final = outcome.has_value();
                    s->expires_after(std::chrono::seconds(5));
                    http::async_write(*s, *res, [&, s, res, final](boost::system::error_code, std::size_t) {
                        boost::system::error_code ignored;
                        s->socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
                        if (final) answered = true;
                    });
                });
            });
        };
        accept_next();
        while (!outcome && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
        // Let the browser have its page before the listener goes.
        const auto page_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (outcome && !answered && std::chrono::steady_clock::now() < page_deadline) io.run_one_until(page_deadline);
        if (!outcome)
            return failure(errc::timeout, "no login redirect within " + std::to_string(settings_.login_timeout.count()) +
                                              " s; run the login again");
        return std::move(*outcome);
    }

    /// Whether `tenant` has tokens that do not need a new login.
    result<bool> signed_in(std::string_view tenant) {
        auto cur = load(tenant);
        if (!cur) return cur.error();
        return cur.value().has_value() && !cur.value()->set.needs_login;
    }

private:
    struct loaded {
        std::string raw;
        token_set set;
    };
    struct flight {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        std::optional<result<std::string>> outcome;
    };

    std::chrono::milliseconds lock_ttl() const {
        return settings_.refresh_lock_ttl > std::chrono::milliseconds::zero()
                   ? settings_.refresh_lock_ttl
                   : 2 * settings_.fetch.timeout + std::chrono::seconds(30);
    }
    std::chrono::milliseconds wait_limit() const {
        return settings_.refresh_wait > std::chrono::milliseconds::zero() ? settings_.refresh_wait
                                                                          : lock_ttl() + std::chrono::seconds(5);
    }
    std::string token_key() const { return "oauth/" + settings_.name; }
    /// What sealed tokens are bound to: this upstream and this tenant (a value copied to
    /// another's slot does not open).
    std::string slot(std::string_view tenant) const {
        std::string out = "upstream-tokens";
        out.push_back('\0');
        out.append(settings_.name).push_back('\0');
        out.append(tenant);
        return out;
    }
    /// `json` as stored: sealed when the store keeps values in the clear.
    result<std::string> seal(std::string_view tenant, std::string json) const {
        if (!sealer_) return json;
        auto sealed = sealer_->seal(slot(tenant), json);
        crypto::cleanse(json.data(), json.size());
        return sealed;
    }
    std::string lock_key() const { return "oauth-refresh-lock/" + settings_.name; }
    std::string joined_scopes() const {
        std::string s;
        for (const auto& x : settings_.scopes) s += (s.empty() ? "" : " ") + x;
        return s;
    }
    static std::int64_t now_s() {
        return std::chrono::duration_cast<std::chrono::seconds>(clock::now().time_since_epoch()).count();
    }
    bool fresh_enough(const token_set& t) const {
        return t.expires_at == 0 || t.expires_at - now_s() > settings_.refresh_ahead.count();
    }
    bool still_valid(const token_set& t) const { return t.expires_at == 0 || t.expires_at - now_s() > 5; }

    error login_needed(std::string_view tenant, std::string_view why) const {
        std::string cmd = settings_.login_command.empty() ? "the server's login command" : settings_.login_command;
        return error{make_error_code(errc::invalid_credentials),
                     "upstream " + settings_.name + " needs a new login for tenant \"" + std::string(tenant) + "\" (" +
                         std::string(why) + "); run: " + cmd};
    }

    result<std::optional<loaded>> load(std::string_view tenant) {
        auto raw = store_->get(tenant, token_key());
        if (!raw) return raw.error();
        if (!raw.value()) return std::optional<loaded>();
        std::string json;
        if (sealer_) {
            auto opened = sealer_->open(slot(tenant), *raw.value());
            if (!opened)
                return failure(errc::storage_error, "the stored tokens of upstream " + settings_.name +
                                                        " cannot be opened with " + settings_.token_key_variable +
                                                        " (another key, or stored unsealed): sign in again");
            json = std::move(opened).value();
        }
        auto set = token_set::parse(sealer_ ? json : *raw.value());
        crypto::cleanse(json.data(), json.size());
        if (!set) return failure(errc::storage_error, "the stored tokens of upstream " + settings_.name + " are damaged");
        return std::optional<loaded>(loaded{std::move(*raw.value()), std::move(*set)});
    }

    /// Single flight in this process: one refresh per tenant at a time, the others wait.
    result<std::string> fresh_token(std::string_view tenant, std::optional<std::string> rejected) {
        // The common case needs no lock: a stored token with time to live.
        if (!rejected) {
            auto cur = load(tenant);
            if (!cur) return cur.error();
            if (!cur.value()) return login_needed(tenant, "not signed in");
            if (cur.value()->set.needs_login) return login_needed(tenant, cur.value()->set.reason);
            if (fresh_enough(cur.value()->set)) return std::move(cur.value()->set.access_token);
        }
        std::shared_ptr<flight> f;
        bool leader = false;
        {
            std::lock_guard lock(flights_mutex_);
            auto& slot = flights_[std::string(tenant)];
            if (!slot) {
                slot = std::make_shared<flight>();
                leader = true;
            }
            f = slot;
        }
        if (!leader) {
            std::unique_lock lock(f->mutex);
            f->done_cv.wait(lock, [&] { return f->done; });
            auto out = *f->outcome;
            // A follower whose rejected token is what the flight returned asks again.
            if (out && rejected && out.value() == *rejected) return fresh_token(tenant, rejected);
            return out;
        }
        // Whatever happens, the followers get an outcome (an exception becomes an error).
        result<std::string> out = failure(errc::internal_error, "upstream " + settings_.name + ": the refresh failed");
        try {
            out = refresh_shared(tenant, rejected);
        } catch (const std::exception& e) {
            if (log_) log_->error("upstream " + settings_.name + ": token refresh failed: " + e.what());
        }
        {
            std::lock_guard lock(flights_mutex_);
            flights_.erase(std::string(tenant));
        }
        {
            std::lock_guard lock(f->mutex);
            f->outcome = out;
            f->done = true;
        }
        f->done_cv.notify_all();
        return out;
    }

    /// Across processes: whoever takes the lock entry refreshes; the others wait for the
    /// stored result.
    result<std::string> refresh_shared(std::string_view tenant, const std::optional<std::string>& rejected) {
        const auto give_up = std::chrono::steady_clock::now() + wait_limit();
        for (;;) {
            auto cur = load(tenant);
            if (!cur) return cur.error();
            if (!cur.value()) return login_needed(tenant, "not signed in");
            auto& c = *cur.value();
            if (c.set.needs_login) return login_needed(tenant, c.set.reason);
            const bool replaced = rejected && c.set.access_token != *rejected;
            if (replaced || (!rejected && fresh_enough(c.set))) return c.set.access_token;
            auto locked = store_->insert_if_absent(tenant, lock_key(), owner_, lock_ttl());
            if (!locked) return locked.error();
            if (locked.value()) {
                auto out = refresh_locked(tenant, rejected);
                // Compare-and-delete: only our own lock entry goes.
                (void)store_->compare_and_swap(tenant, lock_key(), owner_, "", std::chrono::milliseconds(1));
                return out;
            }
            if (std::chrono::steady_clock::now() > give_up) {
                // The refresher elsewhere is slow; the current token still works for a while.
                if (!rejected && still_valid(c.set)) return c.set.access_token;
                return failure(errc::timeout, "upstream " + settings_.name + ": another instance's token refresh "
                                                                             "did not finish in time");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }

    /// Refreshes while holding the lock entry.
    result<std::string> refresh_locked(std::string_view tenant, const std::optional<std::string>& rejected) {
        auto cur = load(tenant); // again: it may have changed before we took the lock
        if (!cur) return cur.error();
        if (!cur.value()) return login_needed(tenant, "not signed in");
        auto& c = *cur.value();
        if (c.set.needs_login) return login_needed(tenant, c.set.reason);
        if ((rejected && c.set.access_token != *rejected) || (!rejected && fresh_enough(c.set))) return c.set.access_token;
        if (c.set.refresh_token.empty()) return mark_login_needed(tenant, c, "no refresh token");
        // Spending the refresh token only while the lock is still ours (it may have lapsed
        // while the store was slow): a rotated token spent twice revokes the grant.
        auto holder = store_->get(tenant, lock_key());
        if (!holder) return holder.error();
        if (!holder.value() || !crypto::equal_secrets(*holder.value(), owner_))
            return failure(errc::timeout, "upstream " + settings_.name + ": the refresh lock lapsed; try again");
        std::string body = "grant_type=refresh_token&refresh_token=" + warden::detail::form_encode(c.set.refresh_token);
        ++refreshes_;
        bool invalid_grant = false;
        std::optional<crypto::ec_signing_key> key;
        if (settings_.dpop) { // the refresh token is bound to the key the login made
            if (c.set.dpop_key.empty()) return mark_login_needed(tenant, c, "the stored tokens have no DPoP key");
            auto k = crypto::ec_signing_key::from_jwk(c.set.dpop_key);
            if (!k) return mark_login_needed(tenant, c, "the stored DPoP key is damaged");
            key = std::move(k).value();
        }
        auto t = token_request(std::move(body), &invalid_grant, key ? &*key : nullptr);
        metrics::global().token_refreshes.with({t ? "ok" : invalid_grant ? "invalid_grant" : "failed"}).inc();
        if (!t) {
            if (invalid_grant) return mark_login_needed(tenant, c, "the refresh token was refused: invalid_grant");
            // The authorization server is unreachable or failing: the current token, while it lasts.
            if (log_) log_->warn("upstream " + settings_.name + ": token refresh failed: " + t.error().message());
            if (!rejected && still_valid(c.set)) return c.set.access_token;
            return warden::error{t.error().code, "upstream " + settings_.name + ": the token refresh failed (" +
                                                     t.error().message() + "); try again later"};
        }
        auto& next = t.value();
        if (next.refresh_token.empty()) next.refresh_token = c.set.refresh_token; // no rotation: keep the old one
        if (next.scope.empty()) next.scope = c.set.scope;
        next.dpop_key = c.set.dpop_key;
        // Stored before anyone uses the new access token: the rotated refresh token is safe.
        auto sealed = seal(tenant, next.serialize());
        if (!sealed) return sealed.error();
        auto swapped = store_->compare_and_swap(tenant, token_key(), c.raw, std::move(sealed).value());
        if (!swapped) return swapped.error();
        if (!swapped.value())
            return failure(errc::storage_error, "upstream " + settings_.name +
                                                    ": the stored tokens changed during a refresh (lock expired?)");
        if (log_) log_->info("upstream " + settings_.name + ": refreshed the access token of tenant " + std::string(tenant));
        return std::move(next.access_token);
    }

    /// Marks the stored tokens as dead; if they changed meanwhile (someone stored new
    /// ones), those are used instead.
    result<std::string> mark_login_needed(std::string_view tenant, const loaded& c, std::string why) {
        token_set dead = c.set;
        crypto::cleanse(dead.access_token.data(), dead.access_token.size());
        crypto::cleanse(dead.refresh_token.data(), dead.refresh_token.size());
        dead.access_token.clear();
        dead.refresh_token.clear();
        dead.needs_login = true;
        dead.reason = why;
        auto sealed = seal(tenant, dead.serialize());
        if (!sealed) return sealed.error();
        auto swapped = store_->compare_and_swap(tenant, token_key(), c.raw, std::move(sealed).value());
        if (swapped && !swapped.value()) {
            auto now = load(tenant);
            if (now && now.value() && !now.value()->set.needs_login && !now.value()->set.access_token.empty())
                return std::move(now.value()->set.access_token);
        }
        if (log_) log_->warn("upstream " + settings_.name + ": tenant " + std::string(tenant) + " needs a new login (" + why + ")");
        return login_needed(tenant, why);
    }

    /// POSTs to the token endpoint and reads a token response (RFC 6749 §5); with `key`, a
    /// DPoP proof goes along (and once more with the server's nonce, if it asks for one).
    result<token_set> token_request(std::string body, bool* invalid_grant, const crypto::ec_signing_key* key = nullptr) {
        warden::detail::request_parts parts;
        if (client_auth_.empty()) body += "&client_id=" + warden::detail::form_encode(settings_.client_id);
        else parts.headers.emplace_back("Authorization", client_auth_);
        if (!settings_.resource.empty()) body += "&resource=" + warden::detail::form_encode(settings_.resource);
        parts.body = std::move(body);
        parts.content_type = "application/x-www-form-urlencoded";
        result<warden::detail::fetched> got = failure(errc::internal_error, "no request");
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (key) {
                std::string nonce;
                {
                    std::lock_guard lock(nonce_mutex_);
                    nonce = as_nonce_;
                }
                auto proof = crypto::dpop_proof(*key, "POST", settings_.token_endpoint, {}, nonce);
                if (!proof) return proof.error();
                std::erase_if(parts.headers, [](const auto& h) { return h.first == "DPoP"; });
                parts.headers.emplace_back("DPoP", std::move(proof).value());
            }
            got = warden::detail::http_request(settings_.token_endpoint, settings_.fetch, parts);
            if (!got || !key || got.value().dpop_nonce.empty()) break;
            {
                std::lock_guard lock(nonce_mutex_);
                as_nonce_ = got.value().dpop_nonce; // the next proof carries it
            }
            if (got.value().status != 400 || got.value().body.find("use_dpop_nonce") == std::string::npos) break;
        }
        crypto::cleanse(parts.body.data(), parts.body.size());
        if (!got) return got.error();
        auto doc = warden::detail::parse_strict_json(got.value().body);
        crypto::cleanse(got.value().body.data(), got.value().body.size());
        const auto status = got.value().status;
        if (!doc || !doc.value().is_object())
            return failure(errc::client_error, "the token endpoint answered HTTP " + std::to_string(status) +
                                                   " without a JSON object");
        const auto& o = doc.value().as_object();
        if (status != 200) {
            std::string code = "unknown";
            if (auto* e = o.if_contains("error"); e && e->is_string()) code = std::string(e->as_string());
            if (invalid_grant) *invalid_grant = code == "invalid_grant";
            // The error code is from a fixed vocabulary; the description is the AS's text.
            return failure(errc::client_error, "the token endpoint refused: " + code + " (HTTP " +
                                                   std::to_string(status) + ")");
        }
        token_set t;
        auto* access = o.if_contains("access_token");
        auto* type = o.if_contains("token_type");
        const std::string_view want = key ? "dpop" : "bearer";
        if (!access || !access->is_string() || access->as_string().empty() || !type || !type->is_string() ||
            warden::detail::lower_ascii(type->as_string()) != want)
            return failure(errc::client_error, key ? "the token response lacks a DPoP-bound access_token (token_type DPoP)"
                                                   : "the token response lacks a bearer access_token");
        t.access_token = std::string(access->as_string());
        if (auto* r = o.if_contains("refresh_token"); r && r->is_string()) t.refresh_token = std::string(r->as_string());
        if (auto* s = o.if_contains("scope"); s && s->is_string()) t.scope = std::string(s->as_string());
        if (auto* e = o.if_contains("expires_in")) {
            if (!e->is_int64() || e->as_int64() <= 0 || e->as_int64() > 10LL * 365 * 24 * 3600)
                return failure(errc::client_error, "the token response has a bad expires_in");
            t.expires_at = now_s() + e->as_int64();
        }
        return t;
    }

    /// The redirect's request: the tenant's login completes on the right path with the right
    /// state; anything else is answered and ignored (an attacker cannot end the login).
    std::pair<boost::beast::http::status, std::string>
    handle_redirect(std::string_view tenant, const authorization_request& a, const std::string& path,
                    const boost::beast::http::request<boost::beast::http::empty_body>& req,
                    std::optional<result<void>>& outcome) {
        namespace http = boost::beast::http;
        auto u = boost::urls::parse_origin_form(req.target());
        if (!u || req.method() != http::verb::get || u->encoded_path() != path)
            return {http::status::not_found, "Not found."};
        std::string code, state, err;
        for (auto p : u->params()) {
            if (p.key == "code") code = p.value;
            else if (p.key == "state") state = p.value;
            else if (p.key == "error") err = p.value;
        }
        if (state.size() != a.state.size() || !crypto::equal_secrets(state, a.state))
            return {http::status::bad_request, "This sign-in link does not belong to the login in progress."};
        if (!err.empty()) {
            outcome = failure(errc::client_error, "the authorization server refused the login: " + err.substr(0, 64));
            return {http::status::ok, "The sign-in was refused. You can close this window."};
        }
        if (code.empty()) return {http::status::bad_request, "The redirect carries no code."};
        auto done = complete_login(tenant, a, code, state);
        crypto::cleanse(code.data(), code.size());
        const bool ok = static_cast<bool>(done);
        outcome = std::move(done);
        return {http::status::ok, ok ? "Signed in. You can close this window."
                                     : "The sign-in could not be completed; see the server's output."};
    }

    oauth_client_settings settings_;
    std::shared_ptr<storage::store> store_;
    std::shared_ptr<const storage::aead_codec> sealer_; ///< set when the store keeps values in the clear
    const logger* log_;
    std::string client_auth_;
    std::string owner_;
    std::atomic<std::uint64_t> refreshes_{0};
    std::mutex nonce_mutex_;
    std::string as_nonce_; ///< the authorization server's last DPoP nonce
    std::mutex flights_mutex_;
    std::map<std::string, std::shared_ptr<flight>, std::less<>> flights_;
};

} // namespace warden::upstream
