// warden/transport/streamable_http.hpp: MCP over Streamable HTTP (spec 2025-11-25, also
// serving 2025-03-26 and 2025-06-18 clients).
//
// `streamable_http<Channel>` is the transport policy; `Channel` (warden/transport/channel.hpp)
// says what the connection guarantees. One endpoint (`/mcp` by default):
//
// - POST a JSON-RPC message or batch. Notifications and responses only: 202. A request:
//   200 with `application/json` when the first thing the handler sends is its result, or
//   an SSE stream (`text/event-stream`) carrying its notifications and requests to the
//   client, then the result.
// - GET opens the session's server-to-client SSE stream (one at a time: 409 otherwise).
// - DELETE ends the session.
//
// Before anything is parsed: a cap on the request head (431), on the body (413, decided
// from Content-Length before reading it), on slow clients (408), on connections; a request
// with both Content-Length and Transfer-Encoding is refused (400) and the connection
// closed. Then the Host and Origin checks (DNS rebinding: 403), then the auth gate (its
// challenge), then the session: `Mcp-Session-Id` (256 random bits) is issued by
// initialize, required afterwards (400 when missing, 404 when unknown or ended), and bound
// to the principal that created it (403 for anyone else). `MCP-Protocol-Version` must be a
// supported revision (400); absent means 2025-03-26. Idle sessions expire; a cap on live
// sessions answers 503. `/healthz` answers 200 without authentication and says nothing more.
//
// In stateless mode (`http_settings::stateless`) there are no sessions: each POST is served
// by a fresh MCP session; GET and DELETE are 405.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/audit.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/crypto/x509.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/detail/server_core.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/session.hpp>
#include <warden/metrics.hpp>
#include <warden/transport/modern_only.hpp>
#include <warden/transport/channel.hpp>
#include <warden/transport/detail/http_session.hpp>
#include <warden/transport/http_settings.hpp>
#include <warden/transport/http/any_stream.hpp>
#include <warden/transport/http/gate.hpp>
#include <warden/transport/http/policy.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cctype>
#include <cstdio>
#include <limits>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sched.h>
#include <sys/socket.h>

namespace warden::transport {

namespace detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

inline std::string lower(std::string_view s) { return warden::detail::lower_ascii(s); }

/// True when the Accept header admits `type` ("application/json", "text/event-stream").
inline bool accepts(std::string_view accept, std::string_view type) {
    const std::string a = lower(accept);
    const std::string major = std::string(type.substr(0, type.find('/'))) + "/*";
    std::size_t pos = 0;
    while (pos <= a.size()) {
        std::size_t end = a.find(',', pos);
        if (end == std::string::npos) end = a.size();
        std::string_view item = std::string_view(a).substr(pos, end - pos);
        item = item.substr(0, item.find(';'));
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == type || item == "*/*" || item == major) return true;
        pos = end + 1;
    }
    return false;
}

/// The request's authority for an `Origin` value ("http://host:port" -> "host:port").
inline std::optional<std::string> origin_authority(std::string_view origin) {
    auto p = origin.find("://");
    if (p == std::string_view::npos) return std::nullopt;
    return lower(origin.substr(p + 3));
}

/// Everything the connections of one server share.
struct http_state {
    warden::detail::server_core& core;
    const http_settings& config;
    std::vector<std::string> allowed_hosts; ///< lower-case; empty = any
    bool check_hosts = true;
    session_table sessions;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopping{false};
    std::optional<net::ssl::context> tls;
    /// Channels that verify client certificates: the CAs (and CRLs) they chain to.
    std::optional<crypto::client_certificate_verifier> client_certs;
    bool trust_forwarded_headers = false;
    std::vector<net::ip::address> trusted_proxies;
    /// The auth scheme in force; replaced whole when credentials change.
    std::atomic<std::shared_ptr<const http_gate>> auth;

    /// Sessions that live for one request (stateless requests), so that shutdown can
    /// cancel their handlers once the grace period is over.
    using request_list = std::list<std::weak_ptr<http_session>>;
    request_list::iterator track_request(const std::shared_ptr<http_session>& s) {
        std::lock_guard lock(requests_mutex);
        return requests.insert(requests.end(), s);
    }
    void untrack_request(request_list::iterator it) {
        std::lock_guard lock(requests_mutex);
        requests.erase(it);
    }
    void close_requests() {
        std::vector<std::shared_ptr<http_session>> live;
        {
            std::lock_guard lock(requests_mutex);
            for (auto& w : requests)
                if (auto s = w.lock()) live.push_back(std::move(s));
        }
        for (auto& s : live) s->close();
    }
    std::mutex requests_mutex;
    request_list requests;

    /// A new request id: this run's random prefix and a counter, e.g. "5f3a91c2-1b".
    std::string next_request_id() {
        const auto n = request_counter.fetch_add(1, std::memory_order_relaxed);
        char buf[32];
        const int len = std::snprintf(buf, sizeof buf, "%s-%llx", request_id_prefix.c_str(),
                                      static_cast<unsigned long long>(n));
        return std::string(buf, static_cast<std::size_t>(len));
    }
    std::string request_id_prefix = [] {
        const std::string b = crypto::random_bytes(4);
        return crypto::to_hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
    }();
    std::atomic<std::uint64_t> request_counter{1};

    /// At most one log line per interval for a repeated failure (a store that is down).
    struct log_throttle {
        std::atomic<std::int64_t> last{std::numeric_limits<std::int64_t>::min() / 2};
        std::chrono::seconds every{10};
        bool due() {
            const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
            auto seen = last.load(std::memory_order_relaxed);
            return now - seen >= std::chrono::milliseconds(every).count() &&
                   last.compare_exchange_strong(seen, now, std::memory_order_relaxed);
        }
    } store_errors, misrouted;

    http_state(warden::detail::server_core& c, const http_settings& s)
        : core(c), config(s), sessions(s.max_sessions, s.session_idle_timeout, s.instance) {}
};

/// What a handled request leaves the connection to do.
enum class after { keep_alive, close };

