// warden/transport/http/impl/read_loop.hpp: `connection`: reading request heads and bodies
// within the configured limits, answering 408, 413, 431 and framing errors, and keep-alive.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>
#include <warden/transport/http/framing.hpp>

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <tuple>
#include <iterator>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<connection::head_read> connection::read_head(beast::flat_buffer& buffer,
                                                                        http::request_parser<http::empty_body>& head) {
    // What http::async_read_header does, with one look at the head's bytes before the parser
    // joins folded lines. The parser takes nothing until the whole head has arrived.
    for (;;) {
        boost::system::error_code ec;
        if (buffer.size() > 0) {
            const auto bytes = buffer.data();
            if (has_folded_line({static_cast<const char*>(bytes.data()), bytes.size()})) co_return head_read{{}, true};
            buffer.consume(head.put(bytes, ec));
            if (ec != http::error::need_more) co_return head_read{ec, false};
        }
        constexpr std::size_t read_size = 16 * 1024;
        auto [rec, n] = co_await stream_.async_read_some(buffer.prepare(read_size), net::as_tuple(net::use_awaitable));
        buffer.commit(n);
        if (rec == net::error::eof)
            co_return head_read{buffer.size() > 0 || head.got_some() ? http::error::partial_message
                                                                     : http::error::end_of_stream,
                                false};
        if (rec) co_return head_read{rec, false};
    }
}

WARDEN_DECL net::awaitable<boost::system::error_code> connection::read_body(beast::flat_buffer& buffer,
                                                                           http::request_parser<http::string_body>& parser) {
    for (;;) {
        constexpr std::size_t read_size = 64 * 1024;
        auto [rec, n] = co_await stream_.async_read_some(buffer.prepare(read_size), net::as_tuple(net::use_awaitable));
        buffer.commit(n);
        if (rec == net::error::eof) {
            boost::system::error_code ec;
            parser.put_eof(ec); // the body was cut short
            co_return ec ? ec : boost::system::error_code(http::error::partial_message);
        }
        if (rec) co_return rec;
        if (auto ec = take_body(buffer, parser); ec != http::error::need_more) co_return ec;
    }
}

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
        auto [ec, folded] = co_await read_head(buffer, head);
        disarm();
        if (folded) {
            co_await write_error(http::status::bad_request, "a field folded over two lines (obs-fold)", 11);
            co_return;
        }
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
        // Framing that a proxy might read differently (request smuggling), Host and Origin.
        if (auto refused = check_head(h, head.chunked())) {
            co_await write_error(refused->status, refused->reason, h.version());
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
        const auto head_fields = static_cast<std::size_t>(std::distance(h.begin(), h.end()));
        http::request_parser<http::string_body> parser(std::move(head));
        parser.body_limit(state_.config.max_body_bytes);
        parser.eager(true);
        auto bec = take_body(buffer, parser);
        if (bec == http::error::need_more) {
            arm(state_.config.body_timeout);
            bec = co_await read_body(buffer, parser);
            disarm();
        }
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
        // A chunked body's trailer fields: Beast adds them to the head's. No decision may rest
        // on them (RFC 9110 §6.5.1: credentials, Host, Origin, the Mcp-* fields), and the
        // server has no use for them, so they are dropped.
        for (auto it = std::next(request_.begin(), static_cast<std::ptrdiff_t>(head_fields)); it != request_.end();)
            it = request_.erase(it);
        fields_ = mcp_fields(request_.base());
        const bool keep_alive = request_.keep_alive();
        ++state_.in_flight;
        after next = after::keep_alive;
        {
            struct finish { // also when handling throws
                connection& c;
                ~finish() { c.finish_request(); }
            } done{*this};
            if (auto quick = handle_now()) next = *quick;
            else next = co_await handle();
        }
        if (pending_) { // an answer `send` left: written here, after handle()'s frames are gone
            pending_->keep_alive(keep_alive && !state_.stopping);
            pending_->prepare_payload();
            boost::system::error_code wec;
            head_.clear();
            if (head_text(*pending_, head_)) { // one write of two buffers: the head, the body
                const std::array<net::const_buffer, 2> both{net::buffer(head_), net::buffer(pending_->body())};
                std::tie(wec, std::ignore) = co_await net::async_write(stream_, both, net::as_tuple(net::use_awaitable));
            } else {
                std::tie(wec, std::ignore) = co_await http::async_write(stream_, *pending_, net::as_tuple(net::use_awaitable));
            }
            next = wec || !pending_->keep_alive() ? after::close : after::keep_alive;
            pending_.reset();
        }
        --state_.in_flight;
        if (stateless_session_) {
            stateless_session_->close();
            stateless_session_.reset();
            state_.untrack_request(tracked_);
        }
        if (next == after::close || !keep_alive || state_.stopping) co_return;
    }
}

WARDEN_DECL bool connection::head_text(response& res, std::string& out) {
    if (res.chunked()) return false;
    http::serializer<false, http::string_body> sr(res);
    sr.split(true);
    boost::system::error_code ec;
    while (!ec && !sr.is_header_done())
        sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
            std::size_t n = 0;
            for (const auto b : beast::buffers_range_ref(buffers)) {
                out.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            sr.consume(n);
        });
    return !ec;
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
