// warden/mcp/session.hpp: one client's conversation with the server, independent of the
// transport.
//
// A `session` takes JSON-RPC messages (text or parsed JSON) from a transport and answers
// through an `outbound` the transport implements. It runs the lifecycle (initialize and
// version negotiation, then requests), lists and calls what the registry offers, tracks
// requests in flight (duplicate ids refused, cancellation delivered through a stop token),
// routes the client's answers to requests the server sent, and sends notifications.
//
// It serves both protocol eras: after `initialize`, the session era (2024-11-05 ...
// 2025-11-25); a request whose `params._meta` names a protocol version, the stateless era
// (2026-07-28), where each request stands alone (version and client capabilities from its
// own `_meta`), results say `resultType`, requests to the client become input-required
// results with a sealed `requestState`, and `subscriptions/listen` requests stay open for
// change notifications.
//
// Cheap methods (lifecycle, lists, subscriptions, ping) are answered on the caller's
// thread. Handlers (tools/call, resources/read, prompts/get, completion/complete) run on
// the worker executor, so a slow tool never delays `ping` or another call.
//
// The class is declared here; its member functions are in files by job, included at the
// end of this header (warden/mcp/impl/session_*.hpp: dispatch, methods, stateless, listen,
// client_requests).
#pragma once

#include <warden/config.hpp>
#include <warden/audit.hpp>
#include <warden/auth/principal.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/mcp/content.hpp>
#include <warden/mcp/context.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/modern.hpp>
#include <warden/mcp/outbound.hpp>
#include <warden/mcp/request_state.hpp>
#include <warden/mcp/session_options.hpp>
#include <warden/mcp/tasks.hpp>
#include <warden/mcp/versions.hpp>
#include <warden/metrics.hpp>
#include <warden/server_info.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace warden::mcp {

class registry; // warden/mcp/registry.hpp: the session's members (impl/) use it, its interface does not

namespace detail {
// How a stateless-era handler run ends early (not std::exceptions, so that a handler's
// `catch (const std::exception&)` lets them through).
struct input_needed {};                           ///< answers missing: answer input-required
struct capability_needed {                        ///< -32021
    std::string name;                             ///< what the message names
    boost::json::object required{};               ///< requiredCapabilities; empty: {name: {}}
};
struct input_malformed { std::string message; };  ///< -32602
} // namespace detail

class session final : public std::enable_shared_from_this<session>, private detail::request_link {
public:
    session(std::shared_ptr<const registry> reg, std::shared_ptr<const server_info> info, session_options options,
            principal caller, std::shared_ptr<const credential_set> credentials, boost::asio::any_io_executor workers,
            std::shared_ptr<outbound> out, std::shared_ptr<const logger> log)
        : registry_(std::move(reg)), info_(std::move(info)), options_(options),
          caller_(std::make_shared<const principal>(std::move(caller))),
          credentials_(std::move(credentials)), workers_(std::move(workers)), out_(std::move(out)),
          log_(std::move(log)), sealer_(process_sealer()) {}

    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Handles one transport message: a JSON-RPC message or, where allowed, a batch.
    void receive_text(std::string_view text);

    void receive(boost::json::value message);

