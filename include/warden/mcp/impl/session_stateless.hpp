// warden/mcp/impl/session_stateless.hpp: `session`: a request of the stateless era (2026-07-28):
// its envelope, requestState, cache hints, the server in _meta, input-required results.
// Included by warden/mcp/session.hpp.
#pragma once

#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::mcp {

WARDEN_DECL void session::on_modern_request(boost::json::object& msg, const reply_fn& reply) {
    const boost::json::value& id = msg.at("id");
    const std::string_view method = msg.at("method").get_string();
    const auto& params = params_of(msg);
    auto call = std::make_shared<modern_call>();
    if (auto refused = open_modern_call(id, method, params, *caller(), *call)) return reply(id, std::move(*refused));
    const cache_hint* lists = &options_.list_cache;
    auto done = [&](result<boost::json::object> r, const cache_hint* hint) {
        if (!r) return reply(id, jsonrpc::make_error(id, r.error()));
        reply(id, jsonrpc::make_result(id, complete(std::move(r).value(), hint)));
    };
    if (method == "server/discover") return done(discover(), lists);
    if (method == "tools/list") return done(list_page("tools", params), lists);
    if (method == "resources/list") return done(list_page("resources", params), lists);
    if (method == "resources/templates/list")
        return done(list_page("resourceTemplates", params), lists);
    if (method == "prompts/list") return done(list_page("prompts", params), lists);
    if (method == "subscriptions/listen") return listen(id, params, reply);

    const auto [handler, run_inline] = handler_for(method, params);
    if (!handler)
        return reply(id, jsonrpc::make_error(id, jsonrpc::method_not_found, "method not found: " + std::string(method)));
    run_handler(id, msg, handler, reply, run_inline, std::move(call));
}

WARDEN_DECL std::optional<boost::json::object> session::open_modern_call(const boost::json::value& id,
                                                                         std::string_view method,
                                                                         const boost::json::object& params,
                                                                         const principal& who,
                                                                         modern_call& call) const {
    auto env = modern::read_envelope(params, supported());
    if (auto* rej = std::get_if<modern::rejection>(&env))
        return jsonrpc::make_error(id, rej->code, rej->message, std::move(rej->data));
    if (!registry_->offers(method))
        return jsonrpc::make_error(id, jsonrpc::method_not_found, "method not found: " + std::string(method));
    call.env = std::move(std::get<modern::envelope>(env));
    if (!modern::may_require_input(method)) return std::nullopt;
    // Answers gathered in earlier rounds travel sealed in requestState.
    if (const auto* st = params.if_contains("requestState"); st && !st->is_null()) {
        auto invalid_state = [&] {
            return jsonrpc::make_error(id, jsonrpc::invalid_params, "requestState is not valid for this request");
        };
        if (!st->is_string()) return invalid_state();
        auto opened = sealer_->open(state_binding(method, params, who), st->get_string());
        if (!opened) return invalid_state();
        auto doc = warden::detail::parse_strict_json(opened.value());
        if (!doc || !doc.value().is_object()) return invalid_state();
        const auto& o = doc.value().as_object();
        const auto* answers = o.if_contains("answers");
        const auto* round = o.if_contains("round");
        if (!answers || !answers->is_object() || !round || !round->is_int64()) return invalid_state();
        call.answers = answers->get_object();
        call.round = round->get_int64();
        call.presented_state = std::string(st->get_string());
    }
    if (const auto* in = params.if_contains("inputResponses"); in && !in->is_null()) {
        if (!in->is_object())
            return jsonrpc::make_error(id, jsonrpc::invalid_params, "\"inputResponses\" must be an object");
        for (const auto& kv : in->get_object()) call.answers[kv.key()] = kv.value();
    }
    return std::nullopt;
}

WARDEN_DECL request_state_binding session::state_binding(std::string_view method, const boost::json::object& params,
                                                        const principal& who) const {
    return {caller_binding(who), std::string(method), params_digest(params)};
}

WARDEN_DECL boost::json::object session::complete(boost::json::object r, const cache_hint* hint) const {
    if (!r.contains("resultType")) r["resultType"] = "complete"; // a CreateTaskResult says "task"
    if (hint) add_cache_hint(r, *hint);
    add_server_meta(r);
    return r;
}

WARDEN_DECL void session::add_server_meta(boost::json::object& r) const {
    auto& meta = r["_meta"];
    if (!meta.is_object()) meta = boost::json::object{};
    meta.get_object()[modern::meta_server_info] = server_info_json();
}

WARDEN_DECL boost::json::object session::server_info_json() const {
    boost::json::object server{};
    server.emplace("name", info_->name);
    server.emplace("version", info_->version);
    if (!info_->title.empty()) server.emplace("title", info_->title);
    return server;
}

WARDEN_DECL boost::json::object session::execute_modern(const boost::json::object& msg, modern_call& call, const principal& who,
                                   handler_fn handler, boost::json::value token, std::stop_token stop,
                                   direct_reply* sink) {
    const auto& id = msg.at("id");
    const std::string_view method = msg.at("method").get_string();
    const auto& params = params_of(msg);
    modern_link link(*this, call, sink);
    call_context ctx(link, who, *credentials_, id, std::move(token), std::move(stop));
    result<boost::json::object> r = failure(errc::internal_error);
    try {
        r = (this->*handler)(params, ctx);
    } catch (const detail::input_needed&) {
        return input_required(id, method, params, who, call);
    } catch (const detail::capability_needed& c) {
        return missing_capability(id, c);
    } catch (const detail::input_malformed& m) {
        return jsonrpc::make_error(id, jsonrpc::invalid_params, m.message);
    } catch (const std::exception& e) {
        log_->error(std::string(method) + " failed: " + e.what());
        r = failure(errc::internal_error, "internal error");
    }
    // A handler that swallowed the stop (`catch (...)`) still asked for input: the
    // client answers first, whatever the handler made of the missing answer.
    if (!call.requested.empty()) return input_required(id, method, params, who, call);
    if (r) return jsonrpc::make_result(id, complete(std::move(r).value(), nullptr));
    if (r.error().code == make_error_code(errc::resource_not_found)) {
        boost::json::object data{};
        if (const auto* u = params.if_contains("uri")) data.emplace("uri", *u);
        return jsonrpc::make_error(id, jsonrpc::invalid_params, "Resource not found", std::move(data));
    }
    return jsonrpc::make_error(id, r.error());
}

WARDEN_DECL boost::json::object session::input_required(const boost::json::value& id, std::string_view method,
                                   const boost::json::object& params, const principal& who, const modern_call& call) {
    boost::json::object state{};
    state.emplace("answers", call.answers);
    state.emplace("round", call.round + 1);
    auto sealed = sealer_->seal(state_binding(method, params, who), boost::json::serialize(state));
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

} // namespace warden::mcp