/// True for header fields whose values are credentials or act as one.
inline bool sensitive_header(std::string_view name) {
    const std::string n = lower(name);
    for (const char* word : {"authorization", "cookie", "key", "secret", "token", "signature", "password", "session",
                             "credential", "auth"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

/// The header fields for a debug log line; sensitive values shown as a short hash only.
inline std::string describe_headers(const http::fields& fields) {
    std::string out;
    for (const auto& f : fields) {
        if (!out.empty()) out += "; ";
        out.append(f.name_string()).append(": ");
        if (sensitive_header(f.name_string()))
            out += "[redacted " + crypto::fingerprint(f.value()) + "]";
        else
            out.append(f.value().substr(0, 200));
    }
    return out;
}

/// One HTTP connection: requests read and answered in turn until either side closes. Not a
/// template: it is compiled once, over `any_stream`, whatever the stream and the scheme.
class connection {
public:
    connection(http_state& state, any_stream& stream, std::string remote,
               std::optional<client_certificate> peer_certificate = std::nullopt)
        : state_(state), stream_(stream), remote_(std::move(remote)), peer_certificate_(std::move(peer_certificate)) {}

    net::awaitable<void> run() {
        timer_.emplace(co_await net::this_coro::executor);
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::empty_body> head;
            head.header_limit(static_cast<std::uint32_t>(state_.config.max_header_bytes));
            head.body_limit(state_.config.max_body_bytes);
            // A request head must arrive within header_timeout of its first byte; an idle
            // keep-alive connection is closed after idle_timeout.
            arm(first_ ? state_.config.header_timeout : state_.config.idle_timeout);
            first_ = false;
            auto [ec, n] = co_await http::async_read_header(stream_, buffer, head, net::as_tuple(net::use_awaitable));
            disarm();
            if (ec) {
                if (timed_out_ && (buffer.size() > 0 || head.got_some()))
                    co_await write_error(http::status::request_timeout, "request head not received in time", 11);
                else if (ec == http::error::header_limit)
                    co_await write_error(http::status::request_header_fields_too_large, "request head too large", 11);
                else if (ec == http::error::body_limit)
                    co_await write_error(http::status::payload_too_large,
                                         "request body over " + std::to_string(state_.config.max_body_bytes) + " bytes",
                                         11);
                else if (!timed_out_ && ec != http::error::end_of_stream && ec != net::error::eof &&
                         ec != net::error::operation_aborted && ec != net::error::connection_reset &&
                         ec != net::ssl::error::stream_truncated)
                    co_await write_error(http::status::bad_request, "malformed request: " + ec.message(), 11);
                co_return;
            }
            auto& h = head.get();
            // Message framing: refuse what a proxy might read differently (request smuggling).
            if (h.count(http::field::content_length) && h.count(http::field::transfer_encoding)) {
                co_await write_error(http::status::bad_request, "both Content-Length and Transfer-Encoding", h.version());
                co_return;
            }
            if (h.count(http::field::transfer_encoding) && !head.chunked()) {
                co_await write_error(http::status::not_implemented, "unsupported Transfer-Encoding", h.version());
                co_return;
            }
            if (auto len = head.content_length(); len && *len > state_.config.max_body_bytes) {
                co_await write_error(http::status::payload_too_large,
                                     "request body over " + std::to_string(state_.config.max_body_bytes) + " bytes",
                                     h.version());
                co_return;
            }
            if (h[http::field::expect] == "100-continue") {
                http::response<http::empty_body> cont{http::status::continue_, h.version()};
                auto [wec, wn] = co_await http::async_write(stream_, cont, net::as_tuple(net::use_awaitable));
                if (wec) co_return;
            }
            http::request_parser<http::string_body> parser(std::move(head));
            parser.body_limit(state_.config.max_body_bytes);
            arm(state_.config.body_timeout);
            auto [bec, bn] = co_await http::async_read(stream_, buffer, parser, net::as_tuple(net::use_awaitable));
            disarm();
            if (bec) {
                if (timed_out_)
                    co_await write_error(http::status::request_timeout, "request body not received in time", 11);
                else if (bec == http::error::body_limit)
                    co_await write_error(http::status::payload_too_large, "request body too large", 11);
                else if (bec != net::error::eof && bec != http::error::end_of_stream)
                    co_await write_error(http::status::bad_request, "malformed request body: " + bec.message(), 11);
                co_return;
            }
            request_ = parser.release();
            ++state_.in_flight;
            after next = co_await handle();
            --state_.in_flight;
            if (stateless_session_) {
                stateless_session_->close();
                stateless_session_.reset();
                state_.untrack_request(tracked_);
            }
            if (next == after::close || !request_.keep_alive() || state_.stopping) co_return;
        }
    }

private:
    using response = http::response<http::string_body>;

    // Read deadlines cancel the read but keep the socket open, so that a 408 can still be
    // written (a beast::tcp_stream expiry would close it).
    void arm(std::chrono::milliseconds d) {
        timed_out_ = false;
        timer_->expires_after(d);
        timer_->async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            timed_out_ = true;
            boost::system::error_code ignored;
            lowest().socket().cancel(ignored);
        });
    }
    void disarm() { timer_->cancel(); }

    // A stateless-era request is cancelled when its client goes away (the revision's
    // cancellation over HTTP): while it is answered, the socket is watched for readability
    // without reading; end of stream (or a reset) closes the request's session, which
    // stops its handler. Bytes of a next request end the watch and stay unread.
    void watch_disconnect(const std::shared_ptr<http_session>& session) {
        watching_ = std::make_shared<bool>(true);
        const int fd = lowest().socket().native_handle();
        lowest().socket().async_wait(
            net::socket_base::wait_read,
            [this, active = watching_, weak = std::weak_ptr<http_session>(session), fd](boost::system::error_code ec) {
                if (ec || !*active) return; // cancelled: the request was answered (the socket may be gone)
                char byte;
                const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                    if (auto s = weak.lock()) watch_disconnect(s); // woken for nothing: watch on
                    return;
                }
                // More bytes: a next request, unless they are a TLS alert record (0x15, the
                // close_notify that precedes a TLS client's FIN), which no HTTP request starts with.
                if (n > 0 && static_cast<unsigned char>(byte) != 0x15) return;
                *active = false;
                if (auto s = weak.lock()) {
                    state_.core.log().debug("the client closed the connection of a request in flight: cancelled");
                    s->close();
                }
            });
    }
    void stop_watching() {
        if (!watching_ || !*watching_) return;
        *watching_ = false;
        boost::system::error_code ignored;
        lowest().socket().cancel(ignored); // nothing else is pending on the socket now
    }

    beast::tcp_stream& lowest() { return stream_.lowest(); }

    net::awaitable<after> send(response res) {
        res.keep_alive(request_.keep_alive() && !state_.stopping);
        res.prepare_payload();
        auto [ec, n] = co_await http::async_write(stream_, res, net::as_tuple(net::use_awaitable));
        co_return ec || !res.keep_alive() ? after::close : after::keep_alive;
    }

    static response make(http::status status, unsigned version, std::string body, std::string_view type) {
        response res{status, version};
        res.set(http::field::server, "warden");
        if (!body.empty()) res.set(http::field::content_type, type);
        res.body() = std::move(body);
        return res;
    }

    /// A JSON-RPC error body with an HTTP status (id null: it answers the HTTP request).
    static response rpc_error(http::status status, unsigned version, int code, std::string_view message) {
        return make(status, version, boost::json::serialize(mcp::jsonrpc::make_error(nullptr, code, message)),
                    "application/json");
    }

    net::awaitable<void> write_error(http::status status, std::string_view message, unsigned version) {
        auto res = rpc_error(status, version, mcp::jsonrpc::invalid_request, message);
        res.keep_alive(false);
        res.prepare_payload();
        lowest().expires_after(std::chrono::seconds(5));
        co_await http::async_write(stream_, res, net::as_tuple(net::use_awaitable));
    }

    std::string_view path() const {
        std::string_view t = request_.target();
        return t.substr(0, t.find('?'));
    }

    bool host_allowed() const {
        if (!state_.check_hosts) return true;
        auto host = request_.find(http::field::host);
        if (host == request_.end()) return false;
        return allowed_authority(lower(host->value()));
    }

    /// `authority` (host[:port], lower case) is on the allowlist: an entry equal to it, an
    /// entry equal to its host name (any port), or `*.domain` for a single label under domain.
    bool allowed_authority(const std::string& authority) const {
        std::string_view name = authority;
        if (!name.empty() && name.front() == '[') {
            name = name.substr(0, name.find(']') + 1);
        } else if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
            name = name.substr(0, colon);
        }
        for (const auto& a : state_.allowed_hosts) {
            if (a == authority || a == name) return true;
            if (a.starts_with("*.") && name.size() > a.size() - 1 && name.ends_with(std::string_view(a).substr(1))) {
                const auto label = name.substr(0, name.size() - (a.size() - 1));
                if (label.find('.') == std::string_view::npos) return true;
            }
        }
        return false;
    }

    bool origin_allowed() const {
        auto origin = request_.find(http::field::origin);
        if (origin == request_.end()) return true; // not a browser
        const std::string o = lower(origin->value());
        for (const auto& allowed : state_.config.allowed_origins)
            if (lower(allowed) == o) return true;
        auto authority = origin_authority(o);
        if (!authority) return false;
        if (state_.check_hosts) return allowed_authority(*authority);
        auto host = request_.find(http::field::host);
        return host != request_.end() && lower(host->value()) == *authority;
    }

    net::awaitable<after> handle() {
        const unsigned v = request_.version();
        const std::string_view p = path();
        {
            const auto scheme = state_.auth.load(std::memory_order_acquire);
            if (scheme->is_metadata_path(p)) {
                if (request_.method() != http::verb::get && request_.method() != http::verb::head)
                    co_return co_await send(not_allowed("GET", "method not allowed"));
                if (!host_allowed())
                    co_return co_await send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request,
                                                      "forbidden Host"));
                // Public by design (RFC 9728), readable by browser-based clients too.
                auto res = make(http::status::ok, v,
                                boost::json::serialize(scheme->resource_metadata(state_.core.registry().advertised_scopes())),
                                "application/json");
                res.set(http::field::access_control_allow_origin, "*");
                res.set(http::field::cache_control, "max-age=3600");
                co_return co_await send(std::move(res));
            }
        }
        if (p == "/healthz") {
            if (request_.method() != http::verb::get && request_.method() != http::verb::head)
                co_return co_await send(make(http::status::method_not_allowed, v, "", ""));
            co_return co_await send(make(http::status::ok, v, R"({"status":"ok"})", "application/json"));
        }
        const bool legacy = state_.config.legacy_sse && !state_.config.stateless &&
                            (p == state_.config.sse_path || p == state_.config.messages_path);
        const bool ws = state_.config.websocket && p == state_.config.websocket_path;
        if (p != state_.config.path && !legacy && !ws)
            co_return co_await send(rpc_error(http::status::not_found, v, mcp::jsonrpc::invalid_request, "not found"));
        if (!origin_allowed())
            co_return co_await send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request,
                                              "forbidden Origin"));
        if (!host_allowed())
            co_return co_await send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request,
                                              "forbidden Host"));

        if (state_.core.log().enabled(log_level::debug))
            state_.core.log().debug("request " + std::string(request_.method_string()) + " " +
                                    std::string(request_.target().substr(0, request_.target().find('?'))) + " from " +
                                    remote_ + ": " + describe_headers(request_.base()));
        http_request_view view{request_.method_string(), request_.target(), &request_.base(), remote_,
                               state_.tls.has_value(), request_.body()};
        if (peer_certificate_) view.client_cert = &*peer_certificate_;
        if (state_.trust_forwarded_headers) forwarded(view);
        const auto scheme = state_.auth.load(std::memory_order_acquire);
        const auto limiter = state_.core.failure_limiter();
        request_id_ = state_.next_request_id();
        const auth::presented_credential offered = scheme->presented(view);
        // The brute-force check comes before any verification; only failures fill buckets.
        struct decision {
            std::optional<gate_result> gate{};
            auth::limit_check limit{};
            std::string store_error{};
        } d;
        auto decide = [&] {
            auto verdict = limiter->check(view.remote_address, offered.bucket);
            if (!verdict) {
                d.store_error = verdict.error().message();
                return;
            }
            if (verdict.value().limited()) {
                d.limit = verdict.value();
                return;
            }
            d.gate = scheme->authenticate(view);
            if (auto* c = std::get_if<challenge>(&*d.gate); c && c->status == 401 && !offered.bucket.empty())
                if (auto r = limiter->record_failure(view.remote_address, offered.bucket); !r)
                    d.store_error = r.error().message();
        };
        const bool off_thread = limiter->may_block() || scheme->may_block();
        if (off_thread) {
            // The scheme or the limiter's store may wait on the network (keys, introspection,
            // Redis): on the worker pool, so that the I/O thread keeps serving meanwhile.
            co_await net::co_spawn(
                state_.core.workers(), [&]() -> net::awaitable<void> { decide(); co_return; }, net::use_awaitable);
        } else {
            decide();
        }
        if (!d.gate) {
            // Fail closed: without its buckets the gate cannot tell an attacker from a caller.
            const bool limited = d.limit.limited();
            const char* reason = limited ? "rate_limited" : "unavailable";
            const auto status = limited ? http::status::too_many_requests : http::status::service_unavailable;
            if (limited) {
                metrics::global().rate_limited.with({d.limit.by}).inc();
                state_.core.log().info("refused " + std::string(request_.method_string()) + " " + std::string(p) +
                                       " from " + view.remote_address + ": 429 too many failed authentications (" +
                                       std::string(d.limit.by) + ")");
            } else if (state_.store_errors.due()) { // one line per 10 s: an outage is no log flood
                state_.core.log().error("refused " + std::string(request_.method_string()) + " " + std::string(p) +
                                        " from " + view.remote_address +
                                        ": 503 the brute-force buckets are unavailable: " + d.store_error);
            }
            audit_authentication(view, offered, "deny", reason, static_cast<unsigned>(status), nullptr);
            boost::json::object body{{"error", limited ? "too_many_requests" : "temporarily_unavailable"},
                                     {"error_description", limited ? "too many failed authentication attempts; retry later"
                                                                   : "authentication is unavailable; retry later"}};
            auto res = make(status, v, boost::json::serialize(body), "application/json");
            const auto seconds = limited ? (d.limit.retry_after.count() + 999) / 1000 : 1;
            res.set(http::field::retry_after, std::to_string(seconds));
            res.set("X-Request-Id", request_id_);
            co_return co_await send(std::move(res));
        }
        if (!d.store_error.empty() && state_.store_errors.due())
            state_.core.log().error("could not count a failed authentication from " + view.remote_address + ": " +
                                    d.store_error);
        gate_result& gate = *d.gate;
        if (auto* refused = std::get_if<challenge>(&gate)) {
            // The log says why; the response only gives the RFC 6750 code.
            state_.core.log().info("refused " + std::string(request_.method_string()) + " " + std::string(p) +
                                   " from " + view.remote_address + ": " + std::to_string(refused->status) +
                                   (refused->error.empty() ? std::string(" no credentials") : " " + refused->error) +
                                   (!refused->detail.empty()        ? " (" + refused->detail + ")"
                                    : refused->description.empty() ? std::string()
                                                                    : " (" + refused->description + ")"));
            audit_authentication(view, offered, "deny", refused->error.empty() ? "no_credentials" : refused->error,
                                 refused->status, nullptr);
            boost::json::object body{{"error", refused->error.empty() ? std::string("unauthorized") : refused->error}};
            if (!refused->description.empty()) body.emplace("error_description", refused->description);
            auto res = make(static_cast<http::status>(refused->status), v, boost::json::serialize(body),
                            "application/json");
            if (!refused->www_authenticate.empty()) res.set(http::field::www_authenticate, refused->www_authenticate);
            res.set("X-Request-Id", request_id_);
            co_return co_await send(std::move(res));
        }
        {
            auto& who = std::get<principal>(gate);
            who.address = view.remote_address;
            who.request_id = request_id_;
            audit_authentication(view, offered, "allow", "ok", 0, &who);
        }
        caller_ = std::move(std::get<principal>(gate));

        // (Two statements: g++ 12 destroys the awaitable of `co_await (c ? f() : g())` twice.)
        if (legacy && p == state_.config.sse_path) co_return co_await legacy_open();
        if (legacy) co_return co_await legacy_post();
        if (ws) co_return co_await websocket();
        switch (request_.method()) {
        case http::verb::post: co_return co_await post();
        case http::verb::get: co_return co_await get();
        case http::verb::delete_: co_return co_await del();
        default:
            co_return co_await send(not_allowed(state_.config.stateless ? "POST" : "GET, POST, DELETE",
                                                "method not allowed"));
        }
    }

    /// The metrics and (when on) the audit line of an authentication decision.
    void audit_authentication(const http_request_view& view, const auth::presented_credential& offered,
                              std::string_view decision, std::string_view reason, unsigned status,
                              const principal* who) {
        const std::string_view scheme_name = who && !who->scheme.empty() ? std::string_view(who->scheme)
                                                                          : std::string_view(offered.scheme);
        // Reasons come from a fixed vocabulary (RFC 6750 codes and ours): safe as labels.
        metrics::global().auth_decisions.with({scheme_name, decision, reason}).inc();
        const auto& audit = state_.core.audit();
        if (!audit) return;
        const std::string http_line = std::string(request_.method_string()) + " " + std::string(path());
        audit_event e{.event = "authentication", .decision = decision, .reason = reason, .status = status,
                      .scheme = scheme_name, .who = who, .http = http_line};
        const auto method = request_.find("Mcp-Method");
        if (method != request_.end()) e.method = method->value().substr(0, 64);
        const auto name = request_.find("Mcp-Name");
        if (name != request_.end()) e.tool = name->value().substr(0, 128);
        e.request_id = request_id_;
        e.address = view.remote_address;
        const std::string credential = offered.bucket.empty() ? std::string() : "sha256:" + offered.bucket.substr(0, 16);
        e.credential = credential;
        audit->record(e);
    }

    /// Behind a trusted TLS terminator: the client address and scheme it reports. From
    /// anyone else the X-Forwarded-* fields are ignored.
    void forwarded(http_request_view& view) {
        boost::system::error_code ec;
        auto peer = net::ip::make_address(remote_, ec);
        if (ec || std::find(state_.trusted_proxies.begin(), state_.trusted_proxies.end(), peer) ==
                      state_.trusted_proxies.end())
            return;
        if (auto proto = request_.find("x-forwarded-proto"); proto != request_.end())
            view.secure = lower(proto->value()) == "https";
        if (auto xff = request_.find("x-forwarded-for"); xff != request_.end()) {
            // The proxy appends the address it saw last; earlier entries are the client's claims.
            std::string_view list = xff->value();
            auto comma = list.rfind(',');
            std::string_view last = comma == std::string_view::npos ? list : list.substr(comma + 1);
            while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
            while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
            if (!last.empty()) view.remote_address = std::string(last);
        }
        // The client certificate the proxy verified, verified again here.
        forwarded_certificate_.reset();
        if (!state_.client_certs) return;
        auto cert = request_.find(state_.config.client_certificate_header);
        if (cert == request_.end() || cert->value().empty()) return;
        if (request_.count(state_.config.client_certificate_header) > 1) {
            view.client_cert_refusal = "several client certificate headers";
            return;
        }
        auto verified = state_.client_certs->verify_forwarded(cert->value());
        if (!verified) {
            forwarded_refusal_ = verified.error().message();
            view.client_cert_refusal = forwarded_refusal_;
            return;
        }
        forwarded_certificate_ = std::move(verified).value();
        view.client_cert = &*forwarded_certificate_;
    }

    /// The protocol version the request declares: its header, or 2025-03-26 when absent.
    std::optional<std::string> declared_version() const {
        auto it = request_.find("mcp-protocol-version");
        if (it == request_.end()) return std::string("2025-03-26");
        std::string value(it->value());
        if (!mcp::is_supported_version(value)) return std::nullopt;
        return value;
    }

    /// 503 when the session cap is reached (after idle sessions were expired).
    response too_many_sessions() const {
        return rpc_error(http::status::service_unavailable, request_.version(), mcp::jsonrpc::internal_error,
                         "too many sessions; try again later");
    }

    /// 405 naming what is allowed.
    response not_allowed(const char* allow, std::string_view why) const {
        auto res = rpc_error(http::status::method_not_allowed, request_.version(), mcp::jsonrpc::invalid_request, why);
        res.set(http::field::allow, allow);
        return res;
    }

    /// The body as JSON, or the error to answer with (415 for another media type, 400 for
    /// malformed JSON).
    std::variant<boost::json::value, response> json_body() const {
        const unsigned v = request_.version();
        const std::string type = lower(request_[http::field::content_type]);
        if (type.substr(0, type.find(';')) != "application/json")
            return rpc_error(http::status::unsupported_media_type, v, mcp::jsonrpc::invalid_request,
                             "Content-Type must be application/json");
        boost::json::parse_options po;
        po.max_depth = 64;
        boost::system::error_code ec;
        boost::json::value message = boost::json::parse(request_.body(), ec, {}, po);
        if (ec) return rpc_error(http::status::bad_request, v, mcp::jsonrpc::parse_error, "parse error: " + ec.message());
        return message;
    }

    /// A 403 insufficient_scope for a single tools/call of a tool the caller may not call.
    std::optional<response> tool_refusal(const boost::json::value& message) {
        const auto* obj = message.if_object();
        if (!obj) return std::nullopt;
        const auto* method = obj->if_contains("method");
        if (!method || *method != "tools/call") return std::nullopt;
        const auto* params = obj->if_contains("params");
        const auto* name = params && params->is_object() ? params->get_object().if_contains("name") : nullptr;
        if (!name || !name->is_string()) return std::nullopt;
        return scope_refusal(name->get_string());
    }

    /// The same decision from the headers of the stateless era (`Mcp-Method: tools/call`,
    /// `Mcp-Name`), before the body is parsed. The body stays the source of truth: it is
    /// checked against these headers, and the decision is made again from it.
    std::optional<response> header_tool_refusal() {
        auto m = request_.find("mcp-method");
        if (m == request_.end() || mcp::modern::trim_ows(m->value()) != "tools/call") return std::nullopt;
        auto n = request_.find("mcp-name");
        if (n == request_.end()) return std::nullopt;
        auto name = mcp::modern::decode_header_value(n->value());
        if (!name) return std::nullopt;
        return scope_refusal(*name);
    }

    /// 403 with a challenge naming every scope the tool needs, when the caller lacks one.
    std::optional<response> scope_refusal(std::string_view tool_name) {
        auto tool = state_.core.registry().find_tool(tool_name);
        if (!tool) return std::nullopt;
        auto why = state_.core.registry().refusal(*tool, caller_);
        if (!why) return std::nullopt;
        state_.core.log().info("refused tools/call " + std::string(tool_name) + " for " + caller_.subject +
                               ": 403 insufficient_scope (" + *why + ")");
        record_authorization(state_.core.audit().get(), caller_, tool_name, false, nullptr, 403);
        std::string scope;
        for (const auto& sc : tool->scopes)
            if (sc != "offline_access") scope += (scope.empty() ? "" : " ") + sc;
        const auth::challenges c{"Bearer", state_.core.config().auth.bearer.realm};
        auto res = make(http::status::forbidden, request_.version(),
                        boost::json::serialize(boost::json::object{{"error", "insufficient_scope"},
                                                                   {"error_description", *why}}),
                        "application/json");
        res.set("X-Request-Id", request_id_);
        // RFC 6750's step-up challenge is a Bearer one: other schemes get the 403 and its body.
        if (caller_.scheme == "oauth" || caller_.scheme == "bearer") {
            const auto scheme = state_.auth.load(std::memory_order_acquire);
            if (auto own = scheme->step_up(*why, scope))
                res.set(http::field::www_authenticate, *own);
            else
                res.set(http::field::www_authenticate, c.header("insufficient_scope", *why, scope));
        }
        return res;
    }

    /// The session the request names in its Mcp-Session-Id, or an HTTP error to answer with.
    std::variant<std::shared_ptr<http_session>, response> find_session() {
        auto it = request_.find("mcp-session-id");
        if (it == request_.end())
            return rpc_error(http::status::bad_request, request_.version(), mcp::jsonrpc::invalid_request,
                             "Mcp-Session-Id required");
        return session_by_id(it->value());
    }

    /// The live session `id` if it belongs to the caller, or an HTTP error (404, 403).
    std::variant<std::shared_ptr<http_session>, response> session_by_id(std::string_view id) {
        const unsigned v = request_.version();
        auto s = id.empty() ? nullptr : state_.sessions.find(id);
        if (!s) {
            // Another instance's session: never served here (its state and streams live there).
            // The client starts a new session, as after any 404; the operator learns that
            // affinity broke (or that the instance is gone), once per 10 s.
            if (auto other = state_.sessions.other_instance(id); !other.empty() && state_.misrouted.due())
                state_.core.log().warn("a request for a session of instance \"" + std::string(other) +
                                       "\" reached instance \"" + state_.config.instance +
                                       "\": 404, the client starts a new session (is that instance down, or does "
                                       "the load balancer route on the Mcp-Session-Id prefix?)");
            return rpc_error(http::status::not_found, v, -32001, "session not found");
        }
        if (!same_caller(s->owner(), caller_))
            return rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request,
                             "session belongs to another principal");
        s->touch();
        // The same caller may come back with a fresher credential (a refreshed token, or
        // one stepped up to more scopes): the session acts with what this request proved.
        if (auto m = s->mcp()) {
            const auto known = m->caller();
            // (and the request id and address the audit log names: every request sets them).
            if (known->request_id != caller_.request_id || known->scopes != caller_.scopes ||
                known->client != caller_.client || known->claims != caller_.claims)
                m->set_caller(caller_);
        }
        return s;
    }

    net::awaitable<after> post() {
        const unsigned v = request_.version();
        const auto accept = request_[http::field::accept];
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream"))
            co_return co_await send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                                              "Accept must include application/json and text/event-stream"));
        if (auto refused = header_tool_refusal()) co_return co_await send(std::move(*refused));
        auto body = json_body();
        if (auto* err = std::get_if<response>(&body)) co_return co_await send(std::move(*err));
        boost::json::value message = std::move(std::get<boost::json::value>(body));

        const auto* obj = message.if_object();
        // The stateless era: the body claims it, or the version header names it.
        if (obj) {
            auto hv = request_.find("mcp-protocol-version");
            const bool header_modern =
                hv != request_.end() && mcp::modern::trim_ows(hv->value()) == mcp::modern::version;
            if (header_modern || mcp::modern::claims_modern(*obj)) co_return co_await post_modern(std::move(message));
        }
        if (!state_.core.config().session.session_era) {
            // A modern-only server: session-era requests learn which version to speak.
            if (!mcp::session::expects_response(message))
                co_return co_await send(make(http::status::accepted, v, "", ""));
            boost::json::value id{};
            boost::json::object data{{"supported", boost::json::array{mcp::modern::version}}};
            if (obj) {
                if (const auto* i = obj->if_contains("id"); i && mcp::jsonrpc::valid_id(*i)) id = *i;
                if (const auto* p = obj->if_contains("params"); p && p->is_object())
                    if (const auto* pv = p->get_object().if_contains("protocolVersion"); pv && pv->is_string())
                        data.emplace("requested", *pv);
            }
            co_return co_await send(make(
                http::status::bad_request, v,
                boost::json::serialize(mcp::jsonrpc::make_error(
                    id, mcp::modern::unsupported_protocol_version,
                    "this server serves MCP " + std::string(mcp::modern::version) + " only", std::move(data))),
                "application/json"));
        }
        const bool is_initialize = obj && obj->contains("method") && obj->at("method") == "initialize";
        std::shared_ptr<http_session> session;
        std::string issued_id;
        if (state_.config.stateless) {
            auto version = is_initialize ? std::optional<std::string>("") : declared_version();
            if (!version)
                co_return co_await send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                                  "unsupported MCP-Protocol-Version"));
            session = std::make_shared<http_session>(std::string(), caller_);
            session->set_mcp(state_.core.open_session(caller_, session, false));
            if (!is_initialize) session->mcp()->assume_initialized(*version);
            stateless_session_ = session; // ended when this request is answered
            tracked_ = state_.track_request(session);
        } else if (is_initialize) {
            if (request_.find("mcp-session-id") != request_.end())
                co_return co_await send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                                  "initialize must not carry an Mcp-Session-Id"));
            session = state_.sessions.create(caller_);
            if (!session)
                co_return co_await send(too_many_sessions());
            session->set_mcp(state_.core.open_session(caller_, session));
            issued_id = session->id();
        } else {
            auto found = find_session();
            if (auto* err = std::get_if<response>(&found)) co_return co_await send(std::move(*err));
            session = std::move(std::get<std::shared_ptr<http_session>>(found));
            if (!declared_version())
                co_return co_await send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                                  "unsupported MCP-Protocol-Version"));
        }

        // A tool the caller may not use is refused at the HTTP layer, with the scopes it
        // needs, so that an OAuth client can step up (MCP authorization, scope challenges).
        if (auto refused = tool_refusal(message)) co_return co_await send(std::move(*refused));

        auto mcp_session = session->mcp();
        if (!mcp_session) co_return co_await send(rpc_error(http::status::not_found, v, -32001, "session not found"));
        if (!mcp::session::expects_response(message)) {
            mcp_session->receive(std::move(message));
            co_return co_await send(make(http::status::accepted, v, "", ""));
        }

        auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
        if (const auto* batch = message.if_array()) {
            for (const auto& m : *batch)
                if (const auto* o = m.if_object(); o && o->contains("id") && mcp::jsonrpc::valid_id(o->at("id")))
                    session->route(o->at("id"), stream);
            // A batch whose every element is invalid is answered with ids that are null.
            session->route(nullptr, stream);
        } else {
            const auto* id = obj ? obj->if_contains("id") : nullptr;
            session->route(id && mcp::jsonrpc::valid_id(*id) ? *id : boost::json::value(), stream);
        }
        mcp_session->receive(std::move(message));
        mcp_session.reset();

        event_stream::event first;
        event_stream::status got = event_stream::status::heartbeat;
        while (got == event_stream::status::heartbeat) {
            const auto next = co_await stream->next(first, std::chrono::hours(24));
            got = next;
        }
        if (got == event_stream::status::end)
            co_return co_await send(make(http::status::accepted, v, "", "")); // cancelled: no response
        if (first.final) {
            auto res = make(http::status::ok, v, std::move(first.data), "application/json");
            if (!issued_id.empty()) res.set("Mcp-Session-Id", issued_id);
            co_return co_await send(std::move(res));
        }
        // Answered as a stream: keep its events so a client that loses the connection can
        // resume it (not in stateless mode, where there is no session to resume in).
        if (!state_.config.stateless) session->make_resumable(stream);
        co_return co_await stream_events(std::move(stream), 1, &first, &issued_id);
    }

    /// A request of the stateless era (2026-07-28): its envelope and the headers that
    /// mirror it are checked in the revision's order (-32602, -32020, -32022, -32601 and
    /// -32020 again for Mcp-Name and Mcp-Param-*), then a session that lives for this
    /// request serves it (for subscriptions/listen, as long as its stream stays open).
    net::awaitable<after> post_modern(boost::json::value message) {
        namespace modern = mcp::modern;
        const unsigned v = request_.version();
        auto& obj = message.as_object();
        boost::json::value id{};
        if (const auto* i = obj.if_contains("id"); i && mcp::jsonrpc::valid_id(*i)) id = *i;
        auto refuse = [&](http::status status, int code, std::string text, boost::json::value data = nullptr) {
            return make(status, v, boost::json::serialize(mcp::jsonrpc::make_error(id, code, text, std::move(data))),
                        "application/json");
        };
        const auto what = mcp::jsonrpc::classify(message).what;
        // Cancellation over HTTP is closing the request's stream: notifications need nothing.
        if (what == mcp::jsonrpc::kind::notification) co_return co_await send(make(http::status::accepted, v, "", ""));
        if (what != mcp::jsonrpc::kind::request)
            co_return co_await send(refuse(http::status::bad_request, mcp::jsonrpc::invalid_request,
                                           "MCP " + std::string(modern::version) +
                                               " takes one JSON-RPC request or notification per POST"));
        const std::string method(obj.at("method").get_string());
        static const boost::json::object no_params;
        const auto* p = obj.if_contains("params");
        const auto& params = p && p->is_object() ? p->get_object() : no_params;

        const auto env = modern::read_envelope(
            params, modern::supported_list(state_.core.config().session.session_era, mcp::supported_versions));
        const auto* rej = std::get_if<modern::rejection>(&env);
        if (rej && rej->code == mcp::jsonrpc::invalid_params)
            co_return co_await send(refuse(http::status::bad_request, rej->code, rej->message));
        const std::string body_version(modern::meta_of(params)->at(modern::meta_protocol_version).get_string());
        // Each mirrored header at most once: an intermediary might read another copy.
        for (const char* name : {"mcp-protocol-version", "mcp-method", "mcp-name"})
            if (request_.count(name) > 1)
                co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                               std::string("the ") + name + " header appears more than once"));
        auto hv = request_.find("mcp-protocol-version");
        if (hv == request_.end())
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "the MCP-Protocol-Version header is required"));
        if (modern::trim_ows(hv->value()) != body_version)
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "Header mismatch: MCP-Protocol-Version does not match params._meta"));
        if (rej) co_return co_await send(refuse(http::status::bad_request, rej->code, rej->message, rej->data));
        auto hm = request_.find("mcp-method");
        if (hm == request_.end())
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "the Mcp-Method header is required"));
        if (modern::trim_ows(hm->value()) != method)
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "Header mismatch: Mcp-Method does not match the body's method"));
        if (!mcp::session::offers(state_.core.registry(), method))
            co_return co_await send(refuse(http::status::not_found, mcp::jsonrpc::method_not_found,
                                           "method not found: " + method));
        if (const auto member = modern::name_member(method); !member.empty()) {
            auto hn = request_.find("mcp-name");
            if (hn == request_.end())
                co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                               "the Mcp-Name header is required for " + method));
            const auto named = modern::decode_header_value(hn->value());
            const auto* b = params.if_contains(member);
            if (!named || !b || !b->is_string() || b->get_string() != *named)
                co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                               "Header mismatch: Mcp-Name does not match params." + std::string(member)));
        }
        if (method == "tools/call") {
            const auto* name = params.if_contains("name");
            auto tool = name && name->is_string() ? state_.core.registry().find_tool(name->get_string()) : nullptr;
            if (tool && !tool->mirrored.empty()) {
                const auto* a = params.if_contains("arguments");
                const auto& args = a && a->is_object() ? a->get_object() : no_params;
                for (const auto& m : tool->mirrored) {
                    const auto want = modern::header_text(args, m);
                    const std::string field = "mcp-param-" + m.header;
                    const auto copies = request_.count(field);
                    // Absent or null in the body: no header is expected, and one that came
                    // anyway would tell an intermediary something the tool never sees.
                    const bool matches = !want ? copies == 0 : copies == 1 && [&] {
                        const auto got = modern::decode_header_value(request_.find(field)->value());
                        return got && *got == *want;
                    }();
                    if (!matches)
                        co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                                       "Header mismatch: Mcp-Param-" + m.header +
                                                           (!want ? " has no value in the body"
                                                            : copies == 0 ? " is missing"
                                                                          : " does not match the body")));
                }
            }
        }
        // The scope decision again, from the body (the headers were only a head start).
        if (auto refused = tool_refusal(message)) co_return co_await send(std::move(*refused));

        const bool listen = method == "subscriptions/listen";
        auto session = std::make_shared<http_session>(std::string(), caller_);
        session->set_mcp(state_.core.open_session(caller_, session, listen));
        stateless_session_ = session; // ended when this request is answered (or its stream closes)
        tracked_ = state_.track_request(session);
        auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
        session->route(id, stream);
        if (auto m = session->mcp()) m->receive(std::move(message));
        if (listen && state_.stopping)
            if (auto m = session->mcp()) m->end_listens();
        if (!stream->has_event()) watch_disconnect(session); // an answer already there needs no watch

        event_stream::event first;
        event_stream::status got = event_stream::status::heartbeat;
        while (got == event_stream::status::heartbeat) {
            const auto next = co_await stream->next(first, std::chrono::hours(24));
            got = next;
        }
        if (got == event_stream::status::end) {
            stop_watching();
            co_return co_await send(make(http::status::accepted, v, "", ""));
        }
        if (first.final) {
            stop_watching();
            auto status = http::status::ok;
            if (first.error == modern::missing_client_capability || first.error == modern::header_mismatch ||
                first.error == modern::unsupported_protocol_version)
                status = http::status::bad_request;
            else if (first.error == mcp::jsonrpc::method_not_found)
                status = http::status::not_found;
            co_return co_await send(make(status, v, std::move(first.data), "application/json"));
        }
        const auto outcome = co_await stream_events(std::move(stream), 1, &first, nullptr);
        stop_watching();
        co_return outcome;
    }

    /// Writes an SSE response: `first` (unless empty), then everything the stream carries
    /// for consumer `generation` until its final event (a POST's result), its end, or
    /// another consumer taking it over. Events of a resumable stream carry ids
    /// `<stream>-<seq>` that a client names in Last-Event-ID to resume.
    // `first` lives in the caller's frame: g++ 12 mishandles class-type coroutine parameters
    // initialized from prvalues.
    net::awaitable<after> stream_events(std::shared_ptr<event_stream> stream, std::uint64_t generation,
                                        event_stream::event* first, const std::string* issued_id,
                                        const std::string* preamble = nullptr) {
        metrics::gauge_hold open_stream(metrics::global().streams.with({}));
        http::response<http::empty_body> res{http::status::ok, request_.version()};
        res.set(http::field::server, "warden");
        res.set(http::field::content_type, "text/event-stream");
        res.set(http::field::cache_control, "no-cache, no-transform");
        res.set("X-Accel-Buffering", "no"); // a buffering proxy would hold events back
        if (issued_id && !issued_id->empty()) res.set("Mcp-Session-Id", *issued_id);
        res.keep_alive(request_.keep_alive());
        res.chunked(true);
        http::response_serializer<http::empty_body> sr{res};
        auto [hec, hn] = co_await http::async_write_header(stream_, sr, net::as_tuple(net::use_awaitable));
        if (hec) {
            stream->detach(generation);
            co_return after::close;
        }

        const std::string prefix = [&] {
            const auto number = stream->number();
            return number ? "id: " + std::to_string(number) + "-" : std::string();
        }();
        event_stream::event e = std::move(*first);
        for (;;) {
            std::string frame;
            if (preamble) {
                frame = *preamble; // ahead of the first event
                preamble = nullptr;
            }
            if (!e.data.empty()) {
                frame.reserve(frame.size() + e.data.size() + prefix.size() + 40);
                if (!prefix.empty()) frame.append(prefix).append(std::to_string(e.seq)).append("\n");
                frame.append("event: message\ndata: ").append(e.data).append("\n\n");
            } else if (frame.empty()) {
                frame = ": keep-alive\n\n";
            }
            auto [wec, wn] = co_await net::async_write(stream_, http::make_chunk(net::buffer(frame)),
                                                       net::as_tuple(net::use_awaitable));
            if (wec) {
                stream->detach(generation); // its events wait for a client resuming it
                co_return after::close;
            }
            if (e.final) break;
            e = {};
            // g++ 12: keep co_await out of conditions that jump (it destroys temporaries twice).
            const auto got = co_await stream->next(e, state_.config.sse_heartbeat, generation);
            if (got == event_stream::status::taken) co_return after::close; // resumed elsewhere
            if (got == event_stream::status::end) break;
        }
        stream->detach(generation);
        auto [lec, ln] = co_await net::async_write(stream_, http::make_chunk_last(), net::as_tuple(net::use_awaitable));
        co_return lec || !request_.keep_alive() ? after::close : after::keep_alive;
    }

    /// GET /sse (2024-11-05): a session whose every message goes on this stream; the first
    /// event names the endpoint for the client's POSTs.
    net::awaitable<after> legacy_open() {
        const unsigned v = request_.version();
        if (request_.method() != http::verb::get) co_return co_await send(not_allowed("GET", "use GET"));
        if (!accepts(request_[http::field::accept], "text/event-stream"))
            co_return co_await send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                                              "Accept must include text/event-stream"));
        auto session = state_.sessions.create(caller_, true);
        if (!session)
            co_return co_await send(too_many_sessions());
        session->set_mcp(state_.core.open_session(caller_, session));
        auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
        session->attach_standalone(stream);
        if (state_.stopping) session->close_standalone();
        event_stream::event opening;
        const std::string id = session->id();
        const std::string endpoint =
            "event: endpoint\ndata: " + state_.config.messages_path + "?sessionId=" + id + "\n\n";
        after next = co_await stream_events(stream, 1, &opening, nullptr, &endpoint);
        state_.sessions.end(id); // the stream was the session
        co_return next;
    }

    /// POST /messages?sessionId=ID (2024-11-05): 202, the answer goes on the session's stream.
    net::awaitable<after> legacy_post() {
        const unsigned v = request_.version();
        if (request_.method() != http::verb::post) co_return co_await send(not_allowed("POST", "use POST"));
        auto body = json_body();
        if (auto* err = std::get_if<response>(&body)) co_return co_await send(std::move(*err));
        std::string id;
        if (auto url = boost::urls::parse_origin_form(request_.target()); url) {
            auto it = url->params().find("sessionId");
            if (it != url->params().end()) id = std::string((*it).value);
        }
        auto found = session_by_id(id);
        if (auto* err = std::get_if<response>(&found)) co_return co_await send(std::move(*err));
        auto session = std::move(std::get<std::shared_ptr<http_session>>(found));
        boost::json::value message = std::move(std::get<boost::json::value>(body));
        auto m = session->mcp();
        if (!m) co_return co_await send(rpc_error(http::status::not_found, v, -32001, "session not found"));
        session->touch();
        m->receive(std::move(message));
        co_return co_await send(make(http::status::accepted, v, "Accepted", "text/plain"));
    }

    /// MCP over WebSocket: JSON-RPC messages as text frames, one session per connection.
    net::awaitable<after> websocket() {
        namespace websocket = beast::websocket;
        const unsigned v = request_.version();
        if (!websocket::is_upgrade(request_))
            co_return co_await send(rpc_error(http::status::upgrade_required, v, mcp::jsonrpc::invalid_request,
                                              "a WebSocket upgrade is expected here"));
        bool offered = false;
        {
            std::string_view list = request_[http::field::sec_websocket_protocol];
            while (!list.empty()) {
                auto comma = list.find(',');
                auto item = list.substr(0, comma);
                while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
                while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
                offered = offered || item == "mcp";
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        }
        if (!offered)
            co_return co_await send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                              "the WebSocket subprotocol \"mcp\" is required"));
        auto session = state_.sessions.create(caller_, true);
        if (!session)
            co_return co_await send(too_many_sessions());
        websocket::stream<any_stream&> ws(stream_);
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "warden");
            res.set(http::field::sec_websocket_protocol, "mcp");
        }));
        ws.read_message_max(state_.config.max_body_bytes);
        auto [aec] = co_await ws.async_accept(request_, net::as_tuple(net::use_awaitable));
        if (aec) {
            state_.sessions.end(session->id());
            co_return after::close;
        }
        session->set_mcp(state_.core.open_session(caller_, session));
        auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
        session->attach_standalone(stream);
        if (state_.stopping) session->close_standalone();
        metrics::gauge_hold open_stream(metrics::global().streams.with({}));
        using namespace net::experimental::awaitable_operators;
        co_await (ws_reader(ws, *session) || ws_writer(ws, *stream));
        const std::string id = session->id();
        state_.sessions.end(id);
        if (ws.is_open()) {
            auto [cec] = co_await ws.async_close(websocket::close_code::normal, net::as_tuple(net::use_awaitable));
            (void)cec;
        }
        co_return after::close;
    }

    net::awaitable<void> ws_reader(beast::websocket::stream<any_stream&>& ws, http_session& session) {
        beast::flat_buffer buffer;
        for (;;) {
            auto [ec, n] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
            if (ec) co_return;
            if (!ws.got_text()) co_return; // MCP messages are text
            auto m = session.mcp();
            if (!m) co_return;
            session.touch();
            m->receive_text(std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
            buffer.consume(buffer.size());
        }
    }

    net::awaitable<void> ws_writer(beast::websocket::stream<any_stream&>& ws, event_stream& stream) {
        ws.text(true);
        for (;;) {
            event_stream::event e;
            const auto got = co_await stream.next(e, state_.config.sse_heartbeat);
            if (got == event_stream::status::end) co_return;
            if (got == event_stream::status::heartbeat) continue; // the WebSocket pings by itself
            auto [ec, n] = co_await ws.async_write(net::buffer(e.data), net::as_tuple(net::use_awaitable));
            if (ec) co_return;
        }
    }

    net::awaitable<after> get() {
        const unsigned v = request_.version();
        if (state_.config.stateless)
            co_return co_await send(not_allowed("POST", "this server is stateless: no GET stream"));
        if (!accepts(request_[http::field::accept], "text/event-stream"))
            co_return co_await send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                                              "Accept must include text/event-stream"));
        auto found = find_session();
        if (auto* err = std::get_if<response>(&found)) co_return co_await send(std::move(*err));
        auto session = std::move(std::get<std::shared_ptr<http_session>>(found));
        if (!declared_version())
            co_return co_await send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                              "unsupported MCP-Protocol-Version"));
        // Opens with a comment so the client sees the stream established at once.
        event_stream::event opening;
        // g++ 12: keep co_await out of conditions that jump (it destroys temporaries twice).
        const net::any_io_executor here = co_await net::this_coro::executor;
        auto resumed = resume_stream(*session, here);
        if (resumed.first) co_return co_await stream_events(std::move(resumed.first), resumed.second, &opening, nullptr);
        auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor, true);
        session->attach_standalone(stream);
        if (state_.stopping) session->close_standalone();
        const auto number = session->make_resumable(stream);
        // From 2025-11-25 the stream opens with a priming event (an id, no data) so that a
        // client that loses it resumes it, and the messages queued meanwhile, from the start.
        std::string priming;
        if (auto m = session->mcp(); m && m->negotiated_version() >= "2025-11-25")
            priming = "id: " + std::to_string(number) + "-0\ndata: \n\n";
        co_return co_await stream_events(stream, 1, &opening, nullptr, priming.empty() ? nullptr : &priming);
    }

    /// The stream that the request's Last-Event-ID (`<stream>-<seq>`) names, taken over
    /// by this connection with its generation; null when there is none to resume (no or a
    /// malformed header, an unknown stream, or events no longer kept): the client then
    /// gets a fresh GET stream.
    std::pair<std::shared_ptr<event_stream>, std::uint64_t> resume_stream(http_session& session,
                                                                         net::any_io_executor ex) {
        auto it = request_.find("last-event-id");
        if (it == request_.end()) return {};
        const std::string_view last = it->value();
        const auto dash = last.find('-');
        if (dash == std::string_view::npos) return {};
        std::uint64_t number = 0, seq = 0;
        if (!warden::detail::parse_decimal(last.substr(0, dash), number) ||
            !warden::detail::parse_decimal(last.substr(dash + 1), seq)) return {};
        auto stream = session.resumable(number);
        if (!stream) return {};
        const auto generation = stream->resume(std::move(ex), seq);
        if (!generation) return {};
        return {std::move(stream), generation};
    }

    net::awaitable<after> del() {
        const unsigned v = request_.version();
        if (state_.config.stateless)
            co_return co_await send(not_allowed("POST", "this server is stateless: no sessions to end"));
        auto found = find_session();
        if (auto* err = std::get_if<response>(&found)) co_return co_await send(std::move(*err));
        state_.sessions.end(std::get<std::shared_ptr<http_session>>(found)->id());
        co_return co_await send(make(http::status::ok, v, "", ""));
    }

    http_state& state_;
    any_stream& stream_;
    std::string remote_;
    bool first_ = true;
    std::optional<net::steady_timer> timer_;
    bool timed_out_ = false;
    http::request<http::string_body> request_;
    principal caller_;
    std::string request_id_; ///< this request's id (audit log, X-Request-Id)
    std::shared_ptr<http_session> stateless_session_;
    std::shared_ptr<bool> watching_; ///< a disconnect watch is armed (watch_disconnect)
    http_state::request_list::iterator tracked_{}; ///< stateless_session_ in state_.requests
    std::optional<client_certificate> peer_certificate_;      ///< verified in the TLS handshake
    std::optional<client_certificate> forwarded_certificate_; ///< from a trusted proxy, this request
    std::string forwarded_refusal_;
};

