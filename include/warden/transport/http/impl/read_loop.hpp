// warden/transport/http/impl/read_loop.hpp: `connection`: reading request heads and bodies
// within the configured limits, answering 408, 413, 431 and framing errors, and keep-alive.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<void> connection::run() {
    timer_.emplace(co_await net::this_coro::executor);
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::empty_body> head;
        head.header_limit(static_cast<std::uint32_t>(state_.config.max_header_bytes));
        head.body_limit(state_.config.max_body_bytes);
        // A request head must arrive within header_timeout of its first byte; an idle
        // keep-alive connection is closed after idle_timeout.
        arm(first_ ? state_.config.header_timeout : state_.config.idle_timeout);
        first_ = false;
        auto [ec, n] = co_await http::async_read_header(stream_, buffer, head, net::as_tuple(net::use_awaitable));
        disarm();
        if (ec) {
            if (timed_out_ && (buffer.size() > 0 || head.got_some()))
                co_await write_error(http::status::request_timeout, "request head not received in time", 11);
            else if (ec == http::error::header_limit)
                co_await write_error(http::status::request_header_fields_too_large, "request head too large", 11);
            else if (ec == http::error::body_limit)
                co_await write_error(http::status::payload_too_large,
                                     "request body over " + std::to_string(state_.config.max_body_bytes) + " bytes",
                                     11);
            else if (!timed_out_ && ec != http::error::end_of_stream && ec != net::error::eof &&
                     ec != net::error::operation_aborted && ec != net::error::connection_reset &&
                     ec != net::ssl::error::stream_truncated)
                co_await write_error(http::status::bad_request, "malformed request: " + ec.message(), 11);
            co_return;
        }
        auto& h = head.get();
        // Message framing: refuse what a proxy might read differently (request smuggling).
        if (h.count(http::field::content_length) && h.count(http::field::transfer_encoding)) {
            co_await write_error(http::status::bad_request, "both Content-Length and Transfer-Encoding", h.version());
            co_return;
        }
        if (h.count(http::field::transfer_encoding) && !head.chunked()) {
            co_await write_error(http::status::not_implemented, "unsupported Transfer-Encoding", h.version());
            co_return;
        }
        if (auto len = head.content_length(); len && *len > state_.config.max_body_bytes) {
            co_await write_error(http::status::payload_too_large,
                                 "request body over " + std::to_string(state_.config.max_body_bytes) + " bytes",
                                 h.version());
            co_return;
        }
        if (h[http::field::expect] == "100-continue") {
            // As bytes: the one write that event streams use (impl/sse_writer.hpp).
            constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [wec, wn] = co_await net::async_write(stream_, net::const_buffer(cont.data(), cont.size()),
                                                       net::as_tuple(net::use_awaitable));
            if (wec) co_return;
        }
        http::request_parser<http::string_body> parser(std::move(head));
        parser.body_limit(state_.config.max_body_bytes);
        arm(state_.config.body_timeout);
        auto [bec, bn] = co_await http::async_read(stream_, buffer, parser, net::as_tuple(net::use_awaitable));
        disarm();
        if (bec) {
            if (timed_out_)
                co_await write_error(http::status::request_timeout, "request body not received in time", 11);
            else if (bec == http::error::body_limit)
                co_await write_error(http::status::payload_too_large, "request body too large", 11);
            else if (bec != net::error::eof && bec != http::error::end_of_stream)
                co_await write_error(http::status::bad_request, "malformed request body: " + bec.message(), 11);
            co_return;
        }
        request_ = parser.release();
        ++state_.in_flight;
        after next = co_await handle();
        --state_.in_flight;
        if (stateless_session_) {
            stateless_session_->close();
            stateless_session_.reset();
            state_.untrack_request(tracked_);
        }
        if (next == after::close || !request_.keep_alive() || state_.stopping) co_return;
    }
}

WARDEN_DECL net::awaitable<after> connection::send(response res) {
    res.keep_alive(request_.keep_alive() && !state_.stopping);
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream_, res, net::as_tuple(net::use_awaitable));
    co_return ec || !res.keep_alive() ? after::close : after::keep_alive;
}

WARDEN_DECL net::awaitable<void> connection::write_error(http::status status, std::string_view message,
                                                         unsigned version) {
    auto res = rpc_error(status, version, mcp::jsonrpc::invalid_request, message);
    res.keep_alive(false);
    res.prepare_payload();
    lowest().expires_after(std::chrono::seconds(5));
    co_await http::async_write(stream_, res, net::as_tuple(net::use_awaitable));
}

} // namespace warden::transport::detail
