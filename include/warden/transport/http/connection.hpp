// warden/transport/http/connection.hpp: one HTTP connection, serving its requests in turn.
//
// The class is declared here; its member functions live in files by job, included at the
// end of this header (warden/transport/http/impl/):
//
// | file | what |
// |---|---|
// | read_loop.hpp | reading request heads and bodies within the limits, keep-alive |
// | authenticate.hpp | routing, Host and Origin, the auth gate and its audit, X-Forwarded-* |
// | session_era.hpp | POST, GET and DELETE of the session era; scope refusals |
// | stateless.hpp | a POST of the 2026-07-28 era and its header checks |
// | sse_writer.hpp | a response as a Server-Sent Events stream |
// | legacy_sse.hpp | the 2024-11-05 HTTP+SSE transport |
// | websocket.hpp | MCP over a WebSocket, for `with_websocket` transports only: included by
//   warden/transport/websocket.hpp, not here |
#pragma once

#include <warden/config.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/detail/json_arena.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/session.hpp>
#include <warden/metrics.hpp>
#include <warden/transport/http/any_stream.hpp>
#include <warden/transport/http/mcp_fields.hpp>
#include <warden/transport/http/state.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream_fwd.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <sys/socket.h>

namespace warden::transport::detail {

/// One HTTP connection: requests read and answered in turn until either side closes. Not a
/// template: it is compiled once, over `any_stream`, whatever the stream and the scheme.
class connection {
public:
    connection(http_state& state, any_stream& stream, std::string remote,
               std::optional<client_certificate> peer_certificate = std::nullopt)
        : state_(state), stream_(stream), remote_(std::move(remote)), peer_certificate_(std::move(peer_certificate)) {}

    net::awaitable<void> run();

private:
    friend struct websocket_endpoint; // warden/transport/websocket.hpp
    using response = http::response<http::string_body>;

    // Read deadlines cancel the read but keep the socket open, so that a 408 can still be
    // written (a beast::tcp_stream expiry would close it). Arming only moves `deadline_`: one
    // wait is pending at a time, never later than the deadline; when it ends early (the
    // deadline moved on, or none is set) it waits again or stops. So a request costs no timer
    // operation, where starting and cancelling a wait per read cost two completions.
    void arm(std::chrono::milliseconds d) {
        timed_out_ = false;
        deadline_ = std::chrono::steady_clock::now() + d;
        if (!waiting_ || timer_->expiry() > deadline_) wait_for_deadline(); // (moving it cancels the old wait)
    }
    void disarm() { deadline_ = std::chrono::steady_clock::time_point::max(); }
    void wait_for_deadline() {
        waiting_ = true;
        timer_->expires_at(deadline_);
        timer_->async_wait([this, alive = std::weak_ptr<void>(alive_)](boost::system::error_code ec) {
            // Cancelled (moved, or the connection is gone), or run after the connection ended.
            if (ec || alive.expired()) return;
            waiting_ = false;
            if (deadline_ == std::chrono::steady_clock::time_point::max()) return;
            if (std::chrono::steady_clock::now() < deadline_) return wait_for_deadline();
            timed_out_ = true;
            boost::system::error_code ignored;
            lowest().socket().cancel(ignored);
        });
    }

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

    /// Answers the request with `res`: the connection's loop writes it once `handle()` has
    /// returned, so the frames of the coroutines that made it are freed before the write (a
    /// write waiting on a slow client then holds one response, not a stack of frames). Every
    /// caller returns what this returns at once.
    after send(response res) {
        pending_ = std::move(res);
        return after::keep_alive; // decided by the write
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

    /// A request head read: the error, or a head with folded lines (refused before parsing).
    struct head_read {
        boost::system::error_code ec;
        bool folded = false;
    };
    net::awaitable<head_read> read_head(beast::flat_buffer& buffer, http::request_parser<http::empty_body>& head);
    /// The rest of a request's body, when `take_body` found it incomplete: reads until the
    /// parser is done (or an error, or the end of the stream).
    net::awaitable<boost::system::error_code> read_body(beast::flat_buffer& buffer,
                                                        http::request_parser<http::string_body>& parser);
    /// Gives the parser the body bytes already in `buffer` (usually all of them: a request's
    /// body mostly arrives with its head): success once the message is complete, `need_more`
    /// when bytes are missing, or the parser's error.
    static boost::system::error_code take_body(beast::flat_buffer& buffer,
                                               http::request_parser<http::string_body>& parser) {
        boost::system::error_code ec;
        while (!parser.is_done()) {
            if (buffer.size() == 0) return http::error::need_more;
            const auto used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec) return ec;
            if (used == 0) return http::error::need_more;
        }
        return ec;
    }

