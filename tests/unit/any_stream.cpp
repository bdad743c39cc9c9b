#include <warden/transport/http/any_stream.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using warden::transport::detail::any_stream;
using warden::transport::detail::stream_of;

namespace {
/// Two connected TCP streams on loopback: `ours` is served through any_stream, `peer` is
/// the other end, used directly.
struct connected_pair {
    net::io_context io;
    beast::tcp_stream ours{io};
    net::ip::tcp::socket peer{io};
    connected_pair() {
        net::ip::tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
        ours.socket().connect(acceptor.local_endpoint());
        acceptor.accept(peer);
    }
};
} // namespace

TEST_CASE("any_stream carries Beast's HTTP algorithms both ways", "[any_stream]") {
    connected_pair c;
    stream_of<beast::tcp_stream> erased(c.ours);
    any_stream& s = erased;

    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"jsonrpc":"2.0","id":1,"result":{}})";
    res.prepare_payload();
    std::optional<boost::system::error_code> wrote;
    http::async_write(s, res, [&](boost::system::error_code ec, std::size_t) { wrote = ec; });
    c.io.run();
    REQUIRE(wrote);
    CHECK_FALSE(*wrote);
    beast::flat_buffer peer_buffer;
    http::response<http::string_body> got;
    http::read(c.peer, peer_buffer, got);
    CHECK(got.result() == http::status::ok);
    CHECK(got.body() == res.body());

    http::request<http::string_body> req{http::verb::post, "/mcp", 11};
    req.body() = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
    req.prepare_payload();
    http::write(c.peer, req);
    beast::flat_buffer buffer;
    http::request<http::string_body> read_back;
    std::optional<boost::system::error_code> read;
    http::async_read(s, buffer, read_back, [&](boost::system::error_code ec, std::size_t) { read = ec; });
    c.io.restart();
    c.io.run();
    REQUIRE(read);
    CHECK_FALSE(*read);
    CHECK(read_back.target() == "/mcp");
    CHECK(read_back.body() == req.body());
}

TEST_CASE("any_stream writes at most max_buffers buffers per write_some, and the rest later", "[any_stream]") {
    connected_pair c;
    stream_of<beast::tcp_stream> erased(c.ours);
    any_stream& s = erased;
    std::string text(any_stream::max_buffers + 4, 'x');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    std::array<net::const_buffer, any_stream::max_buffers + 4> pieces;
    for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i] = net::buffer(&text[i], 1);

    std::size_t first = 0;
    s.async_write_some(pieces, [&](boost::system::error_code ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        first = n;
    });
    c.io.run();
    CHECK(first == any_stream::max_buffers); // a partial write, as write_some may do

    // net::async_write goes on until every byte is out, in order.
    std::optional<std::size_t> all;
    net::async_write(s, pieces, [&](boost::system::error_code ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        all = n;
    });
    c.io.restart();
    c.io.run();
    REQUIRE(all);
    CHECK(*all == text.size());
    std::string received(first + text.size(), '\0');
    net::read(c.peer, net::buffer(received));
    CHECK(received == text.substr(0, first) + text);
}

TEST_CASE("cancelling an any_stream read reaches the stream underneath", "[any_stream]") {
    // The WebSocket's reader and writer race (awaitable operators): the loser is cancelled
    // through its handler's cancellation slot, which any_stream must hand down.
    connected_pair c;
    stream_of<beast::tcp_stream> erased(c.ours);
    any_stream& s = erased;
    std::array<char, 64> space;
    net::cancellation_signal cancel;
    std::optional<boost::system::error_code> ended;
    s.async_read_some(net::buffer(space), net::bind_cancellation_slot(cancel.slot(), [&](boost::system::error_code ec,
                                                                                        std::size_t) { ended = ec; }));
    c.io.poll();
    CHECK_FALSE(ended); // nothing to read: still waiting
    cancel.emit(net::cancellation_type::terminal);
    c.io.run_for(std::chrono::seconds(5));
    REQUIRE(ended);
    CHECK(*ended == net::error::operation_aborted);
}
