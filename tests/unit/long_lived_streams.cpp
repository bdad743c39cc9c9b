// Long-lived streams (WebSocket, SSE) are authenticated for as long as they last, not only
// when they open: they end when the caller's credential expires, and when a reload rebuilds
// the gate without that credential.
#include <warden/transport/streamable_http.hpp>
#include <warden/transport/websocket.hpp>

#include "http_client.hpp"

#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>

#include <boost/beast/websocket.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace w = warden;
namespace ws = boost::beast::websocket;
using namespace std::chrono_literals;

namespace {

/// Bearer tokens "ttl-<ms>": accepted, as the caller "short-lived", until that many
/// milliseconds after each verification.
struct expiring_token : w::auth::header_secret_traits {
    static w::result<expiring_token> configure(const w::credential_set&, const w::auth_settings&) {
        return expiring_token{};
    }
    static bool presents(const w::http_request_view& r) { return w::auth::presents_authorization(r, "Bearer"); }
    w::gate_result authenticate(const w::http_request_view& r) const {
        auto read = w::auth::bearer_token(r, challenge);
        if (auto* refused = std::get_if<w::challenge>(&read)) return *refused;
        const auto token = std::get<std::string_view>(read);
        if (!token.starts_with("ttl-")) return challenge.invalid("unknown token");
        w::principal p;
        p.subject = "short-lived";
        p.scheme = "test";
        p.expires = std::chrono::system_clock::now() + std::chrono::milliseconds(std::stoi(std::string(token.substr(4))));
        return p;
    }
    w::auth::challenges challenge{"Bearer", "mcp"};
};

template <class Scheme, class Credentials = w::credentials::env>
using ws_server = w::server_definition<w::transport::with_websocket<w::transport::streamable_http<w::transport::loopback>>,
                                       Credentials, Scheme, w::storage::memory>;

w::settings stream_settings() {
    w::settings s;
    s.log_threshold = w::log_level::emergency;
    s.http.port = 0;
    s.http.sse_heartbeat = 100ms; // streams wake often, so the tests wait little
    return s;
}

struct token_dir {
    std::string path;
    token_dir() {
        char tmpl[] = "/tmp/warden-streams-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~token_dir() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& value) const {
        const auto p = path + "/" + name;
        std::ofstream(p) << value << "\n";
        ::chmod(p.c_str(), 0600);
    }
    void remove(const std::string& name) const { std::filesystem::remove(path + "/" + name); }
};

/// A WebSocket client of the "mcp" subprotocol presenting `token`, reading on a thread
/// until the server closes: `closed` then holds the error and the close reason.
struct ws_client {
    boost::asio::io_context io;
    ws::stream<boost::asio::ip::tcp::socket> stream{io};
    std::future<std::pair<boost::system::error_code, ws::close_reason>> closed;

    ws_client(std::uint16_t port, const std::string& token) {
        boost::beast::get_lowest_layer(stream).connect({boost::asio::ip::make_address("127.0.0.1"), port});
        stream.set_option(ws::stream_base::decorator([token](ws::request_type& req) {
            req.set(boost::beast::http::field::authorization, "Bearer " + token);
            req.set(boost::beast::http::field::sec_websocket_protocol, "mcp");
        }));
        stream.handshake("127.0.0.1:" + std::to_string(port), "/ws");
        closed = std::async(std::launch::async, [this] {
            boost::beast::flat_buffer buffer;
            boost::system::error_code ec;
            while (!ec) {
                stream.read(buffer, ec);
                buffer.clear();
            }
            return std::pair{ec, stream.reason()};
        });
    }
    bool closed_within(std::chrono::milliseconds d) { return closed.wait_for(d) == std::future_status::ready; }
    ~ws_client() {
        boost::system::error_code ignored;
        boost::beast::get_lowest_layer(stream).shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        if (closed.valid()) closed.wait();
    }
};

/// Sends `raw` and reads what comes back until the server closes the connection, on a
/// thread: the future holds everything read.
std::future<std::string> read_to_end(boost::asio::ip::tcp::socket& socket, std::uint16_t port, const std::string& raw) {
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(socket, boost::asio::buffer(raw));
    return std::async(std::launch::async, [&socket] {
        std::string all;
        char chunk[4096];
        boost::system::error_code ec;
        while (!ec) {
            const auto n = socket.read_some(boost::asio::buffer(chunk), ec);
            all.append(chunk, n);
        }
        return all;
    });
}

const std::string initialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

} // namespace

