// warden/storage/redis.hpp: values in Redis, shared by every server instance.
//
// Link `warden::redis` (hiredis). hiredis encodes commands and parses replies; the
// connections are Asio sockets, with TLS through OpenSSL for `rediss://` URLs (Debian's
// hiredis 0.14 has no TLS of its own), certificate and host name verified.
//
// Keys are `<prefix><namespace>:<key>` with `%` and `:` in the namespace written %25 and
// %3A, so no tenant can reach another's keys. `insert_if_absent` is `SET NX PX`;
// `compare_and_swap` is one Lua script (atomic on the server). Calls wait on the network,
// so the transport runs schemes that use this store on the worker pool.
//
// When Redis cannot be reached every call fails at once with `errc::storage_error` (auth
// that needs the store answers 503: fail closed), one log line says so, and connection
// attempts continue with exponential backoff (100 ms up to `redis_max_backoff`); the first
// success logs the recovery. A connection that broke while idle in the pool (Redis
// restarted) is replaced once before a call is declared failed.
#pragma once

#include <warden/crypto/digest.hpp>
#include <warden/detail/loopback.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/storage/settings.hpp>
#include <warden/storage/store.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <functional>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::storage {

/// Where a Redis server is, from `redis://host:port[/db]` or `rediss://...` (TLS).
struct redis_endpoint {
    std::string host;
    std::string port = "6379";
    unsigned db = 0;
    bool tls = false;
    std::string describe() const { return std::string(tls ? "rediss://" : "redis://") + host + ":" + port; }
};

inline result<redis_endpoint> parse_redis_url(std::string_view text) {
    auto u = boost::urls::parse_uri(text);
    if (!u) return failure(errc::invalid_argument, "the Redis URL is not a URL (redis://host:port/db)");
    redis_endpoint e;
    if (u->scheme() == "rediss") e.tls = true;
    else if (u->scheme() != "redis")
        return failure(errc::invalid_argument, "the Redis URL must start with redis:// or rediss://");
    if (u->has_password() || u->has_userinfo())
        return failure(errc::invalid_argument,
                       "the Redis URL carries credentials; give the password through the credential source "
                       "(storage.redis_password_variable) and the user in storage.redis_username");
    e.host = std::string(u->host_address());
    if (e.host.empty()) return failure(errc::invalid_argument, "the Redis URL has no host");
    if (u->has_port()) e.port = std::string(u->port());
    std::string_view path = u->encoded_path();
    if (!path.empty() && path != "/") {
        path.remove_prefix(1);
        unsigned db = 0;
        for (char c : path) {
            if (c < '0' || c > '9' || db > 1000) return failure(errc::invalid_argument, "the Redis database must be a number");
            db = db * 10 + static_cast<unsigned>(c - '0');
        }
        e.db = db;
    }
    return e;
}

namespace detail {

/// A Redis reply, copied out of hiredis (whose buffers are wiped before they are freed).
struct redis_reply {
    int type = REDIS_REPLY_NIL;
    std::string str;
    long long integer = 0;
    std::vector<redis_reply> elements;
    ~redis_reply() { crypto::cleanse(str.data(), str.size()); }
    redis_reply() = default;
    redis_reply(redis_reply&&) = default;
    redis_reply& operator=(redis_reply&&) = default;
    bool is_error() const { return type == REDIS_REPLY_ERROR; }
};

inline redis_reply copy_reply(const redisReply* r) {
    redis_reply out;
    out.type = r->type;
    if (r->str) out.str.assign(r->str, r->len);
    out.integer = r->integer;
    for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
    return out;
}
inline void wipe_reply(redisReply* r) {
    if (r->str) crypto::cleanse(r->str, r->len);
    for (std::size_t i = 0; i < r->elements; ++i) wipe_reply(r->element[i]);
}

/// The key of (ns, key) under `prefix`.
inline std::string redis_key(std::string_view prefix, std::string_view ns, std::string_view key) {
    std::string k(prefix);
    for (char c : ns) {
        if (c == '%') k += "%25";
        else if (c == ':') k += "%3A";
        else k.push_back(c);
    }
    k.push_back(':');
    k.append(key);
    return k;
}

/// One connection, used by one thread at a time; its own io_context bounds every step.
class redis_connection {
public:
    using clock = std::chrono::steady_clock;