inline result<net::ip::address> resolve_listen_address(const std::string& host) {
    if (host == "localhost") return net::ip::make_address("127.0.0.1");
    boost::system::error_code ec;
    auto a = net::ip::make_address(host, ec);
    if (ec) return failure(errc::invalid_argument, "cannot listen on \"" + host + "\": not a numeric address");
    return a;
}

template <class Channel>
result<void> prepare_channel(http_state& state, const net::ip::address& address) {
    const auto& cfg = state.config;
    if (!cfg.instance.empty() && !session_table::valid_instance_name(cfg.instance))
        return failure(errc::invalid_argument, "instance name \"" + cfg.instance +
                                                   "\": use 1-32 letters, digits, '-' or '_' (it starts session ids)");
    if constexpr (Channel::security == channel_security::loopback_plaintext) {
        if (!address.is_loopback())
            return failure(errc::invalid_argument,
                           "transport::streamable_http<loopback> refuses to listen on " + address.to_string() +
                               ": it serves plaintext to this host only; bind 127.0.0.1 or ::1, or use the tls or "
                               "behind_tls_terminator channel");
    }
    if constexpr (!Channel::verifies_client_certificates) {
        if (!cfg.tls_client_ca_file.empty() || !cfg.tls_client_crl_file.empty())
            return failure(errc::invalid_argument, "a client CA or CRL is configured but this transport does not verify "
                                                   "client certificates; use transport::streamable_http<mutual_tls>");
    }
    if constexpr (Channel::security != channel_security::tls_terminated) {
        if (!cfg.trusted_proxies.empty())
            return failure(errc::invalid_argument, "trusted proxies are configured but this transport does not sit "
                                                   "behind a proxy; use transport::streamable_http<behind_tls_terminator>");
    }
    if constexpr (Channel::verifies_client_certificates) {
        if (cfg.tls_client_ca_file.empty())
            return failure(errc::invalid_argument, "client certificates need the CA that issues them "
                                                   "(--tls-client-ca FILE)");
        auto verifier = crypto::client_certificate_verifier::load(cfg.tls_client_ca_file, cfg.tls_client_crl_file);
        if (!verifier) return verifier.error();
        state.client_certs.emplace(std::move(verifier).value());
    }
    if constexpr (Channel::encrypted) {
        if (cfg.tls_certificate_file.empty() || cfg.tls_private_key_file.empty())
            return failure(errc::invalid_argument, "the tls channel needs a certificate and a key (--tls-cert FILE "
                                                   "--tls-key FILE)");
        state.tls.emplace(net::ssl::context::tls_server);
        auto& ctx = *state.tls;
        ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                        net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                        net::ssl::context::single_dh_use);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        SSL_CTX_set_security_level(ctx.native_handle(), 2);
        boost::system::error_code ec;
        ctx.use_certificate_chain_file(cfg.tls_certificate_file, ec);
        if (ec)
            return failure(errc::invalid_credentials, "TLS certificate \"" + cfg.tls_certificate_file +
                                                          "\" cannot be used: " + ec.message());
        ctx.use_private_key_file(cfg.tls_private_key_file, net::ssl::context::pem, ec);
        if (ec && ec.message().find("mismatch") != std::string::npos)
            return failure(errc::invalid_credentials, "the TLS private key \"" + cfg.tls_private_key_file +
                                                          "\" does not match the certificate \"" +
                                                          cfg.tls_certificate_file + "\"");
        if (ec)
            return failure(errc::invalid_credentials, "TLS private key \"" + cfg.tls_private_key_file +
                                                          "\" cannot be used: " + ec.message());
        if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
            return failure(errc::invalid_credentials, "the TLS private key does not match the certificate");
        if (state.client_certs)
            if (auto applied = state.client_certs->apply(ctx.native_handle()); !applied) return applied.error();
    }
    if constexpr (Channel::security == channel_security::tls_terminated) {
        for (const auto& p : cfg.trusted_proxies) {
            boost::system::error_code ec;
            auto a = net::ip::make_address(p, ec);
            if (ec) return failure(errc::invalid_argument, "trusted proxy \"" + p + "\" is not an address");
            state.trusted_proxies.push_back(a);
        }
        state.trust_forwarded_headers = true;
        if constexpr (Channel::verifies_client_certificates) {
            if (state.trusted_proxies.empty())
                return failure(errc::invalid_argument, "client certificates forwarded by a proxy need the proxy's "
                                                       "address (--trusted-proxy ADDRESS)");
            if (cfg.client_certificate_header.empty())
                return failure(errc::invalid_argument, "client certificates forwarded by a proxy need the header "
                                                       "it uses (http_settings::client_certificate_header)");
        }
    }
    return success();
}

