// warden/transport/http/impl/session_era.hpp: `connection`: POST, GET and DELETE of the session
// era, and refusals for missing scopes.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/json/parse.hpp>

namespace warden::transport::detail {

WARDEN_DECL std::optional<connection::response> connection::tool_refusal(const boost::json::value& message) {
    const auto* obj = message.if_object();
    if (!obj) return std::nullopt;
    const auto* method = obj->if_contains("method");
    if (!method || *method != "tools/call") return std::nullopt;
    const auto* params = obj->if_contains("params");
    const auto* name = params && params->is_object() ? params->get_object().if_contains("name") : nullptr;
    if (!name || !name->is_string()) return std::nullopt;
    return scope_refusal(name->get_string());
}

WARDEN_DECL std::optional<connection::response> connection::header_tool_refusal() {
    if (!fields_.method.present() || mcp::modern::trim_ows(fields_.method.value) != "tools/call") return std::nullopt;
    if (!fields_.name.present()) return std::nullopt;
    auto name = mcp::modern::decode_header_value(fields_.name.value);
    if (!name) return std::nullopt;
    return scope_refusal(*name);
}

WARDEN_DECL std::optional<connection::response> connection::scope_refusal(std::string_view tool_name) {
    auto denied = state_.core.dispatcher().deny_tool(tool_name, caller_);
    if (!denied) return std::nullopt;
    const std::string& why = denied->why;
    state_.core.log().info("refused tools/call " + std::string(tool_name) + " for " + caller_.subject +
                           ": 403 insufficient_scope (" + why + ")");
    record_authorization(state_.core.audit().get(), caller_, tool_name, false, nullptr, 403);
    std::string scope;
    for (const auto& sc : denied->scopes)
        if (sc != "offline_access") scope += (scope.empty() ? "" : " ") + sc;
    const auth::challenges c{"Bearer", state_.core.config().auth.bearer.realm};
    auto res = make(http::status::forbidden, request_.version(),
                    boost::json::serialize(boost::json::object{{"error", "insufficient_scope"},
                                                               {"error_description", why}}),
                    "application/json");
    res.set("X-Request-Id", request_id_);
    // RFC 6750's step-up challenge is a Bearer one: other schemes get the 403 and its body.
    if (caller_.scheme == "oauth" || caller_.scheme == "bearer") {
        const auto scheme = state_.auth.load(std::memory_order_acquire);
        if (auto own = scheme->step_up(why, scope))
            res.set(http::field::www_authenticate, *own);
        else
            res.set(http::field::www_authenticate, c.header("insufficient_scope", why, scope));
    }
    return res;
}

WARDEN_DECL std::variant<std::shared_ptr<http_session>, connection::response> connection::find_session() {
    if (!fields_.session_id.present())
        return rpc_error(http::status::bad_request, request_.version(), mcp::jsonrpc::invalid_request,
                         "Mcp-Session-Id required");
    return session_by_id(fields_.session_id.value);
}

WARDEN_DECL std::variant<std::shared_ptr<http_session>, connection::response> connection::session_by_id(std::string_view id) {
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

WARDEN_DECL std::optional<after> connection::post_now() {
    const unsigned v = request_.version();
    // A client sends the same Accept with every request: the thread keeps its last verdict.
    thread_local std::string last_accept;
    thread_local bool last_acceptable = false;
    if (const auto accept = fields_.accept.value; accept != last_accept) {
        last_acceptable = accepts(accept, "application/json") && accepts(accept, "text/event-stream");
        last_accept.assign(accept.data(), accept.size());
    }
    if (!last_acceptable)
        return send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                              "Accept must include application/json and text/event-stream"));
    if (auto refused = header_tool_refusal()) return send(std::move(*refused));
    auto body = json_body();
    if (auto* err = std::get_if<response>(&body)) return send(std::move(*err));
    // (Emplaced, never assigned: a value assigned keeps its old storage, and copies into it.)
    auto& message = message_.emplace(std::move(std::get<boost::json::value>(body)));

