// warden/transport/detail/http_session.hpp: what Streamable HTTP keeps per MCP session.
//
// An `event_stream` carries the messages of one SSE response (a POST's, or the GET
// stream's) from whatever thread produced them to the connection that writes them. An
// `http_session` is the MCP session's outbound: it routes each message to the stream of
// the request it belongs to, and unrelated messages to the GET stream. The `session_table`
// holds the live sessions by id, with a cap and idle expiry.
#pragma once

#include <warden/config.hpp>
#include <warden/metrics.hpp>
#include <warden/auth/gate.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/session.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace warden::transport::detail {

/// A queue of outgoing messages that a connection coroutine awaits. Producers on any
/// thread push; one consumer at a time reads, on the executor it attached with (its
/// I/O thread). Every event gets a sequence number; once the stream is made resumable, the
/// last `history` delivered events are kept so that a consumer on a new connection can
/// take the stream over and replay from the last event its client saw (SSE
/// `Last-Event-ID`).
class event_stream : public std::enable_shared_from_this<event_stream> {
public:
    struct event {
        std::string data; ///< a serialized JSON-RPC message; empty for a heartbeat
        bool final = false;
        std::uint64_t seq = 0;
        int error = 0; ///< for a final response that is a JSON-RPC error: its code
    };
    enum class status { event, heartbeat, end, taken };

    /// A stream whose first consumer (generation 1) is attached on `ex`. A `lossy`
    /// stream (a session's GET stream) drops its oldest undelivered events beyond
    /// `history` while nobody consumes it.
    explicit event_stream(boost::asio::any_io_executor ex, bool lossy = false, std::size_t history = 64)
        : executor_(std::move(ex)), history_(history), lossy_(lossy) {}

    void push(std::string data, bool final, int error = 0) {
        std::shared_ptr<boost::asio::steady_timer> parked;
        {
            std::lock_guard lock(mutex_);
            if (closed_) return;
            log_.push_back({std::move(data), final, ++last_seq_, error});
            trim();
            if (waiting_) parked = timer_;
        }
        wake(parked); // otherwise the consumer finds it on its next look
    }
    /// True when an event waits to be delivered (a consumer would not wait).
    bool has_event() {
        std::lock_guard lock(mutex_);
        return cursor_ <= last_seq_ || closed_;
    }
    /// Ends the stream: the consumer drains what is queued, then sees the end.
    void close() {
        std::shared_ptr<boost::asio::steady_timer> parked;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            if (waiting_) parked = timer_;
        }
        wake(parked);
    }

    /// Starts keeping delivered events for replay; `number` names the stream in event ids.
    void make_resumable(std::uint64_t number) {
        std::lock_guard lock(mutex_);
        number_ = number;
    }
    /// The stream's number in event ids; 0 while it is not resumable.
    std::uint64_t number() {
        std::lock_guard lock(mutex_);
        return number_;
    }
    /// A consumer is attached.
    bool attached() {
        std::lock_guard lock(mutex_);
        return attached_;
    }

    /// Takes the stream over for a consumer on `ex` that continues after event `after`
    /// (replaying what is kept). Returns the consumer's generation, or 0 when the events
    /// after `after` are no longer all kept (or were never sent). A previous consumer
    /// sees `status::taken`.
    std::uint64_t resume(boost::asio::any_io_executor ex, std::uint64_t after) {
        std::shared_ptr<boost::asio::steady_timer> parked;
        std::uint64_t generation = 0;
        {
            std::lock_guard lock(mutex_);
            const std::uint64_t oldest = log_.empty() ? last_seq_ + 1 : log_.front().seq;
            if (number_ == 0 || after + 1 < oldest || after > last_seq_) return 0;
            cursor_ = after + 1;
            executor_ = std::move(ex);
            attached_ = true;
            generation = ++generation_;
            if (waiting_) parked = timer_;
            waiting_ = false;
            timer_.reset();
        }
        wake(parked);
        return generation;
    }
    /// The consumer of `generation` is gone; the stream keeps its events for the next.
    void detach(std::uint64_t generation) {
        std::lock_guard lock(mutex_);
        if (generation != generation_) return;
        attached_ = false;
        trim();
    }

    /// Waits for the next event and copies it into `out`; `heartbeat` after `idle` without
    /// one; `end` once the stream is closed and drained; `taken` once another consumer
    /// has taken the stream over. (An out-parameter rather than an optional result: g++ 12
    /// miscompiles non-trivial values returned through co_await.)
    boost::asio::awaitable<status> next(event& out, std::chrono::steady_clock::duration idle,
                                        std::uint64_t generation = 1);