    redis_connection(boost::asio::ssl::context* tls, std::chrono::milliseconds timeout)
        : timeout_(timeout), reader_(redisReaderCreate()) {
        if (tls) stream_.emplace(io_, *tls);
        else socket_.emplace(io_);
    }
    ~redis_connection() {
        if (reader_) redisReaderFree(reader_);
    }
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    bool broken() const noexcept { return broken_; }

    /// Resolves, connects, handshakes (TLS), authenticates and selects the database.
    result<void> connect(const redis_endpoint& e, std::string_view user, std::string_view password) {
        namespace net = boost::asio;
        boost::system::error_code ec;
        bool done = false;
        net::ip::tcp::resolver resolver(io_);
        resolver.async_resolve(e.host, e.port, [&](boost::system::error_code rec, net::ip::tcp::resolver::results_type rs) {
            if (rec) {
                ec = rec;
                done = true;
                return;
            }
            net::async_connect(lowest(), rs, [&](boost::system::error_code cec, const net::ip::tcp::endpoint&) {
                if (cec || !stream_) {
                    ec = cec;
                    done = true;
                    return;
                }
                if (!SSL_set_tlsext_host_name(stream_->native_handle(), e.host.c_str())) {
                    ec = net::error::invalid_argument;
                    done = true;
                    return;
                }
                stream_->set_verify_callback(net::ssl::host_name_verification(e.host));
                stream_->async_handshake(net::ssl::stream_base::client, [&](boost::system::error_code hec) {
                    ec = hec;
                    done = true;
                });
            });
        });
        run_until(done);
        ERR_clear_error();
        if (!done) return fail(errc::timeout, "no connection within " + std::to_string(timeout_.count()) + " ms");
        if (ec) return fail(errc::closed, ec.message());
        if (!password.empty()) {
            auto r = user.empty() ? command({"AUTH", password}) : command({"AUTH", user, password});
            if (!r) return r.error();
            if (r.value().is_error()) return failure(errc::invalid_credentials, "Redis refused the password: " + r.value().str);
        }
        if (e.db != 0) {
            auto r = command({"SELECT", std::to_string(e.db)});
            if (!r) return r.error();
            if (r.value().is_error()) return failure(errc::invalid_argument, "Redis refused SELECT: " + r.value().str);
        }
        return success();
    }

    /// Sends one command and reads its reply. An I/O failure or timeout marks the
    /// connection broken (it is then discarded).
    result<redis_reply> command(std::initializer_list<std::string_view> args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (auto a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        char* raw = nullptr;
        const int n = redisFormatCommandArgv(&raw, static_cast<int>(argv.size()), argv.data(), lens.data());
        if (n < 0 || !raw) return failure(errc::internal_error, "cannot encode a Redis command");
        std::string out(raw, static_cast<std::size_t>(n));
        crypto::cleanse(raw, static_cast<std::size_t>(n));
        redisFreeCommand(raw);
        auto r = exchange(out);
        crypto::cleanse(out.data(), out.size());
        return r;
    }

private:
    boost::asio::ip::tcp::socket& lowest() { return stream_ ? stream_->next_layer() : *socket_; }

    result<void> fail(errc code, std::string what) {
        broken_ = true;
        return failure(code, std::move(what));
    }

    void run_until(const bool& done) {
        io_.restart();
        const auto deadline = clock::now() + timeout_;
        while (!done && clock::now() < deadline)
            if (io_.run_one_until(deadline) == 0) break;
        if (!done) {
            broken_ = true;
            boost::system::error_code ignored;
            lowest().cancel(ignored);
            lowest().close(ignored);
            io_.restart();
            io_.poll(); // let the cancelled handlers run before what they refer to goes
        }
    }

    template <class F>
    void with_stream(F&& f) {
        if (stream_) f(*stream_);
        else f(*socket_);
    }

    result<redis_reply> exchange(const std::string& out) {
        namespace net = boost::asio;
        if (broken_) return failure(errc::closed, "connection broken");
        bool done = false;
        boost::system::error_code ec;
        void* reply = nullptr;
        std::function<void()> read_more = [&] {
            with_stream([&](auto& s) {
                s.async_read_some(net::buffer(buffer_), [&](boost::system::error_code rec, std::size_t got) {
                    if (rec) {
                        ec = rec;
                        done = true;
                        return;
                    }
                    redisReaderFeed(reader_, buffer_.data(), got);
                    crypto::cleanse(buffer_.data(), got);
                    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
                        ec = net::error::invalid_argument;
                        done = true;
                        return;
                    }
                    if (reply) done = true;
                    else read_more();
                });
            });
        };
        with_stream([&](auto& s) {
            net::async_write(s, net::buffer(out), [&](boost::system::error_code wec, std::size_t) {
                if (wec) {
                    ec = wec;
                    done = true;
                    return;
                }
                read_more();
            });
        });
        run_until(done);
        if (!done) return failure(errc::timeout, "no answer within " + std::to_string(timeout_.count()) + " ms");
        if (ec || !reply) {
            broken_ = true;
            return failure(errc::closed, ec ? ec.message() : "a reply Redis should not send");
        }
        auto* r = static_cast<redisReply*>(reply);
        auto copy = copy_reply(r);
        wipe_reply(r);
        freeReplyObject(r);
        return copy;
    }