TEST_CASE("long-lived streams: a WebSocket closes (1008) when its caller's credential expires", "[http][auth]") {
    w::server<ws_server<expiring_token>> server{{.name = "t", .version = "1"}, stream_settings()};
    test::running run(server);
    ws_client lasting(run.port(), "ttl-600000");
    ws_client brief(run.port(), "ttl-700");
    REQUIRE(brief.closed_within(5s));
    const auto [ec, reason] = brief.closed.get();
    CHECK(ec == ws::error::closed);
    CHECK(reason.code == ws::close_code::policy_error);
    CHECK(reason.reason == "credentials expired");
    // A credential that lasts keeps its socket open through many heartbeats.
    CHECK_FALSE(lasting.closed_within(300ms));
}

TEST_CASE("long-lived streams: a reload that removes a bearer token closes its WebSockets", "[http][auth]") {
    const std::string kept = "kept-0123456789abcdef0123";
    const std::string removed = "removed-0123456789abcdef0123";
    token_dir dir;
    dir.write("MCP_TOKEN", kept);
    dir.write("MCP_TOKEN_OLD", removed);
    auto s = stream_settings();
    s.credentials_directory = dir.path;
    s.credential_reload_interval = 0ms; // reloads are asked for below
    s.auth.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}},
                            {.name = "old", .credentials = {"MCP_TOKEN_OLD"}, .required = false}};
    w::server<ws_server<w::auth::bearer, w::credentials::file>> server{{.name = "t", .version = "1"}, std::move(s)};
    test::running run(server);
    ws_client stays(run.port(), kept);
    ws_client goes(run.port(), removed);
    CHECK_FALSE(goes.closed_within(300ms)); // nothing changed yet: both stay
    dir.remove("MCP_TOKEN_OLD");
    REQUIRE(server.reload_credentials().value());
    REQUIRE(goes.closed_within(5s));
    const auto [ec, reason] = goes.closed.get();
    CHECK(ec == ws::error::closed);
    CHECK(reason.code == ws::close_code::policy_error);
    CHECK(reason.reason == "credentials no longer accepted");
    CHECK_FALSE(stays.closed_within(300ms)); // its token is still configured
}

TEST_CASE("long-lived streams: an SSE stream ends when its caller's credential expires", "[http][auth]") {
    using sse_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::env,
                                            expiring_token, w::storage::memory>;
    w::server<sse_server> server{{.name = "t", .version = "1"}, stream_settings()};
    test::running run(server);
    const auto port = run.port();
    auto init = test::exchange(port, test::with_port(test::post(initialize, "Authorization: Bearer ttl-600000\r\n"), port));
    REQUIRE(init.status == 200);
    const std::string sid(init.message["Mcp-Session-Id"]);
    auto get = [&](const char* token) {
        return test::with_port("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept: text/event-stream\r\n"
                               "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                               "Authorization: Bearer " + token + "\r\n\r\n",
                               port);
    };
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    auto ended = read_to_end(socket, port, get("ttl-700"));
    const bool ended_in_time = ended.wait_for(5s) == std::future_status::ready;
    if (!ended_in_time) {
        boost::system::error_code ignored;
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    }
    const std::string got = ended.get();
    CHECK(ended_in_time);
    CHECK(got.starts_with("HTTP/1.1 200"));
    CHECK(got.find(": keep-alive") != std::string::npos); // it was a live stream before it ended
}
