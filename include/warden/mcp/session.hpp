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
#pragma once

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
#include <warden/mcp/registry.hpp>
#include <warden/mcp/request_state.hpp>
#include <warden/metrics.hpp>

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

namespace warden {

/// How the server introduces itself in the initialize result.
struct server_info {
    std::string name{};
    std::string version{};
    std::string title{};
    std::string instructions{}; ///< optional guidance for the client's model
};

namespace mcp {

/// Protocol revisions served, newest first.
inline constexpr std::array<std::string_view, 4> supported_versions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                                       "2024-11-05"};

inline bool is_supported_version(std::string_view v) noexcept {
    for (auto s : supported_versions)
        if (s == v) return true;
    return false;
}

/// JSON-RPC batches exist in 2024-11-05 and 2025-03-26; 2025-06-18 removed them.
inline bool version_allows_batches(std::string_view v) noexcept { return v == "2024-11-05" || v == "2025-03-26"; }

struct session_options {
    std::size_t page_size = 100;                              ///< items per list page
    std::chrono::milliseconds client_request_timeout{60'000}; ///< default wait for the client's answer
    std::size_t max_in_flight = 256;                          ///< concurrent handler requests per session
    std::size_t max_message_bytes = 4 * 1024 * 1024;          ///< larger text is refused unparsed
    /// Stateless era: how long list results and server/discover may be reused, and by whom.
    cache_hint list_cache{std::chrono::minutes(5), cache_scope::everyone};
    /// Stateless era: resources/read of a resource that declares no hint of its own.
    cache_hint resource_cache{std::chrono::milliseconds(0), cache_scope::caller};
    /// Whether `initialize` (the session era) is served besides the stateless era. Set from
    /// the definition (a modern-only transport), not by hand.
    bool session_era = true;
};

/// Where a session's messages go. Implemented by each transport; called from any thread.
class outbound {
public:
    virtual ~outbound() = default;
    /// Sends one serialized message. `related` is the id of the client request it belongs
    /// to (its response, or a notification or request sent while serving it), else null;
    /// `final` is true for that request's response.
    virtual void send(std::string message, const boost::json::value* related, bool final) = 0;
    /// The request `related` ends without a response (the client cancelled it).
    virtual void abandoned(const boost::json::value& related) { (void)related; }
    /// The response to `id` that is a JSON-RPC error with `code` (a transport of the
    /// stateless era maps some codes to HTTP statuses). By default, `send`.
    virtual void send_error_response(std::string message, const boost::json::value& id, int code) {
        (void)code;
        send(std::move(message), &id, true);
    }
};

namespace detail {
// How a stateless-era handler run ends early (not std::exceptions, so that a handler's
// `catch (const std::exception&)` lets them through).
struct input_needed {};                           ///< answers missing: answer input-required
struct capability_needed { std::string name; };   ///< -32021
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
    void receive_text(std::string_view text) {
        if (text.size() > options_.max_message_bytes) {
            send_error(nullptr, failure_value(errc::message_too_large,
                                              "message of " + std::to_string(text.size()) + " bytes exceeds the " +
                                                  std::to_string(options_.max_message_bytes) + "-byte limit"));
            return;
        }
        boost::json::parse_options po{};
        po.max_depth = 64;
        boost::system::error_code ec{};
        boost::json::value v = boost::json::parse(text, ec, {}, po);
        if (ec) {
            send(jsonrpc::make_error(nullptr, jsonrpc::parse_error, "parse error: " + ec.message()), nullptr, true);
            return;
        }
        receive(std::move(v));
    }

    void receive(boost::json::value message) {
        if (auto* batch = message.if_array()) {
            receive_batch(*batch);
            return;
        }
        handle(message, [self = shared_from_this()](const boost::json::value& id, std::optional<boost::json::object> r) {
            if (r)
                self->send_response(*r, id);
            else
                self->out_->abandoned(id);
        });
    }

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