    /// Cancels every request in flight and fails every wait for the client. Idempotent.
    void close() {
        std::lock_guard listening(listen_mutex_);
        listens_.clear();
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& [key, f] : in_flight_) f->stop.request_stop();
        changed_.notify_all();
    }


    /// Waits until no handler runs, or `deadline`. True when idle.
    bool wait_idle(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] { return in_flight_.empty(); });
    }

    /// Serves requests without an initialize handshake, as negotiated at `version`: for
    /// stateless HTTP, where every request stands alone.
    void assume_initialized(std::string_view version) {
        bool expected = false;
        if (!initializing_.compare_exchange_strong(expected, true)) return;
        version_ = is_supported_version(version) ? std::string(version) : std::string(supported_versions.back());
        initialized_ = true;
    }

    /// What a request answered on the receiving thread produced (`answer_here`): the
    /// messages its handler sent while it ran (notifications, in order), then its response.
    struct direct_reply {
        std::vector<std::string> messages{};
        std::string response{};
        int error = 0; ///< the response's JSON-RPC error code; 0 for a result
    };

    /// Answers `msg`, a request that stands alone (the 2026-07-28 era, or the session era
    /// at `version` on a stateless server), on this thread and without opening a session,
    /// when nothing in it can wait: a `tools/call` of a tool declared `run_inline`. Returns
    /// false, `msg` untouched, for any other request (the caller opens a session for it).
    /// Touches no state of this session: one session serves every such request of a server.
    /// A handler here cannot wait for the client (nothing would carry its answer back): in
    /// the session era its requests to the client fail at once.
    bool answer_here(boost::json::object& msg, const principal& who, std::string_view version, direct_reply& out);

    /// True when `message` (a single message or a batch) contains a request, which will
    /// get a response; false when it holds only notifications and responses.
    static bool expects_response(const boost::json::value& message) {
        if (const auto* batch = message.if_array()) {
            if (batch->empty()) return true; // answered with an error
            for (const auto& m : *batch)
                if (auto k = jsonrpc::classify(m).what; k == jsonrpc::kind::request || k == jsonrpc::kind::invalid)
                    return true;
            return false;
        }
        auto k = jsonrpc::classify(message).what;
        return k == jsonrpc::kind::request || k == jsonrpc::kind::invalid;
    }

    /// True while a handler request is running.
    bool busy() {
        std::lock_guard lock(mutex_);
        return !in_flight_.empty();
    }

    bool initialized() const noexcept { return initialized_.load(); }
    std::string_view negotiated_version() const noexcept { return version_; }
    /// Who the session's requests come from: its creator, as the latest request proved it.
    std::shared_ptr<const principal> caller() const { return caller_.load(std::memory_order_acquire); }
    /// The same caller with a fresher credential (a refreshed or stepped-up token: new
    /// scopes, a later expiry). The transport checks that it is the same caller first.
    void set_caller(principal p) {
        caller_.store(std::make_shared<const principal>(std::move(p)), std::memory_order_release);
    }

    /// Sends `notifications/<what>/list_changed` ("tools", "prompts", "resources") if the
    /// session is initialized, and to every subscriptions/listen request that asked for it.
    void notify_list_changed(std::string_view what);

    /// Sends notifications/resources/updated if the client subscribed to `uri` (session era)
    /// or a subscriptions/listen request names it.
    void notify_resource_updated(std::string_view uri);

    /// Sends notifications/tasks (the tasks extension) with `task`, a DetailedTask, to every
    /// subscriptions/listen request that follows task `id`, when this session's caller is
    /// its `owner` (`task_manager::owner_of`).
    void notify_task(std::string_view id, std::string_view owner, const boost::json::object& task);
    /// The task ids this session's subscriptions/listen requests follow.
    std::vector<std::string> followed_tasks();

    /// True while a subscriptions/listen request is open.
    bool listening();
    /// Ends every open subscriptions/listen request with its result (server shutdown).
    void end_listens();

    /// The key that seals `requestState` (stateless era). By default a random key of this
    /// process (states then open only here); the server installs one from its credentials.
    /// Where per-tool authorization decisions are audited (null: nowhere).
    void set_audit(std::shared_ptr<audit_log> a) { audit_ = std::move(a); }
    /// The server's tasks (the tasks extension), when it enabled them.
    void set_tasks(std::shared_ptr<task_manager> t) { tasks_ = std::move(t); }
    void set_state_sealer(std::shared_ptr<const request_state_sealer> s) {
        if (s) sealer_ = std::move(s);
    }
    static std::shared_ptr<const request_state_sealer> process_sealer() {
        static const auto sealer = std::make_shared<const request_state_sealer>(
            request_state_sealer::from_key(crypto::random_bytes(crypto::aes256_gcm_key_size)).value());
        return sealer;
    }

