// The floor of the compile benchmark: a bare Boost.Beast HTTPS server with Boost.JSON and
// C++20 coroutines, what any Beast-based MCP server compiles at least. It answers a
// JSON-RPC POST with a canned result after a bearer check; it is built, never run.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

static net::awaitable<void> serve(beast::ssl_stream<beast::tcp_stream> stream, std::string token) {
    auto [hs] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
    if (hs) co_return;
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        if (req[http::field::authorization] != "Bearer " + token) {
            res.result(http::status::unauthorized);
        } else {
            json::error_code jec;
            json::value msg = json::parse(req.body(), jec);
            json::object out{{"jsonrpc", "2.0"}, {"result", json::object{{"content", json::array{}}}}};
            if (!jec && msg.is_object()) out["id"] = msg.as_object()["id"];
            res.body() = json::serialize(out);
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (wec || !res.keep_alive()) co_return;
    }
}

static net::awaitable<void> accept(tcp::acceptor& acceptor, net::ssl::context& tls, std::string token) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        net::co_spawn(acceptor.get_executor(),
                      serve(beast::ssl_stream<beast::tcp_stream>(std::move(socket), tls), token), net::detached);
    }
}

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    net::io_context ioc;
    net::ssl::context tls(net::ssl::context::tls_server);
    tls.use_certificate_chain_file(argv[1]);
    tls.use_private_key_file(argv[2], net::ssl::context::pem);
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 8443});
    net::co_spawn(ioc, accept(acceptor, tls, argv[3]), net::detached);
    ioc.run();
}
