// warden/transport/http/impl/sse_writer.hpp: `connection`: a response written as a Server-Sent
// Events stream (chunked), with heartbeats.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>

namespace warden::transport::detail {

WARDEN_DECL net::awaitable<after> connection::stream_events(std::shared_ptr<event_stream> stream,
                                                       std::uint64_t generation, event_stream::event* first,
                                                       const std::string* issued_id, const std::string* preamble) {
    metrics::gauge_hold open_stream(metrics::global().streams.with({}));
    http::response<http::empty_body> res{http::status::ok, request_.version()};
    res.set(http::field::server, "warden");
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-cache, no-transform");
    res.set("X-Accel-Buffering", "no"); // a buffering proxy would hold events back
    if (issued_id && !issued_id->empty()) res.set("Mcp-Session-Id", *issued_id);
    res.keep_alive(request_.keep_alive());
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream_, sr, net::as_tuple(net::use_awaitable));
    if (hec) {
        stream->detach(generation);
        co_return after::close;
    }

    const std::string prefix = [&] {
        const auto number = stream->number();
        return number ? "id: " + std::to_string(number) + "-" : std::string();
    }();
    event_stream::event e = std::move(*first);
    for (;;) {
        std::string frame;
        if (preamble) {
            frame = *preamble; // ahead of the first event
            preamble = nullptr;
        }
        if (!e.data.empty()) {
            frame.reserve(frame.size() + e.data.size() + prefix.size() + 40);
            if (!prefix.empty()) frame.append(prefix).append(std::to_string(e.seq)).append("\n");
            frame.append("event: message\ndata: ").append(e.data).append("\n\n");
        } else if (frame.empty()) {
            frame = ": keep-alive\n\n";
        }
        auto [wec, wn] = co_await net::async_write(stream_, http::make_chunk(net::buffer(frame)),
                                                   net::as_tuple(net::use_awaitable));
        if (wec) {
            stream->detach(generation); // its events wait for a client resuming it
            co_return after::close;
        }
        if (e.final) break;
        e = {};
        // g++ 12: keep co_await out of conditions that jump (it destroys temporaries twice).
        const auto got = co_await stream->next(e, state_.config.sse_heartbeat, generation);
        if (got == event_stream::status::taken) co_return after::close; // resumed elsewhere
        if (got == event_stream::status::end) break;
    }
    stream->detach(generation);
    auto [lec, ln] = co_await net::async_write(stream_, http::make_chunk_last(), net::as_tuple(net::use_awaitable));
    co_return lec || !request_.keep_alive() ? after::close : after::keep_alive;
}

} // namespace warden::transport::detail
