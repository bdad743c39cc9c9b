// warden/transport/http/impl/stateless.hpp: `connection`: a POST of the 2026-07-28 era: its
// envelope and its MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* checks.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <warden/mcp/modern.hpp>
#include <warden/transport/http/stateless_checks.hpp>

#include <boost/json/parse.hpp>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<after> connection::post_modern(boost::json::value message) {
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
    if (what == mcp::jsonrpc::kind::notification) co_return send(make(http::status::accepted, v, "", ""));
    if (what != mcp::jsonrpc::kind::request)
        co_return send(refuse(http::status::bad_request, mcp::jsonrpc::invalid_request,
                                       "MCP " + std::string(modern::version) +
                                           " takes one JSON-RPC request or notification per POST"));
    const std::string method(obj.at("method").get_string());
    static const boost::json::object no_params;
    const auto* p = obj.if_contains("params");
    const auto& params = p && p->is_object() ? p->get_object() : no_params;

    if (auto refused = check_stateless_request(
            request_.base(), fields_, method, params,
            modern::supported_list(state_.core.config().session.session_era, mcp::supported_versions),
            state_.core.dispatcher()))
        co_return send(refuse(static_cast<http::status>(refused->http_status), refused->code,
                                       std::move(refused->message), std::move(refused->data)));
    // The scope decision again, from the body (the headers were only a head start).
    if (auto refused = tool_refusal(message)) co_return send(std::move(*refused));

    const bool listen = method == "subscriptions/listen";
    if (!listen) {
        mcp::session::direct_reply direct;
        const bool answered = state_.core.direct_session()->answer_here(obj, caller_, {}, direct);
        if (answered && direct.messages.empty()) co_return send(direct_response(direct, true));
        if (answered) co_return co_await send_direct(&direct, true);
    }
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
        co_return send(make(http::status::accepted, v, "", ""));
    }
    if (first.final) {
        stop_watching();
        co_return send(make(final_status(first.error, true), v, std::move(first.data), "application/json"));
    }
    const auto outcome = co_await stream_events(std::move(stream), 1, &first, nullptr);
    stop_watching();
    co_return outcome;
}

WARDEN_DECL net::awaitable<after> connection::send_direct(mcp::session::direct_reply* reply, bool modern) {
    // (Its callers send a response alone themselves: one coroutine frame less per call.)
    if (reply->messages.empty()) co_return send(direct_response(*reply, modern));
    // What the handler sent while it ran goes first, in order, as events of one stream.
    auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
    for (auto& m : reply->messages) stream->push(std::move(m), false);
    stream->push(std::move(reply->response), true, reply->error);
    event_stream::event first;
    const auto got = co_await stream->next(first, std::chrono::hours(24));
    (void)got; // an event is queued: `next` returns it at once
    co_return co_await stream_events(std::move(stream), 1, &first, nullptr);
}

} // namespace warden::transport::detail