private:
    // Producers post the cancel to the consumer's executor: a consumer between deciding to
    // wait and starting its wait runs on that executor, so the cancel lands after the wait
    // has started.
    static void wake(const std::shared_ptr<boost::asio::steady_timer>& timer) {
        if (timer) boost::asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
    // Drops delivered events beyond the replay allowance, and for a lossy stream nobody
    // consumes, the oldest undelivered ones too.
    void trim() {
        const std::size_t keep = number_ == 0 ? 0 : history_;
        while (!log_.empty() && log_.front().seq < cursor_ && log_.size() > keep) log_.pop_front();
        if (lossy_ && !attached_)
            while (log_.size() > history_) {
                cursor_ = std::max(cursor_, log_.front().seq + 1);
                log_.pop_front();
            }
    }

    boost::asio::any_io_executor executor_;
    std::size_t history_;
    bool lossy_;
    std::mutex mutex_;
    std::deque<event> log_;     ///< events cursor_.. are undelivered; earlier ones are kept for replay
    std::uint64_t last_seq_ = 0;
    std::uint64_t cursor_ = 1;  ///< the next event to deliver
    std::uint64_t number_ = 0;
    std::uint64_t generation_ = 1;
    bool attached_ = true;
    bool closed_ = false;
    bool waiting_ = false; ///< the consumer is (about to be) parked on timer_
    std::shared_ptr<boost::asio::steady_timer> timer_;
};

/// One MCP session over Streamable HTTP: the outbound that routes its messages.
class http_session final : public mcp::outbound {
public:
    http_session(std::string id, principal owner, bool legacy = false)
        : id_(std::move(id)), owner_(std::move(owner)), legacy_(legacy) {
        touch();
    }

    const std::string& id() const noexcept { return id_; }
    const principal& owner() const noexcept { return owner_; }
    /// The MCP session; null once this session has ended.
    std::shared_ptr<mcp::session> mcp() {
        std::lock_guard lock(mutex_);
        return mcp_;
    }
    void set_mcp(std::shared_ptr<mcp::session> s) {
        std::lock_guard lock(mutex_);
        mcp_ = std::move(s);
    }