template <class Channel>
net::awaitable<void> serve_socket(http_state& state, tcp::socket socket) {
    struct guard {
        std::atomic<std::size_t>& n;
        ~guard() { --n; }
    } g{state.connections};
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    beast::tcp_stream tcp_stream(std::move(socket));
    if constexpr (Channel::encrypted) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *state.tls);
        beast::get_lowest_layer(stream).expires_after(state.config.header_timeout);
        auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
        std::optional<client_certificate> peer;
        if constexpr (Channel::verifies_client_certificates) {
            if (hec) {
                // Say why, once per refused connection: the client only sees a TLS alert.
                if (SSL_get_verify_result(stream.native_handle()) != X509_V_OK)
                    state.core.log().info("TLS handshake from " + remote + " refused: client certificate: " +
                                          crypto::verify_failure(stream.native_handle()));
                else if (hec != net::error::eof && hec != net::error::operation_aborted)
                    state.core.log().info("TLS handshake from " + remote + " failed: " + hec.message());
                co_return;
            }
            X509* cert = SSL_get0_peer_certificate(stream.native_handle());
            if (!cert) co_return; // SSL_VERIFY_FAIL_IF_NO_PEER_CERT makes this unreachable
            peer = crypto::describe_certificate(cert);
        }
        if (hec) co_return;
        beast::get_lowest_layer(stream).expires_never();
        stream_of<beast::ssl_stream<beast::tcp_stream>> erased(stream);
        connection c(state, erased, std::move(remote), std::move(peer));
        co_await c.run();
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    } else {
        stream_of<beast::tcp_stream> erased(tcp_stream);
        connection c(state, erased, std::move(remote));
        co_await c.run();
        // Lingering close: after our last response, read (and drop) what the client is still
        // sending for a moment, so that closing does not reset the connection and destroy the
        // response (a 413 or 400) before the client has read it.
        tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp_stream.expires_after(std::chrono::milliseconds(500));
        std::array<char, 16 * 1024> scratch;
        for (std::size_t drained = 0; drained < 1024 * 1024;) {
            auto [rec, n] = co_await tcp_stream.async_read_some(net::buffer(scratch), net::as_tuple(net::use_awaitable));
            if (rec) break;
            drained += n;
        }
    }
}