    /// Whether `method` exists in the stateless era on a server offering what `reg` holds
    /// (a feature the server does not offer has no methods).
    static bool offers(const registry& reg, std::string_view method) {
        if (!modern::is_request_method(method)) return false;
        if (method.starts_with("tools/")) return reg.has_tools();
        if (method.starts_with("resources/")) return reg.has_resources();
        if (method.starts_with("prompts/")) return reg.has_prompts();
        if (method == "completion/complete") return reg.has_completions();
        return true;
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
    void notify_list_changed(std::string_view what) {
        const std::string method = "notifications/" + std::string(what) + "/list_changed";
        if (initialized_) send(jsonrpc::make_notification(method, {}), nullptr, false);
        to_listeners([&](const listen_entry& l) -> std::optional<boost::json::object> {
            if ((what == "tools" && l.tools) || (what == "prompts" && l.prompts) || (what == "resources" && l.resources))
                return jsonrpc::make_notification(method, {{"_meta", subscription_meta(l.id)}});
            return std::nullopt;
        });
    }

    /// Sends notifications/resources/updated if the client subscribed to `uri` (session era)
    /// or a subscriptions/listen request names it.
    void notify_resource_updated(std::string_view uri) {
        bool subscribed = false;
        {
            std::lock_guard lock(mutex_);
            subscribed = subscriptions_.contains(uri);
        }
        if (subscribed) send(jsonrpc::make_notification("notifications/resources/updated", {{"uri", uri}}), nullptr, false);
        to_listeners([&](const listen_entry& l) -> std::optional<boost::json::object> {
            if (!l.uris.contains(uri)) return std::nullopt;
            return jsonrpc::make_notification("notifications/resources/updated",
                                              {{"_meta", subscription_meta(l.id)}, {"uri", uri}});
        });
    }

    /// True while a subscriptions/listen request is open.
    bool listening() {
        std::lock_guard lock(listen_mutex_);
        return !listens_.empty();
    }
    /// Ends every open subscriptions/listen request with its result (server shutdown).
    void end_listens() {
        std::lock_guard sending(listen_send_mutex_);
        std::map<std::string, listen_entry, std::less<>> ending;
        {
            std::lock_guard lock(listen_mutex_);
            ending.swap(listens_);
        }
        for (auto& [key, l] : ending) {
            boost::json::object meta = subscription_meta(l.id);
            meta.emplace(modern::meta_server_info, server_info_json());
            send_response(jsonrpc::make_result(l.id, boost::json::object{{"resultType", "complete"}, {"_meta", std::move(meta)}}),
                          l.id);
        }
    }

    /// The key that seals `requestState` (stateless era). By default a random key of this
    /// process (states then open only here); the server installs one from its credentials.
    /// Where per-tool authorization decisions are audited (null: nowhere).
    void set_audit(std::shared_ptr<audit_log> a) { audit_ = std::move(a); }
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

    void receive_batch(boost::json::array& batch) {
        if (batch.empty()) {
            send_error(nullptr, failure_value(errc::invalid_request, "empty batch"));
            return;
        }
        if (!initialized_ || !version_allows_batches(version_)) {
            send_error(nullptr, failure_value(errc::batch_not_supported,
                                              "JSON-RPC batches are not supported by protocol version " +
                                                  (initialized_ ? version_ : std::string("(not negotiated)"))));
            return;
        }
        // Every request (and every invalid message) gets one slot in the batch response.
        // The batch response goes out as one message whose `related` is the array of the
        // batch's request ids.
        struct collector {
            std::mutex mutex{};
            boost::json::array responses{};
            boost::json::value ids = boost::json::array();
            std::size_t remaining = 0;
        };
        auto c = std::make_shared<collector>();
        for (const auto& m : batch) {
            auto k = jsonrpc::classify(m).what;
            if (k == jsonrpc::kind::request) c->ids.get_array().push_back(m.at("id"));
            if (k == jsonrpc::kind::request || k == jsonrpc::kind::invalid) ++c->remaining;
        }
        if (c->remaining == 0) {
            for (auto& m : batch) handle(m, [](const boost::json::value&, std::optional<boost::json::object>) {});
            return;
        }
        auto self = shared_from_this();
        auto reply = [self, c](const boost::json::value&, std::optional<boost::json::object> r) {
            std::unique_lock lock(c->mutex);
            if (r) c->responses.emplace_back(std::move(*r));
            if (--c->remaining == 0) {
                auto text = boost::json::serialize(c->responses);
                lock.unlock();
                if (c->responses.empty())
                    self->out_->abandoned(c->ids);
                else
                    self->out_->send(std::move(text), &c->ids, true);
            }
        };
        for (auto& m : batch) {
            if (const auto* o = m.if_object(); o && modern::claims_modern(*o)) {
                const auto* id = o->if_contains("id");
                reply(id ? *id : boost::json::value(),
                      jsonrpc::make_error(id && jsonrpc::valid_id(*id) ? *id : boost::json::value(),
                                          jsonrpc::invalid_request,
                                          "MCP " + std::string(modern::version) + " has no batches: send it alone"));
                continue;
            }
            if (const auto* o = m.if_object(); o && o->contains("method") && o->at("method") == "initialize") {
                const auto* id = o->if_contains("id");
                reply(id ? *id : boost::json::value(),
                      jsonrpc::make_error(id && jsonrpc::valid_id(*id) ? *id : boost::json::value(),
                                          jsonrpc::invalid_request, "initialize cannot be part of a batch"));
                continue;
            }
            handle(m, reply);
        }
    }

    void handle(boost::json::value& message, const reply_fn& reply) {
        const auto what = jsonrpc::classify(message);
        switch (what.what) {
        case jsonrpc::kind::invalid: {
            boost::json::value id{};
            if (const auto* o = message.if_object())
                if (const auto* i = o->if_contains("id"); i && jsonrpc::valid_id(*i)) id = *i;
            reply(id, jsonrpc::make_error(id, jsonrpc::invalid_request, "invalid request: " + std::string(what.why)));
            return;
        }
        case jsonrpc::kind::response: on_response(message.get_object()); return;
        case jsonrpc::kind::notification: on_notification(message.get_object()); return;
        case jsonrpc::kind::request: on_request(message.get_object(), reply); return;
        }
    }

    static const boost::json::object& params_of(const boost::json::object& msg) {
        static const boost::json::object empty;
        const auto* p = msg.if_contains("params");
        return p && p->is_object() ? p->get_object() : empty;
    }

    void on_notification(const boost::json::object& msg) {
        const auto method = msg.at("method").get_string();
        const auto& params = params_of(msg);
        if (method == "notifications/initialized") {
            client_ready_ = true;
        } else if (method == "notifications/cancelled") {
            const auto* id = params.if_contains("requestId");
            if (!id || !jsonrpc::valid_id(*id)) return;
            {
                std::lock_guard listening(listen_mutex_);
                if (listens_.erase(jsonrpc::id_key(*id))) {
                    out_->abandoned(*id);
                    return;
                }
            }
            std::lock_guard lock(mutex_);
            if (auto it = in_flight_.find(jsonrpc::id_key(*id)); it != in_flight_.end()) {
                it->second->cancelled = true;
                it->second->stop.request_stop();
            }
        } else {
            log_->debug("ignored notification " + std::string(method));
        }
    }

    void on_response(const boost::json::object& msg) {
        const auto& id = msg.at("id");
        if (!id.is_int64()) return;
        std::lock_guard lock(mutex_);
        auto it = pending_.find(id.get_int64());
        if (it == pending_.end()) {
            log_->debug("ignored a response to an unknown request id");
            return;
        }
        it->second->answer = msg;
        changed_.notify_all();
    }

    void on_request(boost::json::object& msg, const reply_fn& reply) {
        const boost::json::value& id = msg.at("id");
        const std::string_view method = msg.at("method").get_string();
        const auto& params = params_of(msg);
        auto fail = [&](errc c, std::string detail) { reply(id, jsonrpc::make_error(id, failure_value(c, std::move(detail)))); };

        if (modern::claims_modern(msg)) return on_modern_request(msg, reply);
        if (!options_.session_era) {
            // A modern-only server: name what it serves, so that an older client can tell.
            boost::json::object data{{"supported", boost::json::array{modern::version}}};
            if (const auto* v = params.if_contains("protocolVersion"); v && v->is_string()) data.emplace("requested", *v);
            return reply(id, jsonrpc::make_error(id, modern::unsupported_protocol_version,
                                                 "this server serves MCP " + std::string(modern::version) +
                                                     " only: send params._meta with \"" +
                                                     std::string(modern::meta_protocol_version) + "\"",
                                                 std::move(data)));
        }
        if (method == "initialize") return reply(id, answer(id, initialize(params)));
        if (method == "ping") return reply(id, jsonrpc::make_result(id, boost::json::object{}));
        if (!initialized_) return fail(errc::not_initialized, "send initialize before " + std::string(method));

        if (method == "tools/list") return reply(id, answer(id, list_page("tools", params, &registry::list_tools)));
        if (method == "resources/list")
            return reply(id, answer(id, list_page("resources", params, &registry::list_resources)));
        if (method == "resources/templates/list")
            return reply(id, answer(id, list_page("resourceTemplates", params, &registry::list_templates)));
        if (method == "prompts/list") return reply(id, answer(id, list_page("prompts", params, &registry::list_prompts)));
        if (method == "logging/setLevel") return reply(id, answer(id, set_level(params)));
        if (method == "resources/subscribe") return reply(id, answer(id, subscribe(params, true)));
        if (method == "resources/unsubscribe") return reply(id, answer(id, subscribe(params, false)));

        const auto [handler, run_inline] = handler_for(method, params);
        if (!handler) return reply(id, jsonrpc::make_error(id, jsonrpc::method_not_found,
                                                            "method not found: " + std::string(method)));
        run_handler(id, msg, handler, reply, run_inline, nullptr);
    }

    /// The handler of a method that runs one (null for others), and whether it may run on
    /// the receiving thread (a tool declared never to block).
    std::pair<handler_fn, bool> handler_for(std::string_view method, const boost::json::object& params) const {
        if (method == "tools/call") {
            bool run_inline = false;
            if (const auto* name = params.if_contains("name"); name && name->is_string())
                if (auto tool = registry_->find_tool(name->get_string())) run_inline = tool->run_inline;
            return {&session::call_tool, run_inline};
        }
        if (method == "resources/read") return {&session::read_resource, false};
        if (method == "prompts/get") return {&session::get_prompt, false};
        if (method == "completion/complete") return {&session::complete_argument, false};
        return {nullptr, false};
    }

    // ---- the stateless era (2026-07-28) ----

    const std::vector<std::string>& supported() const {
        return modern::supported_list(options_.session_era, supported_versions);
    }


    void on_modern_request(boost::json::object& msg, const reply_fn& reply) {
        const boost::json::value& id = msg.at("id");
        const std::string_view method = msg.at("method").get_string();
        const auto& params = params_of(msg);
        auto env = modern::read_envelope(params, supported());
        if (auto* rej = std::get_if<modern::rejection>(&env))
            return reply(id, jsonrpc::make_error(id, rej->code, rej->message, std::move(rej->data)));
        if (!offers(*registry_, method))
            return reply(id, jsonrpc::make_error(id, jsonrpc::method_not_found, "method not found: " + std::string(method)));
        const cache_hint* lists = &options_.list_cache;
        auto done = [&](result<boost::json::object> r, const cache_hint* hint) {
            if (!r) return reply(id, jsonrpc::make_error(id, r.error()));
            reply(id, jsonrpc::make_result(id, complete(std::move(r).value(), hint)));
        };
        if (method == "server/discover") return done(discover(), lists);
        if (method == "tools/list") return done(list_page("tools", params, &registry::list_tools), lists);
        if (method == "resources/list") return done(list_page("resources", params, &registry::list_resources), lists);
        if (method == "resources/templates/list")
            return done(list_page("resourceTemplates", params, &registry::list_templates), lists);
        if (method == "prompts/list") return done(list_page("prompts", params, &registry::list_prompts), lists);
        if (method == "subscriptions/listen") return listen(id, params, reply);

        auto call = std::make_shared<modern_call>();
        call->env = std::move(std::get<modern::envelope>(env));
        if (modern::may_require_input(method)) {
            // Answers gathered in earlier rounds travel sealed in requestState.
            if (const auto* st = params.if_contains("requestState"); st && !st->is_null()) {
                auto fail_state = [&] {
                    reply(id, jsonrpc::make_error(id, jsonrpc::invalid_params, "requestState is not valid for this request"));
                };
                if (!st->is_string()) return fail_state();
                auto opened = sealer_->open(state_binding(method, params), st->get_string());
                if (!opened) return fail_state();
                auto doc = warden::detail::parse_strict_json(opened.value());
                if (!doc || !doc.value().is_object()) return fail_state();
                const auto& o = doc.value().as_object();
                const auto* answers = o.if_contains("answers");
                const auto* round = o.if_contains("round");
                if (!answers || !answers->is_object() || !round || !round->is_int64()) return fail_state();
                call->answers = answers->get_object();
                call->round = round->get_int64();
                call->presented_state = std::string(st->get_string());
            }
            if (const auto* in = params.if_contains("inputResponses"); in && !in->is_null()) {
                if (!in->is_object())
                    return reply(id, jsonrpc::make_error(id, jsonrpc::invalid_params, "\"inputResponses\" must be an object"));
                for (const auto& kv : in->get_object()) call->answers[kv.key()] = kv.value();
            }
        }
        const auto [handler, run_inline] = handler_for(method, params);
        run_handler(id, msg, handler, reply, run_inline, std::move(call));
    }

    request_state_binding state_binding(std::string_view method, const boost::json::object& params) const {
        return {caller_binding(*caller()), std::string(method), params_digest(params)};
    }

    /// A complete result of this era: resultType, the server in _meta, and cache hints for
    /// the results that take them.
    boost::json::object complete(boost::json::object r, const cache_hint* hint) const {
        r["resultType"] = "complete";
        if (hint) add_cache_hint(r, *hint);
        add_server_meta(r);
        return r;
    }
    static void add_cache_hint(boost::json::object& r, const cache_hint& hint) {
        r["ttlMs"] = std::max<std::int64_t>(0, hint.ttl.count());
        r["cacheScope"] = hint.scope == cache_scope::everyone ? "public" : "private";
    }
    void add_server_meta(boost::json::object& r) const {
        auto& meta = r["_meta"];
        if (!meta.is_object()) meta = boost::json::object{};
        meta.get_object()[modern::meta_server_info] = server_info_json();
    }
    boost::json::object server_info_json() const {
        boost::json::object server{};
        server.emplace("name", info_->name);
        server.emplace("version", info_->version);
        if (!info_->title.empty()) server.emplace("title", info_->title);
        return server;
    }
    static boost::json::object subscription_meta(const boost::json::value& id) {
        return boost::json::object{{modern::meta_subscription_id, id}};
    }

    result<boost::json::object> discover() {
        boost::json::array versions{};
        for (const auto& v : supported()) versions.emplace_back(v);
        boost::json::object out{};
        out.emplace("supportedVersions", std::move(versions));
        out.emplace("capabilities", server_capabilities());
        if (!info_->instructions.empty()) out.emplace("instructions", info_->instructions);
        return out;
    }

    /// subscriptions/listen: stays open; acknowledged at once with what is honoured.
    void listen(const boost::json::value& id, const boost::json::object& params, const reply_fn& reply) {
        const auto* n = params.if_contains("notifications");
        if (!n || !n->is_object())
            return reply(id, jsonrpc::make_error(id, jsonrpc::invalid_params,
                                                 "subscriptions/listen needs a \"notifications\" object"));
        const auto& asked = n->get_object();
        listen_entry l{id};
        boost::json::object honoured{};
        auto flag = [&](std::string_view name, bool offered, bool& into) {
            const auto* v = asked.if_contains(name);
            if (v && v->is_bool() && v->get_bool() && offered) {
                into = true;
                honoured.emplace(name, true);
            }
        };
        flag("toolsListChanged", registry_->has_tools(), l.tools);
        flag("promptsListChanged", registry_->has_prompts(), l.prompts);
        flag("resourcesListChanged", registry_->has_resources(), l.resources);
        if (const auto* u = asked.if_contains("resourceSubscriptions"); u && u->is_array() && registry_->has_resources()) {
            boost::json::array kept{};
            for (const auto& x : u->get_array())
                if (x.is_string() && l.uris.insert(std::string(x.get_string())).second) kept.push_back(x);
            honoured.emplace("resourceSubscriptions", std::move(kept));
        }
        const auto key = jsonrpc::id_key(id);
        // The acknowledgement goes out before any notification of this listen: notifiers
        // send under listen_send_mutex_ too, after they chose their listens.
        std::lock_guard sending(listen_send_mutex_);
        {
            std::lock_guard lock(listen_mutex_);
            std::optional<error> refused;
            {
                std::lock_guard state(mutex_);
                if (closed_)
                    refused = failure_value(errc::closed, "session is closing");
                else if (listens_.contains(key) || in_flight_.contains(key))
                    refused = failure_value(errc::duplicate_request_id, "request id " + key + " is already in flight");
                else if (listens_.size() + in_flight_.size() >= options_.max_in_flight)
                    refused = failure_value(errc::overloaded, "too many requests in flight");
            }
            if (refused) return reply(id, jsonrpc::make_error(id, *refused));
            listens_.emplace(key, std::move(l));
        }
        boost::json::object ack{};
        ack.emplace("_meta", subscription_meta(id));
        ack.emplace("notifications", std::move(honoured));
        send(jsonrpc::make_notification("notifications/subscriptions/acknowledged", std::move(ack)), &id, false);
    }

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

    boost::json::object answer(const boost::json::value& id, result<boost::json::object> r) {
        if (!r) return jsonrpc::make_error(id, r.error());
        return jsonrpc::make_result(id, std::move(r).value());
    }

    /// Runs a handler request on the worker executor (or, for a tool that never blocks, on
    /// this thread), tracking it in flight. Takes `msg` over.
    void run_handler(const boost::json::value& id, boost::json::object& msg, handler_fn handler, const reply_fn& reply,
                     bool run_inline, std::shared_ptr<modern_call> call) {
        auto key = jsonrpc::id_key(id);
        auto f = std::make_shared<flight>();
        std::optional<error> refused;
        {
            std::lock_guard listening(listen_mutex_);
            std::lock_guard lock(mutex_);
            if (closed_)
                refused = failure_value(errc::closed, "session is closing");
            else if (in_flight_.contains(key) || listens_.contains(key))
                refused = failure_value(errc::duplicate_request_id, "request id " + key + " is already in flight");
            else if (in_flight_.size() >= options_.max_in_flight)
                refused = failure_value(errc::overloaded, "too many requests in flight");
            else
                in_flight_.emplace(key, f);
        }
        if (refused) return reply(id, jsonrpc::make_error(id, *refused));
        auto owned = std::make_shared<const boost::json::object>(std::move(msg));
        auto who = caller(); // the caller as this request proved it, whatever later requests bring
        if (run_inline) return execute(owned, key, f, handler, reply, call, who);
        boost::asio::post(workers_, [self = shared_from_this(), owned = std::move(owned), key = std::move(key), f,
                                     handler, reply, call = std::move(call), who = std::move(who)]() {
            self->execute(owned, key, f, handler, reply, call, who);
        });
    }

    void execute(const std::shared_ptr<const boost::json::object>& msg, const std::string& key,
                 const std::shared_ptr<flight>& f, handler_fn handler, const reply_fn& reply,
                 const std::shared_ptr<modern_call>& call, const std::shared_ptr<const principal>& who) {
        const auto& id = msg->at("id");
        const auto& params = params_of(*msg);
        boost::json::value token{};
        if (const auto* meta = params.if_contains("_meta"); meta && meta->is_object())
            if (const auto* t = meta->get_object().if_contains("progressToken");
                t && (t->is_string() || t->is_int64() || t->is_uint64()))
                token = *t;
        boost::json::object response{};
        const auto started = std::chrono::steady_clock::now();
        if (!call) {
            call_context ctx(*this, *who, *credentials_, id, std::move(token), f->stop.get_token());
            result<boost::json::object> r = failure(errc::internal_error);
            try {
                r = (this->*handler)(params, ctx);
            } catch (const std::exception& e) {
                log_->error(std::string(msg->at("method").get_string()) + " failed: " + e.what());
                r = failure(errc::internal_error, "internal error");
            }
            response = answer(id, std::move(r));
        } else {
            response = execute_modern(*msg, *call, *who, handler, std::move(token), f->stop.get_token());
        }
        count_request(*msg, response, std::chrono::steady_clock::now() - started);
        bool cancelled = false;
        {
            std::lock_guard lock(mutex_);
            cancelled = f->cancelled;
            in_flight_.erase(key);
            changed_.notify_all();
        }
        if (cancelled)
            reply(id, std::nullopt);
        else
            reply(id, std::move(response));
    }

    /// Counts a handled request and its duration in the metrics, by method and (for a
    /// registered tool) tool name: names clients make up never become labels.
    void count_request(const boost::json::object& msg, const boost::json::object& response,
                       std::chrono::steady_clock::duration took) const {
        const std::string_view method = msg.at("method").get_string();
        std::string_view tool{};
        if (method == "tools/call")
            if (const auto* n = params_of(msg).if_contains("name"); n && n->is_string())
                if (registry_->find_tool(n->get_string())) tool = n->get_string();
        std::string_view outcome = "ok";
        if (response.contains("error")) {
            outcome = "error";
        } else if (const auto* r = response.if_contains("result"); r && r->is_object()) {
            const auto& o = r->get_object();
            if (const auto* e = o.if_contains("isError"); e && e->is_bool() && e->get_bool()) outcome = "tool_error";
            else if (const auto* t = o.if_contains("resultType"); t && *t == "input_required") outcome = "input_required";
        }
        auto& m = metrics::global();
        m.requests.with({method, tool, outcome}).inc();
        m.request_duration.with({method, tool}).observe(std::chrono::duration<double>(took).count());
    }

    /// Runs a stateless-era handler: a complete result, an input-required result (answers
    /// missing), or the era's errors.
    boost::json::object execute_modern(const boost::json::object& msg, modern_call& call, const principal& who,
                                       handler_fn handler, boost::json::value token, std::stop_token stop) {
        const auto& id = msg.at("id");
        const std::string_view method = msg.at("method").get_string();
        const auto& params = params_of(msg);
        modern_link link(*this, call);
        call_context ctx(link, who, *credentials_, id, std::move(token), std::move(stop));
        result<boost::json::object> r = failure(errc::internal_error);
        try {
            r = (this->*handler)(params, ctx);
        } catch (const detail::input_needed&) {
            return input_required(id, method, params, call);
        } catch (const detail::capability_needed& c) {
            return jsonrpc::make_error(
                id, modern::missing_client_capability,
                "this request needs the client capability \"" + c.name + "\", which the request does not declare",
                boost::json::object{{"requiredCapabilities", boost::json::object{{c.name, boost::json::object{}}}}});
        } catch (const detail::input_malformed& m) {
            return jsonrpc::make_error(id, jsonrpc::invalid_params, m.message);
        } catch (const std::exception& e) {
            log_->error(std::string(method) + " failed: " + e.what());
            r = failure(errc::internal_error, "internal error");
        }
        // A handler that swallowed the stop (`catch (...)`) still asked for input: the
        // client answers first, whatever the handler made of the missing answer.
        if (!call.requested.empty()) return input_required(id, method, params, call);
        if (r) return jsonrpc::make_result(id, complete(std::move(r).value(), nullptr));
        if (r.error().code == make_error_code(errc::resource_not_found)) {
            boost::json::object data{};
            if (const auto* u = params.if_contains("uri")) data.emplace("uri", *u);
            return jsonrpc::make_error(id, jsonrpc::invalid_params, "Resource not found", std::move(data));
        }
        return jsonrpc::make_error(id, r.error());
    }

    /// The input-required result: what the handler asked for, and everything answered so
    /// far sealed in requestState for the retry.
    boost::json::object input_required(const boost::json::value& id, std::string_view method,
                                       const boost::json::object& params, const modern_call& call) {
        boost::json::object state{};
        state.emplace("answers", call.answers);
        state.emplace("round", call.round + 1);
        auto sealed = sealer_->seal(state_binding(method, params), boost::json::serialize(state));
        if (sealed.size() > request_state_sealer::max_sealed_size) // the retry could never open it
            return jsonrpc::make_error(id, jsonrpc::internal_error,
                                       "the answers gathered so far are too large to carry in requestState");
        boost::json::object r{};
        r.emplace("resultType", "input_required");
        if (!call.requested.empty()) r.emplace("inputRequests", call.requested);
        r.emplace("requestState", std::move(sealed));
        add_server_meta(r);
        return jsonrpc::make_result(id, std::move(r));
    }

    // ---- lifecycle ----

    result<boost::json::object> initialize(const boost::json::object& params) {
        const auto* requested = params.if_contains("protocolVersion");
        if (!requested || !requested->is_string())
            return failure(errc::invalid_params, "initialize needs a string \"protocolVersion\"");
        if (const auto* caps = params.if_contains("capabilities"); caps && !caps->is_object())
            return failure(errc::invalid_params, "\"capabilities\" must be an object");
        bool expected = false;
        if (!initializing_.compare_exchange_strong(expected, true))
            return failure(errc::already_initialized, "this session is already initialized");
        const std::string_view want = requested->get_string();
        version_ = is_supported_version(want) ? std::string(want) : std::string(supported_versions.front());
        if (const auto* caps = params.if_contains("capabilities")) client_capabilities_ = caps->get_object();
        if (const auto* ci = params.if_contains("clientInfo"); ci && ci->is_object()) {
            const auto* name = ci->get_object().if_contains("name");
            log_->info("session initialized: client " +
                       (name && name->is_string() ? std::string(name->get_string()) : std::string("(unnamed)")) +
                       ", protocol " + version_);
        }

        boost::json::object out{};
        out.emplace("protocolVersion", version_);
        out.emplace("capabilities", server_capabilities());
        out.emplace("serverInfo", server_info_json());
        if (!info_->instructions.empty()) out.emplace("instructions", info_->instructions);
        initialized_ = true;
        return out;
    }

    /// What the server offers, in both eras (the same on every connection).
    boost::json::object server_capabilities() const {
        boost::json::object caps{};
        caps.emplace("logging", boost::json::object{});
        if (registry_->has_completions()) caps.emplace("completions", boost::json::object{});
        if (registry_->has_prompts()) caps.emplace("prompts", boost::json::object{{"listChanged", true}});
        if (registry_->has_resources())
            caps.emplace("resources", boost::json::object{{"subscribe", true}, {"listChanged", true}});
        if (registry_->has_tools()) caps.emplace("tools", boost::json::object{{"listChanged", true}});
        return caps;
    }

    result<boost::json::object> list_page(std::string_view member, const boost::json::object& params,
                                          registry::page (registry::*list)(std::size_t, std::size_t) const) {
        std::size_t offset = 0;
        if (const auto* c = params.if_contains("cursor"); c && !c->is_null()) {
            if (!c->is_string()) return failure(errc::invalid_params, "\"cursor\" must be a string");
            const auto s = c->get_string();
            if (!warden::detail::parse_decimal(std::string_view(s), offset))
                return failure(errc::invalid_params, "invalid cursor");
        }
        auto page = ((*registry_).*list)(offset, options_.page_size);
        boost::json::object out{};
        out.emplace(member, std::move(page.items));
        if (page.next) out.emplace("nextCursor", std::to_string(*page.next));
        return out;
    }

    result<boost::json::object> set_level(const boost::json::object& params) {
        const auto* level = params.if_contains("level");
        std::optional<log_level> l{};
        if (level && level->is_string()) l = parse_log_level(level->get_string());
        if (!l) return failure(errc::invalid_params, "\"level\" must be one of debug, info, notice, warning, error, "
                                                     "critical, alert, emergency");
        client_level_ = static_cast<int>(*l);
        return boost::json::object{};
    }

    result<boost::json::object> subscribe(const boost::json::object& params, bool on) {
        const auto* uri = params.if_contains("uri");
        if (!uri || !uri->is_string()) return failure(errc::invalid_params, "\"uri\" must be a string");
        const std::string u(uri->get_string());
        if (on && !registry_->find_resource(u) && !registry_->match_template(u).first)
            return failure(errc::resource_not_found, "resource not found: " + u);
        std::lock_guard lock(mutex_);
        if (on)
            subscriptions_.insert(u);
        else
            subscriptions_.erase(u);
        return boost::json::object{};
    }

    // ---- handlers (worker threads) ----

    result<boost::json::object> call_tool(const boost::json::object& params, call_context& ctx) {
        const auto* name = params.if_contains("name");
        if (!name || !name->is_string()) return failure(errc::invalid_params, "tools/call needs a string \"name\"");
        static const boost::json::object no_arguments;
        const boost::json::object* args = &no_arguments;
        if (const auto* a = params.if_contains("arguments"); a && !a->is_null()) {
            if (!a->is_object()) return failure(errc::invalid_params, "\"arguments\" must be an object");
            args = &a->get_object();
        }
        auto tool = registry_->find_tool(name->get_string());
        if (!tool) return failure(errc::invalid_params, "unknown tool: " + std::string(name->get_string()));
        if (auto why = registry_->refusal(*tool, ctx.caller())) {
            record_authorization(audit_.get(), ctx.caller(), name->get_string(), false, &ctx.request_id());
            return failure(errc::insufficient_scope, std::move(*why));
        }
        record_authorization(audit_.get(), ctx.caller(), name->get_string(), true, &ctx.request_id());
        tool_result r;
        try {
            r = tool->handler(*args, ctx);
        } catch (const tool_error& e) {
            r = tool_result::error(e.what());
        } catch (const std::exception& e) {
            log_->error("tool " + std::string(name->get_string()) + " threw: " + e.what());
            r = tool_result::error("tool \"" + std::string(name->get_string()) + "\" failed");
        }
        if (!r.is_error && !r.structured && tool->definition.contains("outputSchema")) {
            log_->error("tool " + std::string(name->get_string()) + " declares an output schema and returned no "
                        "structured content");
            r = tool_result::error("tool \"" + std::string(name->get_string()) + "\" returned no structured content");
        }
        return r.to_json();
    }

    static boost::json::object contents_json(const std::vector<resource_contents>& items) {
        boost::json::array a{};
        for (const auto& c : items) a.emplace_back(c.to_json());
        return boost::json::object{{"contents", std::move(a)}};
    }

    result<boost::json::object> read_resource(const boost::json::object& params, call_context& ctx) {
        const auto* uri = params.if_contains("uri");
        if (!uri || !uri->is_string()) return failure(errc::invalid_params, "resources/read needs a string \"uri\"");
        const std::string u(uri->get_string());
        auto with_hint = [&](boost::json::object out, const std::optional<cache_hint>& hint) {
            if (ctx.stateless()) add_cache_hint(out, hint.value_or(options_.resource_cache));
            return out;
        };
        if (auto r = registry_->find_resource(u)) return with_hint(contents_json(r->handler(u, ctx)), r->cache);
        if (auto [t, vars] = registry_->match_template(u); t)
            return with_hint(contents_json(t->handler(u, vars, ctx)), t->cache);
        return failure(errc::resource_not_found, "resource not found: " + u);
    }

    result<boost::json::object> get_prompt(const boost::json::object& params, call_context& ctx) {
        const auto* name = params.if_contains("name");
        if (!name || !name->is_string()) return failure(errc::invalid_params, "prompts/get needs a string \"name\"");
        auto prompt = registry_->find_prompt(name->get_string());
        if (!prompt) return failure(errc::invalid_params, "unknown prompt: " + std::string(name->get_string()));
        prompt_arguments args{};
        if (const auto* a = params.if_contains("arguments"); a && !a->is_null()) {
            if (!a->is_object()) return failure(errc::invalid_params, "\"arguments\" must be an object");
            for (const auto& kv : a->get_object()) {
                if (!kv.value().is_string())
                    return failure(errc::invalid_params, "prompt argument \"" + std::string(kv.key()) +
                                                             "\" must be a string");
                args.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
            }
        }
        for (const auto& declared : prompt->arguments)
            if (declared.required && !args.contains(declared.name))
                return failure(errc::invalid_params, "missing required prompt argument \"" + declared.name + "\"");
        for (const auto& [k, v] : args) {
            bool known = false;
            for (const auto& declared : prompt->arguments) known = known || declared.name == k;
            if (!known) return failure(errc::invalid_params, "unknown prompt argument \"" + k + "\"");
        }
        return prompt->handler(args, ctx).to_json();
    }

    result<boost::json::object> complete_argument(const boost::json::object& params, call_context&) {
        const auto* ref = params.if_contains("ref");
        const auto* argument = params.if_contains("argument");
        if (!ref || !ref->is_object() || !argument || !argument->is_object())
            return failure(errc::invalid_params, "completion/complete needs \"ref\" and \"argument\" objects");
        const auto* type = ref->get_object().if_contains("type");
        const auto* arg_name = argument->get_object().if_contains("name");
        const auto* arg_value = argument->get_object().if_contains("value");
        if (!type || !type->is_string() || !arg_name || !arg_name->is_string() || !arg_value || !arg_value->is_string())
            return failure(errc::invalid_params, "completion/complete: bad \"ref\" or \"argument\"");
        std::string kind{};
        std::string target{};
        if (type->get_string() == "ref/prompt") {
            const auto* n = ref->get_object().if_contains("name");
            if (!n || !n->is_string()) return failure(errc::invalid_params, "ref/prompt needs a \"name\"");
            target = std::string(n->get_string());
            auto prompt = registry_->find_prompt(target);
            if (!prompt) return failure(errc::invalid_params, "unknown prompt: " + target);
            kind = "prompt";
        } else if (type->get_string() == "ref/resource") {
            const auto* u = ref->get_object().if_contains("uri");
            if (!u || !u->is_string()) return failure(errc::invalid_params, "ref/resource needs a \"uri\"");
            target = std::string(u->get_string());
            if (!registry_->find_template(target) && !registry_->find_resource(target))
                return failure(errc::invalid_params, "unknown resource template: " + target);
            kind = "resource";
        } else {
            return failure(errc::invalid_params, "unknown ref type");
        }
        completion_request req{std::string(arg_name->get_string()), std::string(arg_value->get_string()), {}};
        if (const auto* c = params.if_contains("context"); c && c->is_object())
            if (const auto* a = c->get_object().if_contains("arguments"); a && a->is_object())
                for (const auto& kv : a->get_object())
                    if (kv.value().is_string())
                        req.context.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
        std::vector<std::string> values{};
        if (auto h = registry_->find_completion(kind, target, req.argument)) values = (*h)(req);
        constexpr std::size_t max_values = 100; // the spec's cap per response
        const std::size_t total = values.size();
        if (values.size() > max_values) values.resize(max_values);
        boost::json::array a{};
        for (auto& v : values) a.emplace_back(v);
        boost::json::object completion{};
        completion.emplace("values", std::move(a));
        completion.emplace("total", total);
        completion.emplace("hasMore", total > max_values);
        return boost::json::object{{"completion", std::move(completion)}};
    }

    // ---- request_link: what call_context uses ----

    void notify(boost::json::object message, const boost::json::value& related) override {
        send(message, &related, false);
    }

    result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                             std::optional<std::chrono::milliseconds> timeout,
                                                             std::stop_token stop,
                                                             const boost::json::value& related) override {
        for (const auto& r : requests)
            if (!r.capability.empty() && !client_capabilities_.contains(r.capability))
                return failure(errc::capability_missing,
                               "the client did not declare the \"" + r.capability + "\" capability");
        std::vector<boost::json::object> out;
        out.reserve(requests.size());
        for (auto& r : requests) {
            auto a = client_request(r.method, std::move(r.params), timeout, stop, related);
            if (!a) return a.error();
            out.push_back(std::move(a).value());
        }
        return out;
    }