    void touch() noexcept { last_active_ = std::chrono::steady_clock::now().time_since_epoch().count(); }
    std::chrono::steady_clock::time_point last_active() const noexcept {
        return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_active_.load()));
    }

    /// Sends what belongs to request `id` (and its response) to `s`.
    void route(const boost::json::value& id, std::shared_ptr<event_stream> s) {
        std::lock_guard lock(mutex_);
        routes_[mcp::jsonrpc::id_key(id)] = std::move(s);
    }
    /// Installs the GET stream. One that is already there is ended: a client opening a new
    /// one without Last-Event-ID has lost the old one, though the server may not know yet.
    void attach_standalone(std::shared_ptr<event_stream> s) {
        std::shared_ptr<event_stream> old;
        {
            std::lock_guard lock(mutex_);
            old = std::exchange(standalone_, std::move(s));
        }
        if (old) old->close();
    }
    /// Numbers `s` and keeps it (among the session's most recent few) for `resumable`.
    std::uint64_t make_resumable(const std::shared_ptr<event_stream>& s) {
        std::lock_guard lock(mutex_);
        const std::uint64_t number = ++streams_made_;
        s->make_resumable(number);
        resumable_.emplace(number, s);
        while (resumable_.size() > max_resumable) resumable_.erase(resumable_.begin());
        return number;
    }
    /// The kept stream numbered `number`, or null.
    std::shared_ptr<event_stream> resumable(std::uint64_t number) {
        std::lock_guard lock(mutex_);
        auto it = resumable_.find(number);
        return it == resumable_.end() ? nullptr : it->second;
    }
    /// A stream has a consumer or a request is being answered.
    bool streaming() {
        std::lock_guard lock(mutex_);
        return !routes_.empty() || (standalone_ && standalone_->attached());
    }
    /// Ends every stream and the MCP session (which also breaks the ownership cycle
    /// between the two).
    void close() {
        std::map<std::string, std::shared_ptr<event_stream>> routes;
        std::shared_ptr<event_stream> standalone;
        std::shared_ptr<mcp::session> m;
        {
            std::lock_guard lock(mutex_);
            resumable_.clear();
            routes.swap(routes_);
            standalone.swap(standalone_);
            m.swap(mcp_);
        }
        for (auto& [k, s] : routes) s->close();
        if (standalone) standalone->close();
        if (m) m->close();
    }
    /// Ends the GET stream only (server shutdown: it would never finish by itself).
    void close_standalone() {
        std::shared_ptr<event_stream> s;
        {
            std::lock_guard lock(mutex_);
            s.swap(standalone_);
        }
        if (s) s->close();
    }

    void send(std::string message, const boost::json::value* related, bool final) override {
        deliver(std::move(message), related, final, 0);
    }
    void send_error_response(std::string message, const boost::json::value& id, int code) override {
        deliver(std::move(message), &id, true, code);
    }

private:
    void deliver(std::string message, const boost::json::value* related, bool final, int error) {
        std::shared_ptr<event_stream> target;
        bool to_standalone = false;
        {
            std::lock_guard lock(mutex_);
            if (legacy_) { // HTTP+SSE: everything, responses included, goes on the one stream
                target = standalone_;
                to_standalone = true;
            } else
            if (related && related->is_array()) { // a batch response
                for (const auto& id : related->get_array()) {
                    auto it = routes_.find(mcp::jsonrpc::id_key(id));
                    if (it == routes_.end()) continue;
                    target = it->second;
                    routes_.erase(it);
                }
                if (auto it = routes_.find("null"); it != routes_.end()) { // errors for invalid elements
                    if (!target) target = it->second;
                    routes_.erase(it);
                }
            } else if (related) {
                auto it = routes_.find(mcp::jsonrpc::id_key(*related));
                if (it != routes_.end()) {
                    target = it->second;
                    if (final) routes_.erase(it);
                }
            }
            // Unrelated messages, and requests or notifications for a request whose
            // stream is gone, go to the GET stream. A response never does.
            if (!target && !final) {
                target = standalone_;
                to_standalone = true;
            }
        }
        if (target) target->push(std::move(message), final && !to_standalone, error);
        touch();
    }

public:

    void abandoned(const boost::json::value& related) override {
        std::vector<std::shared_ptr<event_stream>> ended;
        {
            std::lock_guard lock(mutex_);
            auto end_one = [&](const boost::json::value& id) {
                auto it = routes_.find(mcp::jsonrpc::id_key(id));
                if (it == routes_.end()) return;
                ended.push_back(it->second);
                routes_.erase(it);
            };
            if (related.is_array())
                for (const auto& id : related.get_array()) end_one(id);
            else
                end_one(related);
        }
        for (auto& s : ended) s->close();
    }