private:
    using reply_fn = std::function<void(const boost::json::value& id, std::optional<boost::json::object>)>;
    using handler_fn = result<boost::json::object> (session::*)(const boost::json::object&, call_context&);

    struct flight {
        std::stop_source stop{};
        bool cancelled = false;
    };
    struct pending_request {
        std::optional<boost::json::object> answer{};
    };
    /// An open subscriptions/listen request and what it asked for (and the server honours).
    struct listen_entry {
        boost::json::value id{};
        bool tools = false;
        bool prompts = false;
        bool resources = false;
        std::set<std::string, std::less<>> uris{};
        std::set<std::string, std::less<>> tasks{}; ///< task ids (the tasks extension)
    };
    /// A stateless-era handler request: what its envelope declares, the client's answers
    /// so far (from the sealed requestState and this retry's inputResponses), and the
    /// requests to the client that its handler made and found unanswered.
    struct modern_call {
        modern::envelope env{};
        boost::json::object answers{};
        boost::json::object requested{};
        std::int64_t round = 0;
        std::string presented_state{}; ///< the requestState the request carried
    };
    class modern_link;

    static error failure_value(errc c, std::string detail) { return error{make_error_code(c), std::move(detail)}; }

    void send(const boost::json::object& message, const boost::json::value* related, bool final) {
        out_->send(boost::json::serialize(message), related, final);
    }
    /// A response: errors go through the transport's error path (it may map the code).
    void send_response(const boost::json::object& r, const boost::json::value& id) {
        if (const auto* e = r.if_contains("error"); e && e->is_object())
            if (const auto* c = e->get_object().if_contains("code"); c && c->is_int64()) {
                out_->send_error_response(boost::json::serialize(r), id, static_cast<int>(c->get_int64()));
                return;
            }
        out_->send(boost::json::serialize(r), &id, true);
    }
    void send_error(const boost::json::value* id, const error& e) {
        boost::json::value null_id{};
        send(jsonrpc::make_error(id ? *id : null_id, e), id, true);
    }

    void receive_batch(boost::json::array& batch);

    void handle(boost::json::value& message, const reply_fn& reply);

    static const boost::json::object& params_of(const boost::json::object& msg) {
        static const boost::json::object empty;
        const auto* p = msg.if_contains("params");
        return p && p->is_object() ? p->get_object() : empty;
    }

    void on_notification(const boost::json::object& msg);

    void on_response(const boost::json::object& msg);

    void on_request(boost::json::object& msg, const reply_fn& reply);

    /// The handler of a method that runs one (null for others), and whether it may run on
    /// the receiving thread (a tool declared never to block).
    std::pair<handler_fn, bool> handler_for(std::string_view method, const boost::json::object& params) const;

    // ---- the stateless era (2026-07-28) ----

    const std::vector<std::string>& supported() const {
        return modern::supported_list(options_.session_era, supported_versions);
    }


    void on_modern_request(boost::json::object& msg, const reply_fn& reply);

    /// Reads a stateless-era request's envelope, and for a method that may ask for input,
    /// the answers gathered so far, into `call`. The error response when they are not valid
    /// or the server does not offer `method`.
    std::optional<boost::json::object> open_modern_call(const boost::json::value& id, std::string_view method,
                                                        const boost::json::object& params, const principal& who,
                                                        modern_call& call) const;

    /// What a requestState is bound to: the caller, the method and its parameters.
    request_state_binding state_binding(std::string_view method, const boost::json::object& params,
                                        const principal& who) const;

    /// A complete result of this era: resultType, the server in _meta, and cache hints for
    /// the results that take them.
    boost::json::object complete(boost::json::object r, const cache_hint* hint) const;
    static void add_cache_hint(boost::json::object& r, const cache_hint& hint) {
        r["ttlMs"] = std::max<std::int64_t>(0, hint.ttl.count());
        r["cacheScope"] = hint.scope == cache_scope::everyone ? "public" : "private";
    }
    void add_server_meta(boost::json::object& r) const;
    boost::json::object server_info_json() const;
    static boost::json::object subscription_meta(const boost::json::value& id) {
        return boost::json::object{{modern::meta_subscription_id, id}};
    }

    result<boost::json::object> discover();

    /// subscriptions/listen: stays open; acknowledged at once with what is honoured.
    void listen(const boost::json::value& id, const boost::json::object& params, const reply_fn& reply);

    /// Sends to each open listen what `make` returns for it. The listens are chosen under
    /// the lock, the messages sent after it (a slow client never blocks close()).
    template <class F>
    void to_listeners(F make) {
        std::lock_guard sending(listen_send_mutex_);
        std::vector<std::pair<boost::json::value, boost::json::object>> out;
        {
            std::lock_guard lock(listen_mutex_);
            for (const auto& [key, l] : listens_)
                if (auto m = make(l)) out.emplace_back(l.id, std::move(*m));
        }
        for (auto& [id, m] : out) send(m, &id, false);
    }

    boost::json::object answer(const boost::json::value& id, result<boost::json::object> r);

    /// Runs a handler request on the worker executor (or, for a tool that never blocks, on
    /// this thread), tracking it in flight. Takes `msg` over.
    void run_handler(const boost::json::value& id, boost::json::object& msg, handler_fn handler, const reply_fn& reply,
                     bool run_inline, std::shared_ptr<modern_call> call);

    void execute(const std::shared_ptr<const boost::json::object>& msg, const std::string& key,
                 const std::shared_ptr<flight>& f, handler_fn handler, const reply_fn& reply,
                 const std::shared_ptr<modern_call>& call, const std::shared_ptr<const principal>& who);

    /// Runs `handler` for `msg` and counts it: through `call` in the stateless era, else
    /// with this session as the handler's link; with `sink`, what the handler sends goes
    /// there (`answer_here`, the session era at `version`).
    boost::json::object invoke(const boost::json::object& msg, handler_fn handler, modern_call* call,
                               const principal& who, std::stop_token stop, direct_reply* sink = nullptr,
                               std::string_view version = {});

    /// Counts a handled request and its duration in the metrics, by method and (for a
    /// registered tool) tool name: names clients make up never become labels.
    void count_request(const boost::json::object& msg, const boost::json::object& response,
                       std::chrono::steady_clock::duration took) const;

    /// Runs a stateless-era handler: a complete result, an input-required result (answers
    /// missing), or the era's errors.
    boost::json::object execute_modern(const boost::json::object& msg, modern_call& call, const principal& who,
                                       handler_fn handler, boost::json::value token, std::stop_token stop,
                                       direct_reply* sink);

    /// The input-required result: what the handler asked for, and everything answered so
    /// far sealed in requestState for the retry.
    boost::json::object input_required(const boost::json::value& id, std::string_view method,
                                       const boost::json::object& params, const principal& who,
                                       const modern_call& call);

    // ---- lifecycle ----

    result<boost::json::object> initialize(const boost::json::object& params);

    /// What the server offers, in both eras (the same on every connection).
    boost::json::object server_capabilities() const;

    /// One page of the list `member` names (tools, resources, resourceTemplates, prompts).
    result<boost::json::object> list_page(std::string_view member, const boost::json::object& params);

    result<boost::json::object> set_level(const boost::json::object& params);

    result<boost::json::object> subscribe(const boost::json::object& params, bool on);

    // ---- handlers (worker threads) ----

    result<boost::json::object> call_tool(const boost::json::object& params, call_context& ctx);

    static boost::json::object contents_json(const std::vector<resource_contents>& items) {
        boost::json::array a{};
        for (const auto& c : items) a.emplace_back(c.to_json());
        return boost::json::object{{"contents", std::move(a)}};
    }

    result<boost::json::object> read_resource(const boost::json::object& params, call_context& ctx);

    result<boost::json::object> get_prompt(const boost::json::object& params, call_context& ctx);

    result<boost::json::object> complete_argument(const boost::json::object& params, call_context&);

    // ---- the tasks extension (warden/mcp/tasks.hpp) ----

    /// Whether the client declared the tasks extension (at initialize, or in this request's
    /// `_meta` client capabilities).
    static bool declares_tasks_here(const boost::json::object& params, const call_context& ctx);
    /// A tools/call of a task tool whose client declared the extension: the CreateTaskResult,
    /// or what the handler returned when it never started its task.
    template <class Tool> // registry::tool_entry
    result<task_manager::attached_outcome> call_task_tool(const std::shared_ptr<const Tool>& tool,
                                                          const boost::json::object& args, call_context& ctx);
    /// The `taskId` of a tasks/* request; -32021 when the client did not declare the extension.
    static result<std::string> task_id_of(const boost::json::object& params, const call_context& ctx);
    result<boost::json::object> get_task(const boost::json::object& params, call_context& ctx);
    result<boost::json::object> update_task(const boost::json::object& params, call_context& ctx);
    result<boost::json::object> cancel_task(const boost::json::object& params, call_context& ctx);
    /// The -32021 error `c` describes.
    static boost::json::object missing_capability(const boost::json::value& id, const detail::capability_needed& c);

    // ---- request_link: what call_context uses ----

    void notify(boost::json::object message, const boost::json::value& related) override;

    result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                             std::optional<std::chrono::milliseconds> timeout,
                                                             std::stop_token stop,
                                                             const boost::json::value& related) override;

    result<boost::json::object> client_request(std::string_view method, boost::json::object params,
                                               std::optional<std::chrono::milliseconds> timeout, std::stop_token stop,
                                               const boost::json::value& related);

    log_level client_log_level() const override { return static_cast<log_level>(client_level_.load()); }
    const boost::json::object& client_capabilities() const override { return client_capabilities_; }
    std::string_view protocol_version() const override { return version_; }

    /// A stateless-era request as its handler sees it: answers from the request itself.
    class modern_link final : public detail::request_link {
    public:
        modern_link(session& s, modern_call& call, direct_reply* sink) : session_(s), call_(call), sink_(sink) {}
        void notify(boost::json::object message, const boost::json::value& related) override {
            if (sink_)
                sink_->messages.push_back(boost::json::serialize(message));
            else
                session_.send(message, &related, false);
        }
        result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                                 std::optional<std::chrono::milliseconds>,
                                                                 std::stop_token, const boost::json::value&) override {
            std::vector<boost::json::object> out;
            bool missing = false;
            for (auto& r : requests) {
                if (!r.capability.empty() && !call_.env.capabilities.contains(r.capability))
                    throw detail::capability_needed{r.capability};
                if (const auto* a = call_.answers.if_contains(r.key)) {
                    if (auto why = modern::malformed_answer(r.method, *a))
                        throw detail::input_malformed{"inputResponses[\"" + r.key + "\"]: " + *why};
                    out.push_back(a->get_object());
                    continue;
                }
                missing = true;
                boost::json::object req{{"method", r.method}};
                if (!r.params.empty() || r.method != "roots/list") req.emplace("params", std::move(r.params));
                call_.requested[r.key] = std::move(req);
            }
            if (missing) throw detail::input_needed{};
            return out;
        }
        log_level client_log_level() const override { return call_.env.level.value_or(log_level::emergency); }
        bool wants_logs() const override { return call_.env.level.has_value(); }
        const boost::json::object& client_capabilities() const override { return call_.env.capabilities; }
        std::string_view protocol_version() const override { return call_.env.version; }
        bool stateless() const override { return true; }
        std::string_view request_state() const override { return call_.presented_state; }

    private:
        session& session_;
        modern_call& call_;
        direct_reply* sink_;
    };

    /// A session-era request answered by `answer_here`, as its handler sees it: a client
    /// that declared nothing (as after a stateless request's assumed initialize) and that
    /// cannot be asked anything.
    class direct_link final : public detail::request_link {
    public:
        direct_link(direct_reply& sink, std::string_view version) : sink_(sink), version_(version) {}
        void notify(boost::json::object message, const boost::json::value&) override {
            sink_.messages.push_back(boost::json::serialize(message));
        }
        result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                                 std::optional<std::chrono::milliseconds>,
                                                                 std::stop_token, const boost::json::value&) override {
            for (const auto& r : requests)
                if (!r.capability.empty())
                    return failure(errc::capability_missing,
                                   "the client did not declare the \"" + r.capability + "\" capability");
            return failure(errc::closed, "a stateless request cannot wait for the client's answer");
        }
        log_level client_log_level() const override { return log_level::debug; }
        const boost::json::object& client_capabilities() const override {
            static const boost::json::object none;
            return none;
        }
        std::string_view protocol_version() const override { return version_; }

    private:
        direct_reply& sink_;
        std::string_view version_;
    };

    std::shared_ptr<const registry> registry_{};
    std::shared_ptr<const server_info> info_{};
    session_options options_;
    std::atomic<std::shared_ptr<const principal>> caller_;
    std::shared_ptr<const credential_set> credentials_{};
    boost::asio::any_io_executor workers_{};
    std::shared_ptr<outbound> out_{};
    std::shared_ptr<const logger> log_{};

    // Written once by initialize, before any handler of this session runs.
    std::string version_{};
    boost::json::object client_capabilities_{};
    std::atomic<bool> initializing_{false};
    std::atomic<bool> initialized_{false};
    std::atomic<bool> client_ready_{false};
    std::atomic<int> client_level_{static_cast<int>(log_level::debug)}; // all, until the client sets a level

    std::mutex mutex_{};
    std::condition_variable_any changed_{};
    bool closed_ = false;
    std::map<std::string, std::shared_ptr<flight>, std::less<>> in_flight_{};
    std::map<std::int64_t, std::shared_ptr<pending_request>> pending_{};
    std::int64_t next_request_id_ = 0;
    std::set<std::string, std::less<>> subscriptions_{};
    std::shared_ptr<const request_state_sealer> sealer_{};
    std::shared_ptr<audit_log> audit_{};
    std::shared_ptr<task_manager> tasks_{};
    std::mutex listen_send_mutex_{}; // orders an acknowledgement before its notifications; taken first
    std::mutex listen_mutex_{};      // taken before mutex_ when both are
    std::map<std::string, listen_entry, std::less<>> listens_{};
};

} // namespace warden::mcp

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/mcp/impl/session_dispatch.hpp>
#include <warden/mcp/impl/session_methods.hpp>
#include <warden/mcp/impl/session_stateless.hpp>
#include <warden/mcp/impl/session_listen.hpp>
#include <warden/mcp/impl/session_client_requests.hpp>
#endif