    result<boost::json::object> client_request(std::string_view method, boost::json::object params,
                                               std::optional<std::chrono::milliseconds> timeout, std::stop_token stop,
                                               const boost::json::value& related) {
        auto p = std::make_shared<pending_request>();
        std::int64_t id = 0;
        {
            std::lock_guard lock(mutex_);
            if (closed_) return failure(errc::closed, "session is closed");
            id = ++next_request_id_;
            pending_.emplace(id, p);
        }
        send(jsonrpc::make_request(id, method, std::move(params)), &related, false);
        const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(options_.client_request_timeout);
        std::unique_lock lock(mutex_);
        const bool answered =
            changed_.wait_until(lock, stop, deadline, [&] { return p->answer.has_value() || closed_; });
        pending_.erase(id);
        const bool closed = closed_;
        lock.unlock();
        if (!answered || (!p->answer && !closed)) {
            // Tell the client we no longer want the answer.
            send(jsonrpc::make_notification("notifications/cancelled",
                                            {{"requestId", id},
                                             {"reason", stop.stop_requested() ? "cancelled" : "timed out"}}),
                 &related, false);
            if (stop.stop_requested()) return failure(errc::cancelled, std::string(method) + " was cancelled");
            return failure(errc::timeout, std::string(method) + ": the client did not answer in time");
        }
        if (!p->answer) return failure(errc::closed, "session closed while waiting for " + std::string(method));
        if (const auto* err = p->answer->if_contains("error")) {
            std::string text = "the client answered " + std::string(method) + " with an error";
            if (const auto* m = err->is_object() ? err->get_object().if_contains("message") : nullptr;
                m && m->is_string())
                text += ": " + std::string(m->get_string());
            return failure(errc::client_error, std::move(text));
        }
        const auto& r = p->answer->at("result");
        if (!r.is_object()) return failure(errc::client_error, std::string(method) + ": result is not an object");
        return r.get_object();
    }