/// The cores this process may run on (its CPU affinity: taskset, cgroups cpusets), at least 1.
inline std::size_t usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

/// The I/O threads: one io_context each, so that a connection lives on one thread and needs
/// no strand; connections are dealt to them in turn.
class io_loops {
public:
    explicit io_loops(std::size_t n) {
        for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) {
            loops_.push_back(std::make_unique<net::io_context>(1));
            guards_.emplace_back(loops_.back()->get_executor());
        }
    }
    net::io_context& first() { return *loops_.front(); }
    net::io_context& next() { return *loops_[next_++ % loops_.size()]; }
    /// Runs every loop (the first on the calling thread) until `stop`.
    void run() {
        std::vector<std::thread> pool;
        for (std::size_t i = 1; i < loops_.size(); ++i) pool.emplace_back([this, i] { loops_[i]->run(); });
        loops_.front()->run();
        for (auto& t : pool) t.join();
    }
    void stop() {
        for (auto& l : loops_) l->stop();
    }

private:
    std::vector<std::unique_ptr<net::io_context>> loops_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::size_t next_ = 0;
};

template <class Channel>
net::awaitable<void> accept_loop(http_state& state, tcp::acceptor& acceptor, io_loops& loops) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(loops.next(), net::as_tuple(net::use_awaitable));
        if (ec) {
            if (ec == net::error::operation_aborted || state.stopping) co_return;
            continue; // e.g. EMFILE: keep accepting
        }
        if (++state.connections > state.config.max_connections) {
            --state.connections;
            boost::system::error_code cec;
            socket.close(cec);
            continue;
        }
        auto ex = socket.get_executor();
        net::co_spawn(ex, serve_socket<Channel>(state, std::move(socket)), net::detached);
    }
}

