// warden/transport/http/impl/sse_writer.hpp: `connection`: a response written as a Server-Sent
// Events stream (chunked), with heartbeats.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>

#include <cstdio>

namespace warden::transport::detail {

// An event stream is written as bytes, its head and chunks framed here, so that one write
// operation (Asio's async_write of one buffer over any_stream) serves the whole stream, and
// a unit does not compile Beast's header serializer and chunk encoder for it besides.

/// `res`'s status line and fields, and the empty line that ends them.
WARDEN_DECL std::string response_head(const http::response<http::empty_body>& res) {
    std::string out = res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out.append(std::to_string(res.result_int())).append(" ").append(res.reason()).append("\r\n");
    for (const auto& field : res) out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    return out.append("\r\n");
}

/// Frames `data` as one chunk of a chunked body (RFC 9112 section 7.1), in place.
WARDEN_DECL void frame_chunk(std::string& data) {
    char size[2 * sizeof(std::size_t) + 3];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    data.insert(0, size, static_cast<std::size_t>(n));
    data.append("\r\n");
}

inline constexpr std::string_view last_chunk = "0\r\n\r\n";

inline net::const_buffer as_bytes(std::string_view s) { return {s.data(), s.size()}; }

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
    const std::string head = response_head(res);
    auto [hec, hn] = co_await net::async_write(stream_, as_bytes(head), net::as_tuple(net::use_awaitable));
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
        frame_chunk(frame);
        auto [wec, wn] = co_await net::async_write(stream_, as_bytes(frame), net::as_tuple(net::use_awaitable));
        if (wec) {
            stream->detach(generation); // its events wait for a client resuming it
            co_return after::close;
        }
        if (e.final) break;
        e = {};
        // g++ 12: keep co_await out of conditions that jump (it destroys temporaries twice).
        const auto got = co_await stream->next(e, stream_wait(), generation);
        if (got == event_stream::status::taken) co_return after::close; // resumed elsewhere
        if (got == event_stream::status::end) break;
        const auto refused = co_await recheck_caller();
        if (refused) {
            // The stream ends; its events wait for the client to resume it with a credential
            // the gate accepts (Last-Event-ID).
            state_.core.log().info("event stream of " + caller_.subject + " from " + remote_ + " ended: " + *refused);
            stream->detach(generation);
            co_return after::close;
        }
    }
    stream->detach(generation);
    auto [lec, ln] = co_await net::async_write(stream_, as_bytes(last_chunk), net::as_tuple(net::use_awaitable));
    co_return lec || !request_.keep_alive() ? after::close : after::keep_alive;
}

} // namespace warden::transport::detail