    std::chrono::milliseconds timeout_;
    boost::asio::io_context io_{1};
    std::optional<boost::asio::ip::tcp::socket> socket_;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
    redisReader* reader_;
    std::array<char, 16 * 1024> buffer_{};
    bool broken_ = false;
};

} // namespace detail

/// The store of storage::redis: a small pool of connections with reconnection and backoff.
class redis_store final : public store {
public:
    using clock = std::chrono::steady_clock;

    struct options {
        redis_endpoint endpoint;
        std::string username{};
        std::string password{}; ///< wiped when the store goes
        std::string ca_file{};  ///< TLS: CAs for the server; empty: the system's
        std::string prefix{};
        std::chrono::milliseconds timeout{2'000};
        std::size_t connections = 4;
        std::chrono::milliseconds max_backoff{5'000};
        const logger* log = nullptr; ///< outages and recoveries; must outlive the store
    };

    static result<std::shared_ptr<redis_store>> open(options o) {
        auto s = std::shared_ptr<redis_store>(new redis_store(std::move(o)));
        if (s->options_.endpoint.tls) {
            s->tls_.emplace(boost::asio::ssl::context::tls_client);
            boost::system::error_code ec;
            if (s->options_.ca_file.empty()) s->tls_->set_default_verify_paths(ec);
            else s->tls_->load_verify_file(s->options_.ca_file, ec);
            if (ec) return failure(errc::invalid_argument, "cannot load the CAs for Redis: " + ec.message());
            s->tls_->set_verify_mode(boost::asio::ssl::verify_peer);
            SSL_CTX_set_min_proto_version(s->tls_->native_handle(), TLS1_2_VERSION);
        }
        return s;
    }
    ~redis_store() override { crypto::cleanse(options_.password.data(), options_.password.size()); }

    bool may_block() const noexcept override { return true; }
    bool keeps_values_in_clear() const noexcept override { return true; }

    /// PING: whether Redis answers now (with the password refused as an error of its own).
    result<void> ping() {
        auto r = run({"PING"});
        if (!r) return r.error();
        return success();
    }

    /// Whether the store believes Redis is reachable (false during an outage).
    bool available() const {
        std::lock_guard lock(mutex_);
        return !down_;
    }

private:
    explicit redis_store(options o) : options_(std::move(o)) {}

    std::string key(std::string_view ns, std::string_view k) const { return detail::redis_key(options_.prefix, ns, k); }

    void log_warn(const std::string& m) const {
        if (options_.log) options_.log->warn(m);
    }

    /// A connection from the pool, or a new one; an error during an outage's backoff.
    result<std::unique_ptr<detail::redis_connection>> acquire(bool& pooled) {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            pooled = true;
            return c;
        }
        const auto now = clock::now();
        if (down_ && now < next_attempt_)
            return failure(errc::storage_error, "Redis at " + options_.endpoint.describe() + " is unavailable");
        if (down_) next_attempt_ = now + backoff_; // one attempt per backoff interval
        ++open_;
        lock.unlock();
        auto c = std::make_unique<detail::redis_connection>(tls_ ? &*tls_ : nullptr, options_.timeout);
        auto r = c->connect(options_.endpoint, options_.username, options_.password);
        if (!r) {
            release(nullptr);
            if (r.error() == errc::invalid_credentials || r.error() == errc::invalid_argument) {
                // A refused password or database: configuration, not an outage.
                log_warn("Redis at " + options_.endpoint.describe() + ": " + r.error().detail);
                return r.error();
            }
            mark_down(r.error().detail);
            return failure(errc::storage_error,
                           "Redis at " + options_.endpoint.describe() + " is unavailable: " + r.error().detail);
        }
        mark_up();
        pooled = false;
        return c;
    }