    log_level client_log_level() const override { return static_cast<log_level>(client_level_.load()); }
    const boost::json::object& client_capabilities() const override { return client_capabilities_; }
    std::string_view protocol_version() const override { return version_; }

    /// A stateless-era request as its handler sees it: answers from the request itself.
    class modern_link final : public detail::request_link {
    public:
        modern_link(session& s, modern_call& call) : session_(s), call_(call) {}
        void notify(boost::json::object message, const boost::json::value& related) override {
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
                    if (auto why = malformed(r.method, *a))
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
        /// Why `answer` cannot be the client's result of `method`, or nothing.
        static std::optional<std::string> malformed(std::string_view method, const boost::json::value& answer) {
            if (!answer.is_object()) return "must be an object";
            const auto& a = answer.get_object();
            if (method == "elicitation/create") {
                const auto* action = a.if_contains("action");
                if (!action || !action->is_string() ||
                    (action->get_string() != "accept" && action->get_string() != "decline" &&
                     action->get_string() != "cancel"))
                    return "\"action\" must be accept, decline or cancel";
                if (const auto* c = a.if_contains("content"); c && !c->is_object()) return "\"content\" must be an object";
            } else if (method == "sampling/createMessage") {
                const auto* content = a.if_contains("content");
                if (!content || (!content->is_object() && !content->is_array())) return "\"content\" is missing";
            } else if (method == "roots/list") {
                const auto* roots = a.if_contains("roots");
                if (!roots || !roots->is_array()) return "\"roots\" must be an array";
            }
            return std::nullopt;
        }
        session& session_;
        modern_call& call_;
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
    std::mutex listen_send_mutex_{}; // orders an acknowledgement before its notifications; taken first
    std::mutex listen_mutex_{};      // taken before mutex_ when both are
    std::map<std::string, listen_entry, std::less<>> listens_{};
};

} // namespace mcp
} // namespace warden