private:
    std::string id_;
    principal owner_;
    bool legacy_ = false;
    metrics::gauge_hold live_{metrics::global().sessions.with({})};
    std::shared_ptr<mcp::session> mcp_;
    std::atomic<std::chrono::steady_clock::rep> last_active_{0};
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<event_stream>> routes_;
    std::shared_ptr<event_stream> standalone_;
    static constexpr std::size_t max_resumable = 8;
    std::uint64_t streams_made_ = 0;
    std::map<std::uint64_t, std::shared_ptr<event_stream>> resumable_;
};

/// A new session id: 256 random bits as 64 hex digits (visible ASCII, as the spec asks).
inline std::string new_session_id() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("warden: the OpenSSL RNG failed");
    return crypto::to_hex(bytes, sizeof bytes);
}

/// The live sessions, by id.
class session_table {
public:
    /// `instance`: this instance's name (http_settings::instance), or empty.
    session_table(std::size_t max_sessions, std::chrono::milliseconds idle_timeout, std::string instance = {})
        : max_(max_sessions), idle_(idle_timeout), prefix_(instance.empty() ? std::string() : instance + ".") {}

    /// A new session for `owner`, or nullptr when the cap is reached even after idle
    /// sessions were expired. Its id starts with "INSTANCE." when this instance has a name.
    std::shared_ptr<http_session> create(principal owner, bool legacy = false) {
        auto s = std::make_shared<http_session>(prefix_ + new_session_id(), std::move(owner), legacy);
        if (size() >= max_) expire();
        std::lock_guard lock(mutex_);
        if (sessions_.size() >= max_) return nullptr;
        sessions_.emplace(s->id(), s);
        return s;
    }
    std::shared_ptr<http_session> find(std::string_view id) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(std::string(id));
        return it == sessions_.end() ? nullptr : it->second;
    }
    /// Removes and closes the session; false if there was none.
    bool end(std::string_view id) {
        std::shared_ptr<http_session> s;
        {
            std::lock_guard lock(mutex_);
            auto it = sessions_.find(std::string(id));
            if (it == sessions_.end()) return false;
            s = std::move(it->second);
            sessions_.erase(it);
        }
        s->close();
        return true;
    }
    /// Ends sessions idle for longer than the timeout (no stream open, no request running).
    std::size_t expire() {
        const auto cutoff = std::chrono::steady_clock::now() - idle_;
        std::vector<std::shared_ptr<http_session>> expired;
        {
            std::lock_guard lock(mutex_);
            for (auto it = sessions_.begin(); it != sessions_.end();) {
                auto& s = it->second;
                auto m = s->mcp();
                if (s->last_active() < cutoff && !s->streaming() && !(m && m->busy())) {
                    expired.push_back(std::move(s));
                    it = sessions_.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (auto& s : expired) s->close();
        return expired.size();
    }
    template <class F>
    void for_each(F f) {
        std::vector<std::shared_ptr<http_session>> all;
        {
            std::lock_guard lock(mutex_);
            for (auto& [k, s] : sessions_) all.push_back(s);
        }
        for (auto& s : all) f(*s);
    }
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return sessions_.size();
    }
    /// The instance a session id names when it is not this one ("b" for "b.5f3a..."), or
    /// empty: ids without a name, and this instance's own.
    std::string_view other_instance(std::string_view id) const noexcept {
        if (prefix_.empty() || id.starts_with(prefix_)) return {};
        const auto dot = id.find('.');
        if (dot == std::string_view::npos || !valid_instance_name(id.substr(0, dot))) return {};
        return id.substr(0, dot);
    }
    /// 1-32 of [A-Za-z0-9_-]: what http_settings::instance accepts (and all a log line
    /// repeats of a client's session id).
    static bool valid_instance_name(std::string_view name) noexcept {
        if (name.empty() || name.size() > 32) return false;
        for (char c : name)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                return false;
        return true;
    }

private:
    std::size_t max_;
    std::chrono::milliseconds idle_;
    std::string prefix_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<http_session>> sessions_;
};

} // namespace warden::transport::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/transport/detail/impl/event_stream.hpp>
#endif
