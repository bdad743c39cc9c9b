// floor_server: what any Beast-based MCP server pays for `tools/call` over HTTP, and nothing
// more: the throughput floor that benchmarks/run.sh measures warden against, in the same run.
//
//     BEARER_TOKEN=... floor_server PORT      (0: any free port; prints "listening on URL")
//
// One thread, keep-alive, C++20 coroutines. Each request: the bearer token compared in
// constant time (SHA-256 digests, as warden compares), the body parsed with Boost.JSON for
// its id and the echo tool's text, and a canned JSON-RPC result serialized back. No MCP
// checks, no sessions, no audit line, no metrics.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// SHA-256 with the algorithm fetched once and one reused context (one thread).
std::array<unsigned char, 32> digest(std::string_view s) {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD_CTX* const ctx = EVP_MD_CTX_new();
    std::array<unsigned char, 32> d{};
    unsigned len = 0;
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, s.data(), s.size());
    EVP_DigestFinal_ex(ctx, d.data(), &len);
    return d;
}

std::array<unsigned char, 32> expected; // SHA-256 of "Bearer <token>"

net::awaitable<void> serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(socket, buffer, req, net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        const auto auth = req[http::field::authorization];
        const auto presented = digest(auth);
        if (CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) != 0) {
            res.result(http::status::unauthorized);
            res.set(http::field::www_authenticate, "Bearer realm=\"mcp\"");
        } else {
            boost::system::error_code jec;
            auto body = boost::json::parse(req.body(), jec);
            const boost::json::value* id = !jec && body.is_object() ? body.as_object().if_contains("id") : nullptr;
            std::string_view text = "";
            if (!jec && body.is_object())
                if (const auto* p = body.as_object().if_contains("params"); p && p->is_object())
                    if (const auto* a = p->as_object().if_contains("arguments"); a && a->is_object())
                        if (const auto* t = a->as_object().if_contains("text"); t && t->is_string()) text = t->get_string();
            boost::json::object result{{"content", boost::json::array{boost::json::object{{"type", "text"}, {"text", text}}}}};
            res.set(http::field::content_type, "application/json");
            res.body() = boost::json::serialize(boost::json::object{
                {"jsonrpc", "2.0"}, {"id", id ? *id : boost::json::value()}, {"result", std::move(result)}});
        }
        res.prepare_payload();
        auto [wec, w] = co_await http::async_write(socket, res, net::as_tuple(net::use_awaitable));
        if (wec || !res.keep_alive()) co_return;
    }
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) continue;
        socket.set_option(tcp::no_delay(true));
        net::co_spawn(acceptor.get_executor(), serve(std::move(socket)), net::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    const char* token = std::getenv("BEARER_TOKEN");
    if (argc != 2 || !token || !*token) {
        std::fprintf(stderr, "usage: BEARER_TOKEN=... floor_server PORT\n");
        return 2;
    }
    expected = digest(std::string("Bearer ") + token);
    net::io_context ioc(1);
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
    std::fprintf(stderr, "listening on http://127.0.0.1:%u/mcp\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
    net::co_spawn(ioc, accept_loop(acceptor), net::detached);
    ioc.run();
}