    void release(std::unique_ptr<detail::redis_connection> c) {
        {
            std::lock_guard lock(mutex_);
            if (c && !c->broken()) idle_.push_back(std::move(c));
            else --open_;
        }
        available_.notify_one();
    }

    void mark_down(const std::string& why) {
        bool first = false;
        {
            std::lock_guard lock(mutex_);
            first = !down_;
            if (!down_) backoff_ = std::chrono::milliseconds(100);
            else backoff_ = std::min(backoff_ * 2, options_.max_backoff);
            down_ = true;
            next_attempt_ = clock::now() + backoff_;
            open_ -= idle_.size();
            idle_.clear(); // the other pooled connections went with it
        }
        available_.notify_all();
        if (first)
            log_warn("Redis at " + options_.endpoint.describe() + " is unreachable (" + why +
                     "); requests that need the store fail until it is back; reconnecting with backoff");
    }
    void mark_up() {
        bool was_down = false;
        {
            std::lock_guard lock(mutex_);
            if (!down_) return;
            was_down = down_;
            down_ = false;
            backoff_ = std::chrono::milliseconds(100);
        }
        if (was_down && options_.log) options_.log->info("Redis at " + options_.endpoint.describe() + " is reachable again");
    }

    /// Drops the idle connections (after one of them turned out dead, so are the others).
    void drop_idle() {
        {
            std::lock_guard lock(mutex_);
            open_ -= idle_.size();
            idle_.clear();
        }
        available_.notify_all();
    }

