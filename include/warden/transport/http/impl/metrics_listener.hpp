// warden/transport/http/impl/metrics_listener.hpp: serving GET /metrics.
// Included by warden/transport/http/metrics_listener.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/transport/http/metrics_listener.hpp>

#include <warden/transport/http/any_stream.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace warden::transport::detail {

/// One connection to the metrics listener: GET /metrics, nothing else. It reads and writes
/// through `any_stream`, as connections do, so that Beast's HTTP algorithms are not compiled
/// a second time for the plain TCP stream.
WARDEN_DECL net::awaitable<void> serve_metrics(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream_of<beast::tcp_stream> concrete(stream);
    any_stream& erased = concrete; // the algorithms' stream type: any_stream, as for connections
    beast::flat_buffer buffer;
    for (;;) {
        stream.expires_after(std::chrono::seconds(10));
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8 * 1024);
        auto [ec, n] = co_await http::async_read_header(erased, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        if (!parser.is_done()) co_return; // a body: no scrape sends one
        const auto& req = parser.get();
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "warden");
        const auto target = req.target().substr(0, req.target().find('?'));
        if (target != "/metrics") {
            res.result(http::status::not_found);
        } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res.result(http::status::method_not_allowed);
            res.set(http::field::allow, "GET, HEAD");
        } else {
            res.set(http::field::content_type, metrics::content_type);
            res.set(http::field::cache_control, "no-store");
            if (req.method() == http::verb::get) res.body() = metrics::global().render();
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(erased, res, net::as_tuple(net::use_awaitable));
        if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

WARDEN_DECL net::awaitable<void> metrics_accept_loop(tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;
        net::co_spawn(acceptor.get_executor(), serve_metrics(std::move(socket)), net::detached);
    }
}

} // namespace warden::transport::detail