/// One connection to the metrics listener: GET /metrics, nothing else.
inline net::awaitable<void> serve_metrics(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        stream.expires_after(std::chrono::seconds(10));
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8 * 1024);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        const auto& req = parser.get();
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "warden");
        const auto target = req.target().substr(0, req.target().find('?'));
        if (target != "/metrics") {
            res.result(http::status::not_found);
        } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res.result(http::status::method_not_allowed);
            res.set(http::field::allow, "GET, HEAD");
        } else {
            res.set(http::field::content_type, metrics::content_type);
            res.set(http::field::cache_control, "no-store");
            if (req.method() == http::verb::get) res.body() = metrics::global().render();
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

inline net::awaitable<void> metrics_accept_loop(tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;
        net::co_spawn(acceptor.get_executor(), serve_metrics(std::move(socket)), net::detached);
    }
}

/// Opens the metrics listener `cfg` asks for (loopback only).
inline result<void> listen_metrics(const http_settings& cfg, tcp::acceptor& acceptor) {
    auto address = resolve_listen_address(cfg.metrics_address);
    if (!address) return address.error();
    if (!address.value().is_loopback())
        return failure(errc::invalid_argument, "metrics_address " + cfg.metrics_address +
                                                   " is not a loopback address: the metrics listener has no "
                                                   "authentication, so it listens on loopback only (scrape it "
                                                   "from the host or a sidecar)");
    tcp::endpoint endpoint(address.value(), *cfg.metrics_port);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return failure(errc::invalid_argument, "cannot listen on " + endpoint.address().to_string() + ":" +
                                                   std::to_string(*cfg.metrics_port) + " for metrics: " + ec.message());
    return success();
}