    /// Runs one command. A pooled connection found closed (Redis restarted while it was
    /// idle) is replaced once, with a new connection; a timeout is never retried, since
    /// Redis may have run the command (a second SET NX would then refuse a fresh nonce).
    result<detail::redis_reply> run(std::initializer_list<std::string_view> args) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool pooled = false;
            auto c = acquire(pooled);
            if (!c) return c.error();
            auto r = c.value()->command(args);
            const bool broken = c.value()->broken();
            release(std::move(c).value());
            if (r) {
                mark_up();
                if (r.value().is_error()) {
                    const auto& e = r.value().str;
                    const bool auth = e.starts_with("NOAUTH") || e.starts_with("WRONGPASS");
                    return failure(auth ? errc::invalid_credentials : errc::storage_error,
                                   "Redis refused a command: " + e.substr(0, 120));
                }
                return r;
            }
            if (!broken) return r.error();
            if (pooled && attempt == 0 && r.error() == errc::closed) {
                drop_idle();
                continue;
            }
            mark_down(r.error().detail);
            return failure(errc::storage_error,
                           "Redis at " + options_.endpoint.describe() + " is unavailable: " + r.error().detail);
        }
        return failure(errc::storage_error, "Redis at " + options_.endpoint.describe() + " is unavailable");
    }

    static std::string px(ttl_type ttl) { return std::to_string(ttl.count()); }

    result<std::optional<std::string>> do_get(std::string_view ns, std::string_view k) override {
        auto r = run({"GET", key(ns, k)});
        if (!r) return r.error();
        if (r.value().type == REDIS_REPLY_NIL) return std::optional<std::string>();
        if (r.value().type != REDIS_REPLY_STRING) return failure(errc::storage_error, "Redis: GET answered a non-string");
        return std::optional<std::string>(std::move(r.value().str));
    }
    result<void> do_put(std::string_view ns, std::string_view k, std::string value, ttl_type ttl) override {
        auto r = ttl > ttl_type::zero() ? run({"SET", key(ns, k), value, "PX", px(ttl)}) : run({"SET", key(ns, k), value});
        crypto::cleanse(value.data(), value.size());
        if (!r) return r.error();
        return success();
    }
    result<bool> do_erase(std::string_view ns, std::string_view k) override {
        auto r = run({"DEL", key(ns, k)});
        if (!r) return r.error();
        return r.value().integer > 0;
    }
    result<bool> do_insert_if_absent(std::string_view ns, std::string_view k, std::string value, ttl_type ttl) override {
        auto r = ttl > ttl_type::zero() ? run({"SET", key(ns, k), value, "NX", "PX", px(ttl)})
                                        : run({"SET", key(ns, k), value, "NX"});
        crypto::cleanse(value.data(), value.size());
        if (!r) return r.error();
        return r.value().type == REDIS_REPLY_STATUS;
    }
    result<bool> do_compare_and_swap(std::string_view ns, std::string_view k, const std::optional<std::string>& expected,
                                     std::string desired, ttl_type ttl) override {
        // Atomic on the server: compare, then set (with or without expiry).
        static constexpr std::string_view script =
            "local v = redis.call('GET', KEYS[1])\n"
            "if ARGV[1] == '1' then if v ~= ARGV[2] then return 0 end\n"
            "elseif v then return 0 end\n"
            "if ARGV[4] ~= '0' then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])\n"
            "else redis.call('SET', KEYS[1], ARGV[3]) end\n"
            "return 1\n";
        auto r = run({"EVAL", script, "1", key(ns, k), expected ? "1" : "0", expected ? *expected : std::string_view(),
                      desired, ttl > ttl_type::zero() ? px(ttl) : "0"});
        crypto::cleanse(desired.data(), desired.size());
        if (!r) return r.error();
        return r.value().integer == 1;
    }

    options options_;
    std::optional<boost::asio::ssl::context> tls_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<detail::redis_connection>> idle_;
    std::size_t open_ = 0;
    bool down_ = false;
    clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{100};
};

/// Storage policy: Redis, shared by every instance of the server. Durable as Redis is
/// configured to be; atomic; shared across instances (rule 6).
struct redis {
    static constexpr bool durable = true;
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = true;
    using store_type = redis_store;

    static std::vector<variable> variables(const storage_settings& s) {
        return {{.name = s.redis_password_variable,
                 .description = "the Redis password (AUTH); leave unset for a Redis without one",
                 .required = false}};
    }

    static result<std::shared_ptr<store>> open(const open_context& c) {
        auto endpoint = parse_redis_url(c.settings.redis_url);
        if (!endpoint) return endpoint.error();
        if (!endpoint.value().tls && !c.settings.redis_plaintext_network && !warden::detail::loopback_host(endpoint.value().host))
            return failure(errc::invalid_argument,
                           endpoint.value().describe() + ": Redis without TLS beyond this machine sends the password "
                                                         "and every stored value in the clear; use rediss://, or set "
                                                         "storage.redis_plaintext_network when that network is private "
                                                         "(profile::development and profile::test accept it)");
        redis_store::options o;
        o.endpoint = std::move(endpoint).value();
        o.username = c.settings.redis_username;
        if (const secret* p = c.credentials.find_secret(c.settings.redis_password_variable)) o.password = std::string(p->reveal());
        o.ca_file = c.settings.redis_ca_file;
        o.prefix = c.settings.redis_prefix.empty() ? std::string(c.server_name) + ":" : c.settings.redis_prefix;
        o.timeout = c.settings.redis_timeout;
        o.connections = std::max<std::size_t>(1, c.settings.redis_connections);
        o.max_backoff = c.settings.redis_max_backoff;
        o.log = &c.log;
        auto s = redis_store::open(std::move(o));
        if (!s) return s.error();
        // A refused password or database stops start-up; an unreachable (or still loading)
        // Redis does not: the store reconnects by itself, and requests that need it fail
        // until then.
        if (auto p = s.value()->ping(); !p && (p.error() == errc::invalid_credentials || p.error() == errc::invalid_argument))
            return p.error();
        return std::shared_ptr<store>(std::move(s).value());
    }
};

} // namespace warden::storage
