// warden/transport/http/any_stream.hpp: one HTTP connection's byte stream, plain TCP or TLS,
// behind one type.
//
// The connection code reads and writes through Beast's HTTP and WebSocket algorithms, each
// of which nests its own operation types around the stream's. Over a concrete TLS stream
// every one of those algorithms instantiates the TLS engine's operations again, once per
// handler type; over `any_stream` the algorithms are instantiated once, and the concrete
// stream's `async_read_some`/`async_write_some` once each, with a type-erased handler.
// The price is a virtual call and a handler wrapper per read or write, a small fraction of
// a request's cost.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>

namespace warden::transport::detail {

/// A move-only completion handler of signature `void(Args...)`, whatever the handler it
/// wraps; it keeps that handler's executor and cancellation slot. (Boost 1.81's
/// any_completion_handler cannot be posted through the TLS stream: its executor does not
/// support `blocking.never`.) The wrapped handler is freed before it is called.
template <class... Args>
class erased_handler {
public:
    using executor_type = boost::asio::any_io_executor;
    using cancellation_slot_type = boost::asio::cancellation_slot;

    template <class Handler>
    erased_handler(Handler&& handler, const executor_type& fallback)
        : executor_(boost::asio::get_associated_executor(handler, fallback)),
          slot_(boost::asio::get_associated_cancellation_slot(handler)),
          impl_(std::make_unique<impl<std::decay_t<Handler>>>(std::forward<Handler>(handler))) {}

    executor_type get_executor() const noexcept { return executor_; }
    cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

    void operator()(Args... args) { impl_->call(impl_, std::move(args)...); }

private:
    struct base {
        virtual ~base() = default;
        virtual void call(std::unique_ptr<base>& self, Args... args) = 0;
    };
    template <class Handler>
    struct impl final : base {
        explicit impl(Handler h) : handler(std::move(h)) {}
        void call(std::unique_ptr<base>& self, Args... args) override {
            Handler local(std::move(handler));
            self.reset(); // `this` is gone from here on
            std::move(local)(std::move(args)...);
        }
        Handler handler;
    };

    executor_type executor_;
    cancellation_slot_type slot_;
    std::unique_ptr<base> impl_;
};

/// An AsyncReadStream and AsyncWriteStream over a concrete stream (`stream_of<S>`); at most
/// one read and one write may be in flight at a time, as for any Asio stream.
class any_stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using io_handler = erased_handler<boost::system::error_code, std::size_t>;
    using shutdown_handler = erased_handler<boost::system::error_code>;
    /// Buffers handed down per operation; a longer sequence is served in part, which a
    /// `*_some` operation may always do.
    static constexpr std::size_t max_buffers = 16;

    any_stream() = default;
    any_stream(const any_stream&) = delete;
    any_stream& operator=(const any_stream&) = delete;
    virtual ~any_stream() = default;

    executor_type get_executor() { return lowest().get_executor(); }
    /// The TCP stream underneath (timeouts, the socket).
    virtual boost::beast::tcp_stream& lowest() = 0;

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                do_read(gather(b, reads_), io_handler(std::move(handler), get_executor()));
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                do_write(gather(b, writes_), io_handler(std::move(handler), get_executor()));
            },
            token, buffers);
    }

    /// Closes what lies above TCP: TLS's close_notify exchange; over plain TCP, nothing (it
    /// completes at once). The TCP stream's timeout bounds it.
    template <class Token>
    auto async_shutdown(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) { do_shutdown(shutdown_handler(std::move(handler), get_executor())); }, token);
    }

    /// The WebSocket close handshake's end: `async_shutdown`, then Beast's teardown of the
    /// socket. A template, so that only a unit that serves WebSocket compiles it: a virtual
    /// teardown compiled the TLS engine's shutdown a second time into every HTTPS server.
    template <class Handler>
    friend void async_teardown(boost::beast::role_type role, any_stream& s, Handler&& handler) {
        s.async_shutdown([&s, role, h = std::forward<Handler>(handler)](boost::system::error_code shut) mutable {
            boost::beast::websocket::async_teardown(
                role, s.lowest().socket(),
                [shut, h = std::move(h)](boost::system::error_code torn) mutable { std::move(h)(shut ? shut : torn); });
        });
    }
    /// A WebSocket's timeout: close the socket underneath.
    friend void beast_close_socket(any_stream& s) { boost::beast::close_socket(s.lowest()); }

protected:
    virtual void do_read(std::span<const boost::asio::mutable_buffer> buffers, io_handler handler) = 0;
    virtual void do_write(std::span<const boost::asio::const_buffer> buffers, io_handler handler) = 0;
    virtual void do_shutdown(shutdown_handler handler) = 0;

private:
    template <class Sequence, class Buffer>
    static std::span<const Buffer> gather(const Sequence& seq, std::array<Buffer, max_buffers>& out) {
        std::size_t n = 0;
        for (auto it = boost::asio::buffer_sequence_begin(seq), end = boost::asio::buffer_sequence_end(seq);
             it != end && n < max_buffers; ++it)
            out[n++] = Buffer(*it);
        return {out.data(), n};
    }

    // The buffers of the read and the write in flight (one of each at a time).
    std::array<boost::asio::mutable_buffer, max_buffers> reads_;
    std::array<boost::asio::const_buffer, max_buffers> writes_;
};

/// `any_stream` over `Stream` (beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>),
/// which it refers to and does not own.
template <class Stream>
class stream_of final : public any_stream {
public:
    explicit stream_of(Stream& stream) : stream_(stream) {}
    boost::beast::tcp_stream& lowest() override { return boost::beast::get_lowest_layer(stream_); }

private:
    void do_read(std::span<const boost::asio::mutable_buffer> buffers, io_handler handler) override {
        stream_.async_read_some(buffers, std::move(handler));
    }
    void do_write(std::span<const boost::asio::const_buffer> buffers, io_handler handler) override {
        stream_.async_write_some(buffers, std::move(handler));
    }
    void do_shutdown(shutdown_handler handler) override {
        if constexpr (requires { stream_.async_shutdown(std::move(handler)); })
            stream_.async_shutdown(std::move(handler));
        else
            boost::asio::post(stream_.get_executor(), [h = std::move(handler)]() mutable { h(boost::system::error_code{}); });
    }

    Stream& stream_;
};

} // namespace warden::transport::detail
