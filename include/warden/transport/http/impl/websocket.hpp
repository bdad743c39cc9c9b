// warden/transport/http/impl/websocket.hpp: `connection`: MCP over a WebSocket (subprotocol
// "mcp").
// Included by warden/transport/websocket.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/transport/websocket.hpp>

#include <warden/transport/http/connection.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<after> websocket_endpoint::serve(connection& c) { return c.websocket(); }

WARDEN_DECL net::awaitable<after> connection::websocket() {
    namespace websocket = beast::websocket;
    const unsigned v = request_.version();
    if (!websocket::is_upgrade(request_))
        co_return send(rpc_error(http::status::upgrade_required, v, mcp::jsonrpc::invalid_request,
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
        co_return send(rpc_error(http::status::bad_request, v, mcp::jsonrpc::invalid_request,
                                          "the WebSocket subprotocol \"mcp\" is required"));
    auto session = state_.sessions.create(caller_, true);
    if (!session)
        co_return send(too_many_sessions());
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

WARDEN_DECL net::awaitable<void> connection::ws_reader(beast::websocket::stream<any_stream&>& ws, http_session& session) {
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

WARDEN_DECL net::awaitable<void> connection::ws_writer(beast::websocket::stream<any_stream&>& ws, event_stream& stream) {
    ws.text(true);
    for (;;) {
        event_stream::event e;
        const auto got = co_await stream.next(e, stream_wait());
        if (got == event_stream::status::end) co_return;
        const auto refused = co_await recheck_caller();
        if (refused) {
            // 1008: the server's policy ends the connection; the reason says which.
            state_.core.log().info("WebSocket of " + caller_.subject + " from " + remote_ + " closed: " + *refused);
            auto [cec] = co_await ws.async_close({beast::websocket::close_code::policy_error, *refused},
                                                 net::as_tuple(net::use_awaitable));
            (void)cec;
            co_return;
        }
        if (got == event_stream::status::heartbeat) continue; // the WebSocket pings by itself
        auto [ec, n] = co_await ws.async_write(net::buffer(e.data), net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

} // namespace warden::transport::detail