    const auto* obj = message.if_object();
    // The stateless era: the body claims it, or the version header names it.
    if (obj) {
        const bool header_modern = fields_.protocol_version.present() &&
                                   mcp::modern::trim_ows(fields_.protocol_version.value) == mcp::modern::version;
        if (header_modern || mcp::modern::claims_modern(*obj)) {
            resume_ = resume::modern;
            return std::nullopt;
        }
    }
    if (!state_.core.config().session.session_era) {
        // A modern-only server: session-era requests learn which version to speak.
        if (!mcp::session::expects_response(message)) return send(make(http::status::accepted, v, "", ""));
        boost::json::value id{};
        boost::json::object data{{"supported", boost::json::array{mcp::modern::version}}};
        if (obj) {
            if (const auto* i = obj->if_contains("id"); i && mcp::jsonrpc::valid_id(*i)) id = *i;
            if (const auto* p = obj->if_contains("params"); p && p->is_object())
                if (const auto* pv = p->get_object().if_contains("protocolVersion"); pv && pv->is_string())
                    data.emplace("requested", *pv);
        }
        return send(make(http::status::bad_request, v,
                         boost::json::serialize(mcp::jsonrpc::make_error(
                             id, mcp::modern::unsupported_protocol_version,
                             "this server serves MCP " + std::string(mcp::modern::version) + " only", std::move(data))),
                         "application/json"));
    }
    resume_ = resume::post_rest;
    if (!state_.config.stateless || !obj || initializes(*obj)) return std::nullopt;
    const auto version = declared_version();
    if (!version)
        return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                              "unsupported MCP-Protocol-Version"));
    if (auto refused = tool_refusal(message)) return send(std::move(*refused));
    // A request that cannot wait is answered here, without a session.
    auto& direct = direct_.emplace();
    if (!state_.core.direct_session()->answer_here(message.as_object(), caller_, *version, direct))
        return std::nullopt;
    if (direct.messages.empty()) return send(direct_response(direct, false));
    resume_ = resume::direct;
    return std::nullopt;
}

WARDEN_DECL net::awaitable<after> connection::post_rest() {
    const unsigned v = request_.version();
    auto& message = *message_;
    const auto* obj = message.if_object();
    const bool is_initialize = obj && initializes(*obj);
    std::shared_ptr<http_session> session;
    std::string issued_id;
    bool refusal_checked = false;
    if (state_.config.stateless) {
        auto version = is_initialize ? std::optional<std::string>("") : declared_version();
        if (!version)
            co_return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                     "unsupported MCP-Protocol-Version"));
        refusal_checked = obj && !is_initialize; // by post_now
        session = std::make_shared<http_session>(std::string(), caller_);
        session->set_mcp(state_.core.open_session(caller_, session, false));
        if (!is_initialize) session->mcp()->assume_initialized(*version);
        stateless_session_ = session; // ended when this request is answered
        tracked_ = state_.track_request(session);
    } else if (is_initialize) {
        if (fields_.session_id.present())
            co_return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                              "initialize must not carry an Mcp-Session-Id"));
        session = state_.sessions.create(caller_);
        if (!session)
            co_return send(too_many_sessions());
        session->set_mcp(state_.core.open_session(caller_, session));
        issued_id = session->id();
    } else {
        auto found = find_session();
        if (auto* err = std::get_if<response>(&found)) co_return send(std::move(*err));
        session = std::move(std::get<std::shared_ptr<http_session>>(found));
        if (!declared_version())
            co_return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                              "unsupported MCP-Protocol-Version"));
    }

    // A tool the caller may not use is refused at the HTTP layer, with the scopes it
    // needs, so that an OAuth client can step up (MCP authorization, scope challenges).
    if (!refusal_checked)
        if (auto refused = tool_refusal(message)) co_return send(std::move(*refused));

    auto mcp_session = session->mcp();
    if (!mcp_session) co_return send(rpc_error(http::status::not_found, v, -32001, "session not found"));
    if (!mcp::session::expects_response(message)) {
        mcp_session->receive(std::move(message));
        co_return send(make(http::status::accepted, v, "", ""));
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
        co_return send(make(http::status::accepted, v, "", "")); // cancelled: no response
    if (first.final) {
        auto res = make(http::status::ok, v, std::move(first.data), "application/json");
        if (!issued_id.empty()) res.set("Mcp-Session-Id", issued_id);
        co_return send(std::move(res));
    }
    // Answered as a stream: keep its events so a client that loses the connection can
    // resume it (not in stateless mode, where there is no session to resume in).
    if (!state_.config.stateless) session->make_resumable(stream);
    co_return co_await stream_events(std::move(stream), 1, &first, &issued_id);
}

WARDEN_DECL net::awaitable<after> connection::get() {
    const unsigned v = request_.version();
    if (state_.config.stateless)
        co_return send(not_allowed("POST", "this server is stateless: no GET stream"));
    if (!accepts(fields_.accept.value, "text/event-stream"))
        co_return send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                                          "Accept must include text/event-stream"));
    auto found = find_session();
    if (auto* err = std::get_if<response>(&found)) co_return send(std::move(*err));
    auto session = std::move(std::get<std::shared_ptr<http_session>>(found));
    if (!declared_version())
        co_return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
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

WARDEN_DECL net::awaitable<after> connection::del() {
    const unsigned v = request_.version();
    if (state_.config.stateless)
        co_return send(not_allowed("POST", "this server is stateless: no sessions to end"));
    auto found = find_session();
    if (auto* err = std::get_if<response>(&found)) co_return send(std::move(*err));
    state_.sessions.end(std::get<std::shared_ptr<http_session>>(found)->id());
    co_return send(make(http::status::ok, v, "", ""));
}

} // namespace warden::transport::detail