template <class Channel>
int run_http(http_state& state, const net::ip::address& listen_address);

template <class Auth, class Channel>
int serve_http(warden::detail::server_core& core) {
    const http_settings& cfg = core.config().http;
    http_state state(core, cfg);
    auto address = resolve_listen_address(cfg.address);
    if (!address) {
        core.log().error(address.error().message());
        return exit_config_error;
    }
    if (auto r = prepare_channel<Channel>(state, address.value()); !r) {
        core.log().error(r.error().message());
        return exit_config_error;
    }
    auto scheme = auth::configure_scheme<Auth>(core.credentials(), core.config().auth, core.replay());
    if (!scheme) {
        core.log().error(scheme.error().message());
        return exit_config_error;
    }
    if constexpr (auth::detail::wants_tool_scopes<Auth>) scheme.value().set_default_scope(core.registry().tool_scopes());
    if constexpr (auth::detail::runs_in_background<Auth>) scheme.value().start_background(core.log());
    if constexpr (requires(const Auth& a) { a.audience_binding(); }) {
        if (!scheme.value().audience_binding())
            core.log().warn("AUDIENCE BINDING IS OFF (accept_any_audience_allowing_token_replay): tokens issued for "
                            "other services are accepted here; a stolen token works against this server");
    }
    state.auth.store(std::make_shared<const scheme_gate<Auth>>(std::move(scheme).value()));
    // A rotation (changed credentials) rebuilds the scheme; a broken one keeps the old.
    core.on_credentials_changed([&state, &core](const credential_set& creds) -> result<void> {
        auto next = auth::configure_scheme<Auth>(creds, core.config().auth, core.replay());
        if (!next) return next.error();
        if constexpr (auth::detail::wants_tool_scopes<Auth>) next.value().set_default_scope(core.registry().tool_scopes());
        if constexpr (auth::detail::runs_in_background<Auth>) next.value().start_background(core.log());
        state.auth.store(std::make_shared<const scheme_gate<Auth>>(std::move(next).value()), std::memory_order_release);
        return success();
    });
    return run_http<Channel>(state, address.value());
}

