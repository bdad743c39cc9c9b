// warden/mcp/impl/session_dispatch.hpp: `session`: taking messages (text, batches), routing
// requests, notifications and responses, running handlers on the workers, and counting requests.
// Included by warden/mcp/session.hpp.
#pragma once

#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>
#include <warden/detail/json_arena.hpp>

namespace warden::mcp {

WARDEN_DECL void session::receive_text(std::string_view text) {
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

WARDEN_DECL void session::receive(boost::json::value message) {
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

WARDEN_DECL void session::receive_batch(boost::json::array& batch) {
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

WARDEN_DECL void session::handle(boost::json::value& message, const reply_fn& reply) {
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

WARDEN_DECL void session::on_notification(const boost::json::object& msg) {
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

WARDEN_DECL void session::on_response(const boost::json::object& msg) {
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

WARDEN_DECL void session::on_request(boost::json::object& msg, const reply_fn& reply) {
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

    if (method == "tools/list") return reply(id, answer(id, list_page("tools", params)));
    if (method == "resources/list")
        return reply(id, answer(id, list_page("resources", params)));
    if (method == "resources/templates/list")
        return reply(id, answer(id, list_page("resourceTemplates", params)));
    if (method == "prompts/list") return reply(id, answer(id, list_page("prompts", params)));
    if (method == "logging/setLevel") return reply(id, answer(id, set_level(params)));
    if (method == "resources/subscribe") return reply(id, answer(id, subscribe(params, true)));
    if (method == "resources/unsubscribe") return reply(id, answer(id, subscribe(params, false)));

    const auto [handler, run_inline] = handler_for(method, params);
    if (!handler) return reply(id, jsonrpc::make_error(id, jsonrpc::method_not_found,
                                                        "method not found: " + std::string(method)));
    run_handler(id, msg, handler, reply, run_inline, nullptr);
}

WARDEN_DECL std::pair<session::handler_fn, bool> session::handler_for(std::string_view method, const boost::json::object& params) const {
    if (method == "tools/call") {
        bool run_inline = false;
        if (const auto* name = params.if_contains("name"); name && name->is_string())
            if (auto tool = registry_->find_tool(name->get_string())) run_inline = tool->run_inline;
        return {&session::call_tool, run_inline};
    }
    if (method == "resources/read") return {&session::read_resource, false};
    if (method == "prompts/get") return {&session::get_prompt, false};
    if (method == "completion/complete") return {&session::complete_argument, false};
    if (tasks_) {
        if (method == "tasks/get") return {&session::get_task, false};
        if (method == "tasks/update") return {&session::update_task, false};
        if (method == "tasks/cancel") return {&session::cancel_task, false};
    }
    return {nullptr, false};
}

WARDEN_DECL boost::json::object session::answer(const boost::json::value& id, result<boost::json::object> r) {
    if (!r) return jsonrpc::make_error(id, r.error());
    return jsonrpc::make_result(id, std::move(r).value());
}

WARDEN_DECL void session::run_handler(const boost::json::value& id, boost::json::object& msg, handler_fn handler, const reply_fn& reply,
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

WARDEN_DECL void session::execute(const std::shared_ptr<const boost::json::object>& msg, const std::string& key,
             const std::shared_ptr<flight>& f, handler_fn handler, const reply_fn& reply,
             const std::shared_ptr<modern_call>& call, const std::shared_ptr<const principal>& who) {
    auto response = invoke(*msg, handler, call.get(), *who, f->stop.get_token());
    bool cancelled = false;
    {
        std::lock_guard lock(mutex_);
        cancelled = f->cancelled;
        in_flight_.erase(key);
        changed_.notify_all();
    }
    const auto& id = msg->at("id");
    if (cancelled)
        reply(id, std::nullopt);
    else
        reply(id, std::move(response));
}

WARDEN_DECL boost::json::object session::invoke(const boost::json::object& msg, handler_fn handler, modern_call* call,
                                                const principal& who, std::stop_token stop, direct_reply* sink,
                                                std::string_view version) {
    const auto& id = msg.at("id");
    const auto& params = params_of(msg);
    boost::json::value token{};
    if (const auto* meta = params.if_contains("_meta"); meta && meta->is_object())
        if (const auto* t = meta->get_object().if_contains("progressToken");
            t && (t->is_string() || t->is_int64() || t->is_uint64()))
            token = *t;
    boost::json::object response{};
    const auto started = std::chrono::steady_clock::now();
    if (call) {
        response = execute_modern(msg, *call, who, handler, std::move(token), std::move(stop), sink);
    } else {
        std::optional<direct_link> direct;
        if (sink) direct.emplace(*sink, version);
        call_context ctx(direct ? static_cast<detail::request_link&>(*direct) : *this, who, *credentials_, id,
                         std::move(token), std::move(stop));
        result<boost::json::object> r = failure(errc::internal_error);
        std::optional<boost::json::object> refused;
        try {
            r = (this->*handler)(params, ctx);
        } catch (const detail::capability_needed& c) {
            refused = missing_capability(id, c);
        } catch (const std::exception& e) {
            log_->error(std::string(msg.at("method").get_string()) + " failed: " + e.what());
            r = failure(errc::internal_error, "internal error");
        }
        response = refused ? std::move(*refused) : answer(id, std::move(r));
    }
    count_request(msg, response, std::chrono::steady_clock::now() - started);
    return response;
}

WARDEN_DECL bool session::answer_here(boost::json::object& msg, const principal& who, std::string_view version,
                                      direct_reply& out) {
    const auto* m = msg.if_contains("method");
    const auto* i = msg.if_contains("id");
    if (!m || !m->is_string() || !i || !jsonrpc::valid_id(*i)) return false;
    const std::string_view method = m->get_string();
    const auto& params = params_of(msg);
    const auto [handler, run_inline] = handler_for(method, params);
    if (!handler || !run_inline) return false;
    const auto& id = *i;
    boost::json::object response{};
    if (modern::claims_modern(msg)) {
        modern_call call{};
        if (auto refused = open_modern_call(id, method, params, who, call))
            response = std::move(*refused);
        else
            response = invoke(msg, handler, &call, who, {}, &out);
    } else {
        if (!options_.session_era) return false;
        response = invoke(msg, handler, nullptr, who, {}, &out,
                          is_supported_version(version) ? version : supported_versions.back());
    }
    out.error = 0;
    if (const auto* e = response.if_contains("error"); e && e->is_object())
        if (const auto* c = e->get_object().if_contains("code"); c && c->is_int64())
            out.error = static_cast<int>(c->get_int64());
    out.response.clear();
    warden::detail::append_json_text(out.response, response);
    return true;
}

WARDEN_DECL void session::count_request(const boost::json::object& msg, const boost::json::object& response,
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

} // namespace warden::mcp
