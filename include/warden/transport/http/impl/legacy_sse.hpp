// warden/transport/http/impl/legacy_sse.hpp: `connection`: the 2024-11-05 HTTP+SSE transport
// (GET /sse, POST /messages).
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/url/parse.hpp>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<after> connection::legacy_open() {
    const unsigned v = request_.version();
    if (request_.method() != http::verb::get) co_return send(not_allowed("GET", "use GET"));
    if (!accepts(request_[http::field::accept], "text/event-stream"))
        co_return send(rpc_error(http::status::not_acceptable, v, mcp::jsonrpc::invalid_request,
                                          "Accept must include text/event-stream"));
    auto session = state_.sessions.create(caller_, true);
    if (!session)
        co_return send(too_many_sessions());
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

WARDEN_DECL net::awaitable<after> connection::legacy_post() {
    const unsigned v = request_.version();
    if (request_.method() != http::verb::post) co_return send(not_allowed("POST", "use POST"));
    auto body = json_body();
    if (auto* err = std::get_if<response>(&body)) co_return send(std::move(*err));
    std::string id;
    if (auto url = boost::urls::parse_origin_form(request_.target()); url) {
        auto it = url->params().find("sessionId");
        if (it != url->params().end()) id = std::string((*it).value);
    }
    auto found = session_by_id(id);
    if (auto* err = std::get_if<response>(&found)) co_return send(std::move(*err));
    auto session = std::move(std::get<std::shared_ptr<http_session>>(found));
    boost::json::value message = std::move(std::get<boost::json::value>(body));
    auto m = session->mcp();
    if (!m) co_return send(rpc_error(http::status::not_found, v, -32001, "session not found"));
    session->touch();
    m->receive(std::move(message));
    co_return send(make(http::status::accepted, v, "Accepted", "text/plain"));
}

} // namespace warden::transport::detail