/// Listens, serves and stops, with the scheme already in `state.auth`.
template <class Channel>
int run_http(http_state& state, const net::ip::address& listen_address) {
    warden::detail::server_core& core = state.core;
    const http_settings& cfg = state.config;
    const std::size_t threads = cfg.io_threads ? cfg.io_threads : usable_cores();
    io_loops loops(threads);
    net::io_context& ioc = loops.first();
    tcp::acceptor acceptor(ioc);
    boost::system::error_code ec;
    tcp::endpoint endpoint(listen_address, cfg.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        core.log().error("cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(cfg.port) + ": " +
                         ec.message());
        return exit_config_error;
    }
    const auto port = acceptor.local_endpoint().port();
    const bool on_loopback = listen_address.is_loopback();
    if (on_loopback) {
        for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) {
            state.allowed_hosts.push_back(std::string(h) + ":" + std::to_string(port));
            if (port == (Channel::encrypted ? 443 : 80)) state.allowed_hosts.emplace_back(h);
        }
    }
    for (const auto& h : cfg.allowed_hosts) state.allowed_hosts.push_back(lower(h));
    state.check_hosts = on_loopback || !cfg.allowed_hosts.empty();

    const std::string host_text = listen_address.is_v6() ? "[" + listen_address.to_string() + "]"
                                                          : listen_address.to_string();
    core.log().info(std::string("listening on ") + (Channel::encrypted ? "https://" : "http://") + host_text + ":" +
                    std::to_string(port) + cfg.path + (cfg.stateless ? " (stateless)" : ""));

    tcp::acceptor metrics_acceptor(ioc);
    if (cfg.metrics_port) {
        if (auto r = listen_metrics(cfg, metrics_acceptor); !r) {
            core.log().error(r.error().message());
            return exit_config_error;
        }
        const auto m = metrics_acceptor.local_endpoint();
        core.log().info("metrics on http://" + (m.address().is_v6() ? "[" + m.address().to_string() + "]"
                                                                     : m.address().to_string()) +
                        ":" + std::to_string(m.port()) + "/metrics");
        core.set_metrics_port(m.port());
        net::co_spawn(ioc, metrics_accept_loop(metrics_acceptor), net::detached);
    }

    // A coroutine lambda's captures die with the lambda: the loop is a function instead.
    net::co_spawn(ioc, accept_loop<Channel>(state, acceptor, loops), net::detached);


    // Idle session expiry.
    net::steady_timer sweeper(ioc);
    const auto sweep_every = std::clamp<std::chrono::milliseconds>(cfg.session_idle_timeout / 4,
                                                                   std::chrono::milliseconds(50), std::chrono::seconds(30));
    std::function<void()> arm_sweeper = [&] {
        sweeper.expires_after(sweep_every);
        sweeper.async_wait([&](boost::system::error_code wec) {
            if (wec) return;
            if (auto n = state.sessions.expire()) core.log().debug("expired " + std::to_string(n) + " idle sessions");
            arm_sweeper();
        });
    };
    arm_sweeper();

    // Credential reloads, on SIGHUP and every credential_reload_interval, run on the
    // worker pool (a credential helper may take its time), one at a time.
    std::atomic<bool> reloading{false};
    auto reload = [&core, &reloading](bool asked) {
        if (reloading.exchange(true)) return;
        net::post(core.workers(), [&core, &reloading, asked] {
            auto r = core.reload_credentials();
            if (!r)
                core.log().error("credential reload failed, keeping the previous credentials: " + r.error().message());
            else if (r.value())
                core.log().info("credentials reloaded: changes are in force");
            else if (asked)
                core.log().info("credentials reloaded: nothing changed");
            reloading = false;
        });
    };
    net::signal_set hangup(ioc, SIGHUP);
    std::function<void()> arm_hangup = [&] {
        hangup.async_wait([&](boost::system::error_code hec, int) {
            if (hec) return;
            reload(true);
            arm_hangup();
        });
    };
    arm_hangup();
    net::steady_timer reloader(ioc);
    const auto reload_every = core.config().credential_reload_interval;
    std::function<void()> arm_reloader = [&] {
        if (reload_every.count() <= 0) return;
        reloader.expires_after(reload_every);
        reloader.async_wait([&](boost::system::error_code rec) {
            if (rec) return;
            reload(false);
            arm_reloader();
        });
    };
    arm_reloader();

    // Graceful shutdown: stop accepting, end GET streams, let requests in flight finish
    // within the grace period, then cancel what is left.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer drain(ioc);
    std::chrono::steady_clock::time_point deadline;
    bool cancelled_rest = false;
    std::function<void()> wait_drained = [&] {
        drain.expires_after(std::chrono::milliseconds(20));
        drain.async_wait([&](boost::system::error_code) {
            if (state.in_flight == 0 || std::chrono::steady_clock::now() > deadline + std::chrono::seconds(2)) {
                loops.stop();
                return;
            }
            if (!cancelled_rest && std::chrono::steady_clock::now() > deadline) {
                cancelled_rest = true;
                state.sessions.for_each([](http_session& s) { s.close(); });
                state.close_requests();
            }
            wait_drained();
        });
    };
    auto begin_stop = [&] {
        if (state.stopping.exchange(true)) return;
        core.log().info("stopping; finishing requests in flight");
        boost::system::error_code cec;
        acceptor.close(cec);
        metrics_acceptor.close(cec);
        sweeper.cancel();
        reloader.cancel();
        hangup.cancel();
        state.sessions.for_each([](http_session& s) { s.close_standalone(); });
        core.for_each_session([](mcp::session& s) { s.end_listens(); }); // subscriptions/listen streams
        deadline = std::chrono::steady_clock::now() + core.config().shutdown_grace;
        signals.cancel();
        wait_drained();
    };
    signals.async_wait([&](boost::system::error_code sec, int) {
        if (!sec) begin_stop();
    });
    core.set_listening_port(port);
    core.set_stopper([&ioc, &begin_stop] { net::post(ioc, begin_stop); });

    loops.run();
    core.clear_stopper();
    core.clear_credential_listeners();
    state.sessions.for_each([](http_session& s) { s.close(); });
    core.stop_workers();
    state.auth.load()->stop_background();
    core.log().info("stopped");
    return 0;
}

/// What `streamable_http<Channel>::serve<Auth>` runs (warden/transport/http/policy.hpp).
template <class Auth, class Channel>
struct http_server {
    static int run(warden::detail::server_core& core) { return serve_http<Auth, Channel>(core); }
};

} // namespace detail

} // namespace warden::transport