    /// The head of `res` (status line and fields) as Beast's serializer writes it, appended
    /// to `out`; false for a chunked body, whose framing it leaves to http::async_write. The
    /// loop writes a response as this head and its body in one gather write: Beast's own
    /// write walks its buffer sequence views in nested operations per write.
    static bool head_text(response& res, std::string& out);

    /// Answers a framing error and closes: the connection cannot be read any further.
    net::awaitable<void> write_error(http::status status, std::string_view message, unsigned version);

    std::string_view path() const {
        std::string_view t = request_.target();
        return t.substr(0, t.find('?'));
    }

    bool host_allowed() const {
        if (!state_.check_hosts) return true;
        auto host = request_.find(http::field::host);
        if (host == request_.end()) return false;
        const std::string_view value = host->value();
        if (std::none_of(value.begin(), value.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
            return allowed_authority(value);
        return allowed_authority(lower(value));
    }

    /// `authority` (host[:port], lower case) is on the allowlist: an entry equal to it, an
    /// entry equal to its host name (any port), or `*.domain` for a single label under domain.
    bool allowed_authority(std::string_view authority) const {
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

    /// Where `handle` carries on from when `handle_now` stopped short of an answer.
    enum class resume {
        start,     ///< from the beginning: the gate may wait (it asks off the I/O thread)
        dispatch,  ///< admitted: GET, DELETE, the legacy transport, a WebSocket
        modern,    ///< a POST of the stateless era (post_modern, message_)
        direct,    ///< answered by the shared session, after messages its handler sent (direct_)
        post_rest, ///< a POST that needs a session (post_rest, message_)
    };

    /// Handles the request as far as it can without waiting: its answer (through `send`),
    /// or nothing, with `resume_` saying where `handle` goes on.
    std::optional<after> handle_now();
    /// The rest of the request that `handle_now` left (all of it, for `resume::start`).
    net::awaitable<after> handle();
    /// Routing, Host and Origin: an answer for a request that goes no further, or nothing.
    std::optional<after> route();
    /// The request as the auth gate sees it (X-Forwarded-* from a trusted proxy applied).
    http_request_view request_view();
    /// The gate's decision `d` (by `scheme`) acted on: a refusal answered and audited, or the
    /// caller admitted, audited, and taken as far as `handle_now` goes.
    std::optional<after> admit(std::shared_ptr<const http_gate> scheme, gate_decision& d,
                               const http_request_view& view, const auth::presented_credential& offered);
    /// The end of a request: its pending audit line recorded, its state dropped.
    void finish_request() {
        if (settle_audit_)
            if (auto* audit = state_.core.audit().get()) audit->settle(request_id_);
        settle_audit_ = false;
        message_.reset();
        direct_.reset();
    }

    /// Whether the caller of a long-lived stream (WebSocket, SSE) may go on: empty when it
    /// may, else why not. Its credential must not have expired, and the gate in force (a
    /// reload rebuilds it) must still let the request that opened the stream in, as the
    /// same caller: asked again after a rebuild and every `reauthenticate_interval`, and
    /// never counted by the brute-force buckets.
    net::awaitable<std::optional<std::string>> recheck_caller();
    /// How long a stream waits for its next event: the heartbeat, or less when the caller's
    /// credential expires sooner.
    std::chrono::milliseconds stream_wait() const {
        auto wait = state_.config.sse_heartbeat;
        if (caller_.expires) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*caller_.expires -
                                                                           std::chrono::system_clock::now());
            wait = std::clamp(left, std::chrono::milliseconds(1), wait);
        }
        return wait;
    }

    /// The metrics and (when on) the audit line of an authentication decision; `pending`:
    /// an allowed one that may join its call's authorization line (audit_log::record_pending).
    void audit_authentication(const http_request_view& view, const auth::presented_credential& offered,
                              std::string_view decision, std::string_view reason, unsigned status,
                              const principal* who, bool pending = false);

    /// Behind a trusted TLS terminator: the client address and scheme it reports. From
    /// anyone else the X-Forwarded-* fields are ignored.
    void forwarded(http_request_view& view);

    /// The protocol version the request declares: its header, or 2025-03-26 when absent.
    std::optional<std::string> declared_version() const {
        if (!fields_.protocol_version.present()) return std::string("2025-03-26");
        std::string value(fields_.protocol_version.value);
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
        std::string_view type = fields_.content_type.value;
        type = type.substr(0, type.find(';'));
        while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
        if (!beast::iequals(type, "application/json"))
            return rpc_error(http::status::unsupported_media_type, v, mcp::jsonrpc::invalid_request,
                             "Content-Type must be application/json");
        boost::system::error_code ec;
        boost::json::value message = warden::detail::parse_request_json(request_.body(), ec);
        if (ec) return rpc_error(http::status::bad_request, v, mcp::jsonrpc::parse_error, "parse error: " + ec.message());
        return message;
    }

    /// A 403 insufficient_scope for a single tools/call of a tool the caller may not call.
    std::optional<response> tool_refusal(const boost::json::value& message);

    /// The same decision from the headers of the stateless era (`Mcp-Method: tools/call`,
    /// `Mcp-Name`), before the body is parsed. The body stays the source of truth: it is
    /// checked against these headers, and the decision is made again from it.
    std::optional<response> header_tool_refusal();

    /// 403 with a challenge naming every scope the tool needs, when the caller lacks one.
    std::optional<response> scope_refusal(std::string_view tool_name);

    /// The session the request names in its Mcp-Session-Id, or an HTTP error to answer with.
    std::variant<std::shared_ptr<http_session>, response> find_session();

    /// The live session `id` if it belongs to the caller, or an HTTP error (404, 403).
    std::variant<std::shared_ptr<http_session>, response> session_by_id(std::string_view id);

    /// A POST of the session era up to what needs a session: the Accept and scope checks, the
    /// body, the era it belongs to, and in stateless mode the request answered at once by the
    /// shared session. Nothing (`resume_` set) when the rest must wait.
    std::optional<after> post_now();
    /// The rest of such a POST: the session it goes to, and its answer or event stream.
    net::awaitable<after> post_rest();
    static bool initializes(const boost::json::object& message) {
        const auto* m = message.if_contains("method");
        return m && *m == "initialize";
    }

    /// A request of the stateless era (2026-07-28): its envelope and the headers that
    /// mirror it are checked in the revision's order (-32602, -32020, -32022, -32601 and
    /// -32020 again for Mcp-Name and Mcp-Param-*), then a session that lives for this
    /// request serves it (for subscriptions/listen, as long as its stream stays open).
    net::awaitable<after> post_modern(boost::json::value message);

    /// Answers a request that `mcp::session::answer_here` answered: its response alone, or
    /// as an event stream after what its handler sent while it ran. (`reply` lives in the
    /// caller's frame; see `stream_events`.)
    net::awaitable<after> send_direct(mcp::session::direct_reply* reply, bool modern);
    /// A direct reply that is its response alone, as that response.
    response direct_response(mcp::session::direct_reply& reply, bool modern) const {
        return make(final_status(reply.error, modern), request_.version(), std::move(reply.response),
                    "application/json");
    }

    /// The HTTP status of a POST answered by one JSON-RPC response whose error code is
    /// `error` (0: a result): the stateless era maps some errors to statuses.
    static http::status final_status(int error, bool modern) {
        if (!modern) return http::status::ok;
        if (error == mcp::modern::missing_client_capability || error == mcp::modern::header_mismatch ||
            error == mcp::modern::unsupported_protocol_version)
            return http::status::bad_request;
        if (error == mcp::jsonrpc::method_not_found) return http::status::not_found;
        return http::status::ok;
    }

    /// Writes an SSE response: `first` (unless empty), then everything the stream carries
    /// for consumer `generation` until its final event (a POST's result), its end, or
    /// another consumer taking it over. Events of a resumable stream carry ids
    /// `<stream>-<seq>` that a client names in Last-Event-ID to resume.
    // `first` lives in the caller's frame: g++ 12 mishandles class-type coroutine parameters
    // initialized from prvalues.
    net::awaitable<after> stream_events(std::shared_ptr<event_stream> stream, std::uint64_t generation,
                                        event_stream::event* first, const std::string* issued_id,
                                        const std::string* preamble = nullptr);

    /// GET /sse (2024-11-05): a session whose every message goes on this stream; the first
    /// event names the endpoint for the client's POSTs.
    net::awaitable<after> legacy_open();

    /// POST /messages?sessionId=ID (2024-11-05): 202, the answer goes on the session's stream.
    net::awaitable<after> legacy_post();

    /// MCP over WebSocket: JSON-RPC messages as text frames, one session per connection.
    net::awaitable<after> websocket();

    net::awaitable<void> ws_reader(beast::websocket::stream<any_stream&>& ws, http_session& session);

    net::awaitable<void> ws_writer(beast::websocket::stream<any_stream&>& ws, event_stream& stream);

    net::awaitable<after> get();

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

    net::awaitable<after> del();

    http_state& state_;
    any_stream& stream_;
    std::string remote_;
    bool first_ = true;
    std::optional<net::steady_timer> timer_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool waiting_ = false; ///< a wait on timer_ is pending
    bool timed_out_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0); ///< expires with the connection (timer handlers)
    http::request<http::string_body> request_;
    mcp_fields fields_; ///< request_'s MCP and media-type fields, read once per request
    bool legacy_ = false;       ///< the request is for the legacy HTTP+SSE transport (route)
    bool ws_ = false;           ///< the request is for the WebSocket endpoint (route)
    bool settle_audit_ = false; ///< its authentication line may wait for its call's (admit)
    resume resume_ = resume::start;
    std::optional<boost::json::value> message_;            ///< a POST's body, parsed (post_now)
    std::optional<mcp::session::direct_reply> direct_;     ///< its answer from the shared session
    std::optional<response> pending_{}; ///< what `send` left for the loop to write
    std::string head_;                   ///< its head, serialized (capacity kept between requests)
    principal caller_;
    std::shared_ptr<const http_gate> checked_gate_;        ///< the gate that last admitted caller_
    std::chrono::steady_clock::time_point checked_at_{};   ///< and when
    std::string request_id_; ///< this request's id (audit log, X-Request-Id)
    std::shared_ptr<http_session> stateless_session_;
    std::shared_ptr<bool> watching_; ///< a disconnect watch is armed (watch_disconnect)
    http_state::request_list::iterator tracked_{}; ///< stateless_session_ in state_.requests
    std::optional<client_certificate> peer_certificate_;      ///< verified in the TLS handshake
    std::optional<client_certificate> forwarded_certificate_; ///< from a trusted proxy, this request
    std::string forwarded_refusal_;
};

} // namespace warden::transport::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/transport/http/impl/read_loop.hpp>
#include <warden/transport/http/impl/authenticate.hpp>
#include <warden/transport/http/impl/session_era.hpp>
#include <warden/transport/http/impl/stateless.hpp>
#include <warden/transport/http/impl/sse_writer.hpp>
#include <warden/transport/http/impl/legacy_sse.hpp>
#endif
