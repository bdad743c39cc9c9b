#include <warden/transport/streamable_http.hpp>
#include <warden/transport/websocket.hpp>

#include "http_client.hpp"

#include <warden/auth/bearer.hpp>
#include <warden/credentials/file.hpp>
#include <warden/deployments.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <future>

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
namespace w = warden;

namespace {

// A user's own scheme, for the session-binding tests: the caller names itself in a header.
struct header_identity {
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = false;
    static constexpr bool sends_reusable_secret = true;
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = false;

    static w::gate_result authenticate(const w::http_request_view& r) {
        auto it = r.headers->find("X-Test-User");
        if (it == r.headers->end())
            return w::challenge{401, R"(Test realm="warden")", "invalid_request", "no X-Test-User"};
        w::principal p;
        p.subject = std::string(it->value());
        p.scheme = "test";
        return p;
    }
};
// Reports what the gate saw of the peer, to test the behind_tls_terminator channel.
struct peer_probe : header_identity {
    static w::gate_result authenticate(const w::http_request_view& r) {
        w::principal p;
        p.subject = r.remote_address + (r.secure ? " https" : " http");
        p.scheme = "probe";
        return p;
    }
};
using proxied_server = w::server_definition<w::transport::streamable_http<w::transport::behind_tls_terminator>,
                                            w::credentials::env, peer_probe, w::storage::memory>;

using identity_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>,
                                             w::credentials::env, header_identity, w::storage::memory>;

template <class Definition>
w::settings small_limits() {
    w::settings s;
    s.log_threshold = w::log_level::emergency;
    s.http.port = 0;
    s.http.header_timeout = 300ms;
    s.http.body_timeout = 300ms;
    s.http.max_body_bytes = 64 * 1024;
    s.http.max_header_bytes = 4096;
    s.http.max_sessions = 3;
    s.http.session_idle_timeout = 400ms;
    return s;
}

const std::string initialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

std::string session_of(const test::reply& r) { return std::string(r.message["Mcp-Session-Id"]); }

// A client of a running server with an initialized session.
struct session_client {
    std::uint16_t port;
    std::string sid{};
    std::string headers{}; ///< Mcp-Session-Id and MCP-Protocol-Version lines

    explicit session_client(std::uint16_t p) : port(p) {
        auto init = send(test::post(initialize));
        REQUIRE(init.status == 200);
        sid = session_of(init);
        headers = "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
    }
    test::reply send(const std::string& raw) const { return test::exchange(port, test::with_port(raw, port)); }
};

const std::string websocket_upgrade =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n\r\n";

using websocket_server =
    w::server_definition<w::transport::with_websocket<w::transport::streamable_http<w::transport::loopback>>,
                         w::credentials::env, w::auth::anonymous, w::storage::memory>;

} // namespace

TEST_CASE("streamable HTTP: the WebSocket endpoint of a with_websocket transport", "[http]") {
    auto settings = small_limits<websocket_server>();
    w::server<websocket_server> server{{.name = "t", .version = "1"}, settings};
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    CHECK(send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n").status == 426); // not an upgrade
    std::string no_subprotocol = websocket_upgrade;
    no_subprotocol.erase(no_subprotocol.find("Sec-WebSocket-Protocol"));
    CHECK(send(no_subprotocol + "\r\n").status == 400);
    std::string foreign = websocket_upgrade;
    foreign.insert(foreign.find("Connection:"), "Origin: http://evil.example.com\r\n");
    CHECK(send(foreign).status == 403);
    // A good upgrade: 101 and the subprotocol.
    auto upgraded = send(websocket_upgrade);
    CHECK(upgraded.status == 101);
    CHECK(upgraded.message["Sec-WebSocket-Protocol"] == "mcp");
}

TEST_CASE("streamable HTTP: the hostile request table", "[http]") {
    auto settings = small_limits<w::local_http_server>();
    settings.http.max_sessions = 100;
    settings.http.allowed_hosts = {"mcp.example.com", "*.tenants.example.com"};
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, settings};
    server.tool("echo", "echo", [] { return w::tool_result::text("x"); });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw, std::chrono::milliseconds pause = 0ms) {
        return test::exchange(port, test::with_port(raw, port), pause);
    };
    const std::string body = initialize;
    const std::string head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: application/json\r\n"
                             "Accept: application/json, text/event-stream\r\n";

    struct row {
        const char* name;
        std::string raw;
        unsigned status;
        bool must_close;
    };
    const row rows[] = {
        {"Content-Length with Transfer-Encoding (smuggling)",
         head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, true},
        {"two different Content-Length fields", head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}", 400, true},
        {"non-numeric Content-Length", head + "Content-Length: 1x\r\n\r\n{}", 400, true},

        {"a body over the cap, refused before it is read", head + "Content-Length: 10000000\r\n\r\n", 413, true},
        {"a chunked body over the cap", head + "Transfer-Encoding: chunked\r\n\r\n20000\r\n" + std::string(0x20000, 'x'),
         413, true},
        {"a request head over the cap", head + "X-Pad: " + std::string(8000, 'a') + "\r\n\r\n", 431, true},
        {"a malformed request line", "GARBAGE\r\n\r\n", 400, true},
        {"no Accept for event streams", test::post(body, "", "application/json"), 406, false},
        {"a Content-Type that is not JSON",
         head.substr(0, head.find("Content-Type")) + "Content-Type: text/plain\r\nAccept: application/json, "
                                                     "text/event-stream\r\nContent-Length: 2\r\n\r\n{}",
         415, false},
        {"malformed JSON", test::post("{\"jsonrpc\":"), 400, false},
        {"a request without a session", test::post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})"), 400, false},
        {"an unknown session", test::post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", "Mcp-Session-Id: nope\r\n"), 404,
         false},
        {"an unknown path", "GET /admin HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n", 404, false},
        {"an unsupported method", "PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Length: 0\r\n\r\n", 405, false},
        {"a legacy POST to an unknown session",
         "POST /messages?sessionId=nope HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: application/json\r\n"
         "Content-Length: 2\r\n\r\n{}",
         404, false},
        {"a legacy stream that does not accept SSE", "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n", 406, false},
        {"a WebSocket upgrade where the server's type has no WebSocket endpoint", websocket_upgrade, 404, false},
        {"Expect: 100-continue gets the interim response first",
         head + "Expect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body, 100,
         false},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        auto got = send(r.raw);
        CHECK(got.status == r.status);
        if (r.must_close) CHECK(got.closed_after);
    }

    // The head's framing and the fields every decision rests on, each with RFC 9112's
    // answer, the reason in the body, and the connection closed.
    const std::string line = "POST /mcp HTTP/1.1\r\n";
    const std::string rest = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                             "Content-Length: " + std::to_string(body.size()) + "\r\n";
    const std::string host = "Host: 127.0.0.1:PORT\r\n";
    struct framing_row {
        const char* name;
        std::string raw;
        unsigned status;
        const char* reason;
    };
    const framing_row framing[] = {
        {"chunked not the final coding", head + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
         "chunked is not the final transfer coding"},
        {"a coding without chunked", head + "Transfer-Encoding: gzip\r\n\r\n", 400,
         "chunked is not the final transfer coding"},
        {"a coding before chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
         "unsupported transfer coding"},
        {"a coding before chunked, in two fields",
         head + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501,
         "unsupported transfer coding"},
        {"two Host fields", line + host + "Host: evil.example.com\r\n" + rest + "\r\n" + body, 400,
         "more than one Host field"},
        {"two Host fields, the allowed one second", line + "Host: evil.example.com\r\n" + host + rest + "\r\n" + body,
         400, "more than one Host field"},
        {"no Host", line + rest + "\r\n" + body, 400, "no Host field"},
        {"a Host with userinfo", line + "Host: user@127.0.0.1:PORT\r\n" + rest + "\r\n" + body, 400,
         "a Host field that is not host[:port]"},
        {"an empty Host", line + "Host: \r\n" + rest + "\r\n" + body, 400, "a Host field that is not host[:port]"},
        {"two Origin fields",
         line + host + "Origin: http://127.0.0.1:PORT\r\nOrigin: http://evil.example.com\r\n" + rest + "\r\n" + body,
         400, "more than one Origin field"},
        {"obs-fold", line + host + "X-Note: one\r\n two\r\n" + rest + "\r\n" + body, 400,
         "a field folded over two lines (obs-fold)"},
        {"obs-fold with a tab", line + host + rest + "Mcp-Session-Id: a\r\n\tb\r\n\r\n" + body, 400,
         "a field folded over two lines (obs-fold)"},
        {"whitespace before the first field", line + " " + host + rest + "\r\n" + body, 400,
         "a field folded over two lines (obs-fold)"},
    };
    for (const auto& r : framing) {
        INFO(r.name);
        auto got = send(r.raw);
        CHECK(got.status == r.status);
        CHECK(got.closed_after);
        CHECK(got.message.body().find(r.reason) != std::string::npos);
    }
    // HTTP/1.0 needs no Host (the allowlist then refuses it); the well-formed twin passes.
    auto old_http = line;
    old_http.replace(old_http.find("1.1"), 3, "1.0");
    CHECK(send(old_http + rest + "\r\n" + body).status == 403);
    CHECK(send(line + host + rest + "\r\n" + body).status == 200);

    SECTION("Host and Origin (DNS rebinding)") {
        auto evil_host = send(test::post(body).replace(test::post(body).find("127.0.0.1:PORT"), 14, "evil.example.com"));
        CHECK(evil_host.status == 403);
        auto evil_origin = send(test::post(body, "Origin: http://evil.example.com\r\n"));
        CHECK(evil_origin.status == 403);
        for (const char* host : {"localhost:PORT", "[::1]:PORT"}) {
            std::string raw = test::post(body);
            raw.replace(raw.find("127.0.0.1:PORT"), 14, host);
            CHECK(send(raw).status == 200);
        }
        CHECK(send(test::post(body, "Origin: http://localhost:PORT\r\n")).status == 200);
        // Configured names: exact, any port, or one label under a wildcard domain.
        auto with_host = [&](const char* host) {
            std::string raw = test::post(body);
            return send(raw.replace(raw.find("127.0.0.1:PORT"), 14, host)).status;
        };
        CHECK(with_host("mcp.example.com") == 200);
        CHECK(with_host("MCP.example.com:8443") == 200);
        CHECK(with_host("acme.tenants.example.com") == 200);
        CHECK(with_host("acme.tenants.example.com:443") == 200);
        CHECK(with_host("tenants.example.com") == 403);
        CHECK(with_host("a.b.tenants.example.com") == 403);
        CHECK(with_host("eviltenants.example.com") == 403);
        CHECK(with_host("mcp.example.com.evil.net") == 403);
        CHECK(send(test::post(body, "Origin: http://127.0.0.1:PORT.evil.com\r\n")).status == 403);
    }
    SECTION("a slow client gets 408") {
        auto slow_head = send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n", 0ms);
        CHECK(slow_head.status == 408);
        auto slow_body = send(head + "Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        CHECK(slow_body.status == 408);
    }
    SECTION("/healthz answers without revealing anything") {
        auto h = send("GET /healthz HTTP/1.1\r\nHost: anything\r\n\r\n");
        CHECK(h.status == 200);
        CHECK(h.message.body() == R"({"status":"ok"})");
    }
    // The server kept serving through all of it.
    auto ok = send(test::post(body));
    CHECK(ok.status == 200);
    CHECK(ok.message[boost::beast::http::field::content_type] == "application/json");
    CHECK(session_of(ok).size() == 64);
}

TEST_CASE("streamable HTTP: read deadlines on a keep-alive connection (head, body, idle)", "[http]") {
    auto settings = small_limits<w::local_http_server>();
    settings.http.idle_timeout = 4000ms; // header and body: 300 ms
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, settings};
    test::running run(server);
    const auto port = run.port();
    boost::asio::io_context io;
    auto connect = [&] {
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        return socket;
    };
    boost::beast::flat_buffer buffer;
    auto answer = [&](boost::asio::ip::tcp::socket& socket, const std::string& raw) {
        boost::asio::write(socket, boost::asio::buffer(test::with_port(raw, port)));
        boost::beast::http::response<boost::beast::http::string_body> res;
        boost::system::error_code ec;
        boost::beast::http::read(socket, buffer, res, ec);
        return ec ? 0u : res.result_int();
    };
    const std::string health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n";
    using clock = std::chrono::steady_clock;

    auto socket = connect();
    CHECK(answer(socket, health) == 200);
    // Quiet for longer than the head and body deadlines, within the idle one: still served.
    std::this_thread::sleep_for(500ms);
    CHECK(answer(socket, health) == 200);
    std::this_thread::sleep_for(400ms);
    CHECK(answer(socket, health) == 200);
    // A body that stops short: 408 after the body deadline, not after the idle one that was
    // pending when its head arrived.
    const auto start = clock::now();
    CHECK(answer(socket, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: application/json\r\n"
                         "Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"") == 408);
    CHECK(clock::now() - start < 1500ms);

    // An idle keep-alive connection is closed after the idle deadline.
    auto idle = connect();
    CHECK(answer(idle, health) == 200);
    const auto quiet = clock::now();
    char byte;
    boost::system::error_code ec;
    idle.read_some(boost::asio::buffer(&byte, 1), ec);
    CHECK(ec == boost::asio::error::eof);
    CHECK(clock::now() - quiet > 3500ms);
    CHECK(clock::now() - quiet < 7000ms);
}

TEST_CASE("streamable HTTP: sessions, SSE, notifications, DELETE", "[http]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    server.tool("chatty", "logs, then answers", [](w::call_context& ctx) {
        ctx.log(w::log_level::info, "working");
        return w::tool_result::text("done");
    });
    test::running run(server);
    const session_client c(run.port());
    auto send = [&](const std::string& raw) { return c.send(raw); };
    const std::string& sid = c.sid;
    const std::string& h = c.headers;

    CHECK(send(test::post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h)).status == 202);
    auto ping = send(test::post(R"({"jsonrpc":"2.0","id":"p","method":"ping"})", h));
    CHECK(ping.status == 200);
    CHECK(boost::json::parse(ping.message.body()).at("id") == "p");
    // A session negotiated at 2025-11-25 accepts an older header (the conformance suite sends one).
    CHECK(send(test::post(R"({"jsonrpc":"2.0","id":3,"method":"ping"})",
                          "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-03-26\r\n"))
              .status == 200);

    CHECK(send(test::post(R"({"jsonrpc":"2.0","id":3,"method":"ping"})",
                          "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 1999-01-01\r\n"))
              .status == 400);

    // A tool that logs first answers with an SSE stream: the notification, then the result.
    auto call = send(test::post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"chatty"}})", h));
    CHECK(call.status == 200);
    CHECK(call.message[boost::beast::http::field::content_type] == "text/event-stream");
    const auto& sse = call.message.body();
    auto log_at = sse.find("notifications/message");
    auto result_at = sse.find("\"id\":4");
    CHECK(log_at != std::string::npos);
    CHECK(result_at != std::string::npos);
    CHECK(log_at < result_at);
    CHECK(sse.find("id: ") != std::string::npos);

    // DELETE ends the session; afterwards it is unknown.
    CHECK(send("DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n" + h + "\r\n").status == 200);
    CHECK(send(test::post(R"({"jsonrpc":"2.0","id":5,"method":"ping"})", h)).status == 404);
}

namespace {
// Runs `body` as a coroutine on a fresh io_context until it finishes.
template <class F>
void run_coroutine(F body) {
    boost::asio::io_context io;
    boost::asio::co_spawn(io, body(io.get_executor()), boost::asio::detached);
    io.run();
}
} // namespace

TEST_CASE("event_stream: replay after a consumer is gone, bounded history, takeover", "[http]") {
    using w::transport::detail::event_stream;
    run_coroutine([](boost::asio::any_io_executor ex) -> boost::asio::awaitable<void> {
        auto s = std::make_shared<event_stream>(ex, false, 4);
        s->make_resumable(7);
        for (int i = 1; i <= 3; ++i) s->push("m" + std::to_string(i), false);
        event_stream::event e;
        auto got = co_await s->next(e, 1s, 1);
        CHECK(got == event_stream::status::event);
        CHECK(e.data == "m1");
        CHECK(e.seq == 1);
        // The first consumer's connection dies after m1; a new consumer resumes after 1.
        s->detach(1);
        const auto g2 = s->resume(ex, 1);
        REQUIRE(g2 == 2);
        got = co_await s->next(e, 1s, 1);
        CHECK(got == event_stream::status::taken); // the old consumer is superseded
        got = co_await s->next(e, 1s, g2);
        CHECK(e.data == "m2");
        got = co_await s->next(e, 1s, g2);
        CHECK(e.data == "m3");
        // Replaying from the start again works while the events are kept...
        const auto g3 = s->resume(ex, 0);
        REQUIRE(g3 == 3);
        got = co_await s->next(e, 1s, g3);
        CHECK(e.data == "m1");
        // ...but only the last 4 delivered events are kept.
        for (int i = 4; i <= 10; ++i) s->push("m" + std::to_string(i), i == 10);
        for (int i = 2; i <= 10; ++i) got = co_await s->next(e, 1s, g3);
        CHECK(e.data == "m10");
        CHECK(e.final);
        CHECK(s->resume(ex, 0) == 0);  // m1 is gone
        CHECK(s->resume(ex, 11) == 0); // never sent
        const auto g4 = s->resume(ex, 9);
        REQUIRE(g4 != 0);
        got = co_await s->next(e, 1s, g4);
        CHECK(e.data == "m10");
        // A consumer waiting for an event is woken by a push, and ends at close.
        auto t = std::make_shared<event_stream>(ex);
        boost::asio::post(ex, [t] { t->push("late", false); t->close(); });
        got = co_await t->next(e, 5s, 1);
        CHECK(e.data == "late");
        got = co_await t->next(e, 5s, 1);
        CHECK(got == event_stream::status::end);
        CHECK(t->resume(ex, 0) == 0); // never made resumable
    });
}

TEST_CASE("event_stream: a GET stream nobody reads keeps only its newest events", "[http]") {
    using w::transport::detail::event_stream;
    run_coroutine([](boost::asio::any_io_executor ex) -> boost::asio::awaitable<void> {
        auto s = std::make_shared<event_stream>(ex, true, 3);
        s->make_resumable(1);
        s->detach(1);
        for (int i = 1; i <= 10; ++i) s->push("m" + std::to_string(i), false);
        CHECK(s->resume(ex, 0) == 0);
        const auto g = s->resume(ex, 7);
        REQUIRE(g != 0);
        event_stream::event e;
        auto got = co_await s->next(e, 1s, g);
        CHECK(got == event_stream::status::event);
        CHECK(e.data == "m8");
    });
}

TEST_CASE("streamable HTTP: a dropped SSE response is resumed with Last-Event-ID", "[http]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    server.tool("two_steps", "logs, waits for the test, logs again, answers", [released](w::call_context& ctx) {
        ctx.log(w::log_level::info, "step one");
        released.wait();
        ctx.log(w::log_level::info, "step two");
        return w::tool_result::text("done");
    });
    server.resource({.uri = "test://r", .name = "r"},
                    [](const std::string& uri) { return w::resource_contents::text(uri, "text/plain", "r"); });
    test::running run(server);
    const auto port = run.port();
    const session_client c(port);
    auto send = [&](const std::string& raw) { return c.send(raw); };
    const std::string& h = c.headers;
    CHECK(send(test::post(R"({"jsonrpc":"2.0","method":"logging/setLevel","id":0,"params":{"level":"info"}})", h))
              .status == 200);

    // Read the SSE response up to its first event, then drop the connection.
    const std::string seen = test::read_until(
        port, test::with_port(test::post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"two_steps"}})", h), port),
        "step one");
    const auto id_at = seen.find("\nid: ");
    REQUIRE(id_at != std::string::npos);
    const std::string last_id = seen.substr(id_at + 5, seen.find('\n', id_at + 1) - id_at - 5);
    CHECK(last_id.find('-') != std::string::npos);
    release.set_value();

    const std::string get = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept: text/event-stream\r\n" + h;
    auto resumed = send(get + "Last-Event-ID: " + last_id + "\r\n\r\n");
    CHECK(resumed.status == 200);
    const auto& body = resumed.message.body();
    CHECK(body.find("step one") == std::string::npos); // already seen: not replayed
    CHECK(body.find("step two") != std::string::npos);
    CHECK(body.find(R"("id":4)") != std::string::npos);
    CHECK(body.find(R"("text":"done")") != std::string::npos);
    // The events stay replayable for a while: a second resume from the same point sees them again.
    auto again = send(get + "Last-Event-ID: " + last_id + "\r\n\r\n");
    CHECK(again.message.body().find("step two") != std::string::npos);

    // The GET stream opens with a priming event; what is sent while it is disconnected
    // waits for the client that resumes from it.
    CHECK(send(test::post(R"({"jsonrpc":"2.0","id":5,"method":"resources/subscribe","params":{"uri":"test://r"}})", h))
              .status == 200);
    const std::string opened = test::read_until(port, test::with_port(get + "\r\n", port), "id: ");
    const auto priming_at = opened.find("id: ");
    REQUIRE(priming_at != std::string::npos);
    const std::string priming = opened.substr(priming_at + 4, opened.find('\n', priming_at) - priming_at - 4);
    CHECK(priming.ends_with("-0"));
    std::this_thread::sleep_for(100ms); // the server notices the drop when it next writes
    server.notify_resource_updated("test://r");
    server.notify_resource_updated("test://r");
    const std::string caught_up = test::read_until(
        port, test::with_port(get + "Last-Event-ID: " + priming + "\r\n\r\n", port), "notifications/resources/updated");
    CHECK(caught_up.find("200 OK") != std::string::npos);
    CHECK(caught_up.find("notifications/resources/updated") != std::string::npos);
    // A malformed or unknown Last-Event-ID opens a fresh stream instead.
    for (const char* bad : {"x", "1-", "-1", "999-0", "1-99999", "1--1"}) {
        const std::string fresh = test::read_until(
            port, test::with_port(get + "Last-Event-ID: " + bad + "\r\n\r\n", port), "id: ", 2000ms);
        CHECK(fresh.find("200 OK") != std::string::npos);
        CHECK(fresh.find("-0\ndata: \n\n") != std::string::npos);
    }
}

TEST_CASE("streamable HTTP: session cap and idle expiry", "[http]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(session_of(send(test::post(initialize))));
    auto over = send(test::post(initialize));
    CHECK(over.status == 503);
    CHECK(over.message.body().find("too many sessions") != std::string::npos);
    std::this_thread::sleep_for(700ms); // the idle timeout is 400 ms
    auto expired = send(test::post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", "Mcp-Session-Id: " + ids[0] + "\r\n"));
    CHECK(expired.status == 404);
    CHECK(send(test::post(initialize)).status == 200);
}

TEST_CASE("streamable HTTP: a session is bound to the principal that created it", "[http]") {
    w::server<identity_server> server{{.name = "t", .version = "1"}, small_limits<identity_server>()};
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    auto refused = send(test::post(initialize));
    CHECK(refused.status == 401);
    CHECK(refused.message[boost::beast::http::field::www_authenticate] == R"(Test realm="warden")");
    CHECK(boost::json::parse(refused.message.body()).at("error") == "invalid_request");
    auto alice = send(test::post(initialize, "X-Test-User: alice\r\n"));
    REQUIRE(alice.status == 200);
    const std::string sid = "Mcp-Session-Id: " + session_of(alice) + "\r\n";
    const std::string ping = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
    CHECK(send(test::post(ping, sid + "X-Test-User: alice\r\n")).status == 200);
    CHECK(send(test::post(ping, sid + "X-Test-User: mallory\r\n")).status == 403);
}

TEST_CASE("streamable HTTP: stateless mode", "[http]") {
    auto settings = small_limits<w::local_http_server>();
    settings.http.stateless = true;
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, settings};
    server.tool("echo", "echo", [] { return w::tool_result::text("x"); });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    auto init = send(test::post(initialize));
    CHECK(init.status == 200);
    CHECK(session_of(init).empty());
    auto call = send(test::post(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}})"));
    CHECK(call.status == 200);
    CHECK(boost::json::parse(call.message.body()).at("result").at("content").at(0).at("text") == "x");
    CHECK(send("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept: text/event-stream\r\n\r\n").status == 405);
    CHECK(send(test::post(R"({"jsonrpc":"2.0","id":8,"method":"ping"})", "MCP-Protocol-Version: 1999-01-01\r\n")).status ==
          400);
}

TEST_CASE("loopback channel refuses to bind a non-loopback address", "[http]") {
    auto settings = small_limits<w::local_http_server>();
    settings.http.address = "0.0.0.0";
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, settings};
    CHECK(server.run() == w::exit_config_error);
}

TEST_CASE("behind_tls_terminator believes X-Forwarded-* from trusted proxies only", "[http]") {
    auto probe = [](std::vector<std::string> trusted) {
        auto settings = small_limits<proxied_server>();
        settings.http.stateless = true;
        settings.http.trusted_proxies = std::move(trusted);
        w::server<proxied_server> server{{.name = "t", .version = "1"}, settings};
        server.tool("who", "who am I", [](w::call_context& ctx) { return w::tool_result::text(ctx.caller().subject); });
        test::running run(server);
        auto r = test::exchange(run.port(), test::with_port(test::post(
            R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"who"}})",
            "X-Forwarded-For: 198.51.100.9, 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"), run.port()));
        REQUIRE(r.status == 200);
        return std::string(boost::json::parse(r.message.body()).at("result").at("content").at(0).at("text").as_string());
    };
    CHECK(probe({"127.0.0.1"}) == "203.0.113.7 https"); // the address the proxy itself saw, not the client's claim
    CHECK(probe({"10.9.9.9"}) == "127.0.0.1 http");    // from anyone else the fields are ignored
    CHECK(probe({}) == "127.0.0.1 http");
}

namespace {
using bearer_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::file,
                                           w::auth::bearer, w::storage::memory>;
struct token_dir {
    std::string path;
    token_dir() {
        char tmpl[] = "/tmp/warden-tokens-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~token_dir() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& value, mode_t mode = 0600) const {
        const auto p = path + "/" + name;
        std::filesystem::remove(p);
        std::ofstream(p) << value << "\n";
        ::chmod(p.c_str(), mode);
    }
    void remove(const std::string& name) const { std::filesystem::remove(path + "/" + name); }
};
} // namespace

TEST_CASE("auth gate: bearer over HTTP, per-tool scopes as 403 challenges, rotation without restart", "[http][auth]") {
    const std::string old_token = "old-0123456789abcdef0123";
    const std::string new_token = "new-0123456789abcdef0123";
    token_dir dir;
    dir.write("MCP_TOKEN", old_token);
    auto s = small_limits<bearer_server>();
    s.credentials_directory = dir.path;
    s.credential_reload_interval = 0ms; // reloads are asked for below
    s.auth.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}, .scopes = {"read"}},
                            {.name = "ci", .credentials = {"MCP_TOKEN_NEXT"}, .scopes = {"read"}, .required = false}};
    w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
    server.tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("read"); });
    server.tool(w::tool_spec{.name = "writer", .scopes = {"read", "write"}}, [](w::call_context&) { return w::tool_result::text("wrote"); });
    server.tool(w::tool_spec{.name = "signed_only", .schemes = {"hmac"}}, [](w::call_context&) { return w::tool_result::text("x"); });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    auto auth = [](const std::string& t) { return "Authorization: Bearer " + t + "\r\n"; };

    auto anonymous = send(test::post(initialize));
    CHECK(anonymous.status == 401);
    CHECK(anonymous.message[boost::beast::http::field::www_authenticate] == R"(Bearer realm="mcp")");
    auto wrong = send(test::post(initialize, auth("wrong-0123456789abcdef")));
    CHECK(wrong.status == 401);
    CHECK(wrong.message[boost::beast::http::field::www_authenticate].find(R"(error="invalid_token")") != std::string::npos);
    CHECK(send(test::post(initialize, auth(old_token) + "Authorization: Bearer x\r\n")).status == 400);
    // Credentials come from the header section only: a chunked body's trailer is never read
    // for them (RFC 9110 §6.5.1), nor for anything else.
    auto chunked = [&](const std::string& head_fields, const std::string& trailer) {
        std::ostringstream size;
        size << std::hex << initialize.size();
        return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: application/json\r\n"
               "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n" +
               head_fields + "\r\n" + size.str() + "\r\n" + initialize + "\r\n0\r\n" + trailer + "\r\n";
    };
    auto in_trailer = send(chunked("Trailer: Authorization\r\n", auth(old_token)));
    CHECK(in_trailer.status == 401);
    CHECK(in_trailer.message[boost::beast::http::field::www_authenticate] == R"(Bearer realm="mcp")");
    // The token in the head, another in the trailer: the head's alone counts.
    CHECK(send(chunked(auth(old_token), auth("wrong-0123456789abcdef"))).status == 200);
    CHECK(send(chunked(auth(old_token) + "Trailer: Origin\r\n", "Origin: http://evil.example.com\r\n")).status == 200);

    auto init = send(test::post(initialize, auth(old_token)));
    REQUIRE(init.status == 200);
    const std::string h = "Mcp-Session-Id: " + session_of(init) + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
    auto call = [&](const char* tool, const std::string& token) {
        return send(test::post(std::string(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":")") +
                                   tool + R"("}})",
                               h + auth(token)));
    };
    CHECK(call("reader", old_token).status == 200);
    auto denied = call("writer", old_token);
    CHECK(denied.status == 403);
    CHECK(denied.message[boost::beast::http::field::www_authenticate].find(R"(error="insufficient_scope")") !=
          std::string::npos);
    CHECK(denied.message[boost::beast::http::field::www_authenticate].find(R"(scope="read write")") != std::string::npos);
    // A tool that requires another scheme refuses a bearer caller whatever its scopes.
    auto wrong_scheme = call("signed_only", old_token);
    CHECK(wrong_scheme.status == 403);
    CHECK(wrong_scheme.message.body().find("needs authentication by hmac") != std::string::npos);

    // Rotation: the new token is added, both work, the old one goes; no restart.
    dir.write("MCP_TOKEN_NEXT", new_token);
    REQUIRE(server.reload_credentials().value());
    CHECK(call("reader", old_token).status == 200);
    CHECK(call("reader", new_token).status == 200); // same grant name: the session's owner still
    dir.remove("MCP_TOKEN");
    // MCP_TOKEN is required: with it gone the reload fails and the previous tokens stay.
    auto failed = server.reload_credentials();
    REQUIRE_FALSE(failed);
    CHECK(failed.error().message().find("MCP_TOKEN") != std::string::npos);
    CHECK(call("reader", old_token).status == 200);
    dir.write("MCP_TOKEN", new_token + "-third-0123");
    REQUIRE(server.reload_credentials().value());
    CHECK(call("reader", old_token).status == 401);
    CHECK(call("reader", new_token).status == 200);
    // A credential file with loose permissions is refused; what was in force stays.
    dir.write("MCP_TOKEN_NEXT", "changed-0123456789abcdef", 0644);
    CHECK_FALSE(server.reload_credentials());
    CHECK(call("reader", new_token).status == 200);
    // SIGHUP reloads too.
    dir.write("MCP_TOKEN_NEXT", "after-hangup-0123456789");
    ::raise(SIGHUP);
    unsigned status = 0;
    for (int i = 0; i < 100 && status != 200; ++i) {
        std::this_thread::sleep_for(20ms);
        status = call("reader", "after-hangup-0123456789").status;
    }
    CHECK(status == 200);
}

TEST_CASE("debug header logging shows credentials only as a short hash", "[http][log]") {
    boost::beast::http::fields f;
    f.set("Host", "127.0.0.1:8080");
    f.set("Authorization", "Bearer tok-0123456789abcdef");
    f.set("X-API-Key", "k_live_123456");
    f.set("X-Request-Signature", "sig123456");
    f.set("Cookie", "sid=abcdef");
    f.set("Mcp-Session-Id", "0123456789abcdef");
    f.set("Accept", "application/json");
    const auto line = w::transport::detail::describe_headers(f);
    for (const char* secret : {"tok-0123456789abcdef", "k_live_123456", "sig123456", "sid=abcdef", "0123456789abcdef"})
        CHECK(line.find(secret) == std::string::npos);
    CHECK(line.find("Host: 127.0.0.1:8080") != std::string::npos);
    CHECK(line.find("Accept: application/json") != std::string::npos);
    CHECK(line.find("Authorization: [redacted fp:") != std::string::npos);
}

// ---- the stateless era (MCP 2026-07-28) over HTTP ----

namespace {
constexpr const char* modern_meta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

std::string modern_body(int id, std::string_view method, std::string_view params = "") {
    std::string p = params.empty() ? std::string(modern_meta) : std::string(params) + "," + modern_meta;
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + std::string(method) + R"(","params":{)" +
           p + "}}";
}
const std::string v2026 = "MCP-Protocol-Version: 2026-07-28\r\n";
std::string mcp_method(std::string_view m) { return "Mcp-Method: " + std::string(m) + "\r\n"; }

template <class Definition>
void add_header_fixtures(w::server<Definition>& server) {
    server.tool("hello", "says hi", [] { return w::tool_result::text("hi"); });
    server.tool(w::tool_spec{.name = "echo",
                             .description = "echoes its region",
                             .input_schema = boost::json::parse(R"({"type":"object","properties":{
                                 "region":{"type":"string","x-mcp-header":"Region"}}})").as_object()},
                [](const boost::json::object& args) {
                    const auto* r = args.if_contains("region");
                    return w::tool_result::text(r && r->is_string() ? std::string(r->get_string()) : "none");
                });
}
} // namespace

TEST_CASE("streamable HTTP, 2026-07-28: headers mirror the body (status and code for each mismatch)", "[http][modern]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    add_header_fixtures(server);
    test::running run(server);
    const auto port = run.port();
    struct row {
        const char* what;
        std::string body;
        std::string headers;
        unsigned status;
        int code; ///< 0: a result
    };
    const std::string call_hello = modern_body(3, "tools/call", R"("name":"hello")");
    auto call_echo = [](std::string_view region) {
        return modern_body(4, "tools/call", std::string(R"("name":"echo","arguments":{"region":")") + std::string(region) + "\"}");
    };
    const std::string tc = v2026 + mcp_method("tools/call");
    const std::vector<row> table = {
        {"all headers right", modern_body(1, "tools/list"), v2026 + mcp_method("tools/list"), 200, 0},
        {"header names in any case", modern_body(1, "tools/list"), "mcp-protocol-version: 2026-07-28\r\nMCP-METHOD: tools/list\r\n", 200, 0},
        {"no MCP-Protocol-Version", modern_body(1, "tools/list"), mcp_method("tools/list"), 400, -32020},
        {"header and _meta versions differ", R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}})",
         v2026 + mcp_method("tools/list"), 400, -32020},
        {"a version nobody serves", R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}})",
         "MCP-Protocol-Version: v999.0.0\r\n" + mcp_method("tools/list"), 400, -32022},
        {"2026 header, no _meta", R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}})", v2026 + mcp_method("server/discover"), 400, -32602},
        {"_meta without capabilities", R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})",
         v2026 + mcp_method("server/discover"), 400, -32602},
        {"no Mcp-Method", modern_body(1, "tools/list"), v2026, 400, -32020},
        {"Mcp-Method names another method", modern_body(1, "tools/list"), v2026 + mcp_method("prompts/list"), 400, -32020},
        {"Mcp-Method in another case", modern_body(1, "tools/list"), v2026 + mcp_method("TOOLS/LIST"), 400, -32020},
        {"an unknown method", modern_body(2, "nope/nothing"), v2026 + mcp_method("nope/nothing"), 404, -32601},
        {"initialize in this era", modern_body(2, "initialize"), v2026 + mcp_method("initialize"), 404, -32601},
        {"ping in this era", modern_body(2, "ping"), v2026 + mcp_method("ping"), 404, -32601},
        {"no Mcp-Name", call_hello, tc, 400, -32020},
        {"Mcp-Name names another tool", call_hello, tc + "Mcp-Name: echo\r\n", 400, -32020},
        {"Mcp-Name with spaces around", call_hello, tc + "Mcp-Name:   hello  \r\n", 200, 0},
        {"Mcp-Name in base64", call_hello, tc + "Mcp-Name: =?base64?aGVsbG8=?=\r\n", 200, 0},
        {"Mcp-Name in broken base64", call_hello, tc + "Mcp-Name: =?base64?aGVsbG8?=\r\n", 400, -32020},
        {"Mcp-Param-Region right", call_echo("eu"), tc + "Mcp-Name: echo\r\nMcp-Param-Region: eu\r\n", 200, 0},
        {"Mcp-Param-Region missing", call_echo("eu"), tc + "Mcp-Name: echo\r\n", 400, -32020},
        {"Mcp-Param-Region differs", call_echo("eu"), tc + "Mcp-Name: echo\r\nMcp-Param-Region: us\r\n", 400, -32020},
        {"Mcp-Param-Region in base64", call_echo("Hello"), tc + "Mcp-Name: echo\r\nmcp-param-region: =?base64?SGVsbG8=?=\r\n", 200, 0},
        {"no argument, no header", modern_body(4, "tools/call", R"("name":"echo","arguments":{})"), tc + "Mcp-Name: echo\r\n", 200, 0},
        {"a header without a body value", modern_body(4, "tools/call", R"("name":"echo","arguments":{})"),
         tc + "Mcp-Name: echo\r\nMcp-Param-Region: eu\r\n", 400, -32020},
        {"Mcp-Param-Region twice", call_echo("eu"), tc + "Mcp-Name: echo\r\nMcp-Param-Region: eu\r\nMcp-Param-Region: us\r\n", 400, -32020},
        {"Mcp-Name twice", call_hello, tc + "Mcp-Name: hello\r\nMcp-Name: hello\r\n", 400, -32020},
        {"a session id is ignored", modern_body(1, "tools/list"), v2026 + mcp_method("tools/list") + "Mcp-Session-Id: bogus\r\n", 200, 0},
        {"a posted response", R"({"jsonrpc":"2.0","id":1,"result":{}})", v2026, 400, -32600},
    };
    for (const auto& r : table) {
        INFO(r.what);
        auto got = test::exchange(port, test::with_port(test::post(r.body, r.headers), port));
        CHECK(got.status == r.status);
        const auto body = boost::json::parse(got.message.body()).as_object();
        if (r.code == 0) {
            CHECK(body.at("result").at("resultType") == "complete");
        } else {
            CHECK(body.at("error").at("code") == r.code);
            CHECK(body.at("id") == boost::json::parse(r.body).at("id")); // every error names its request
        }
        CHECK(got.message["Mcp-Session-Id"].empty());
    }
    // A notification needs nothing back.
    CHECK(test::exchange(port, test::with_port(test::post(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})",
                                                          v2026), port)).status == 202);
    // The session era goes on beside it.
    CHECK(test::exchange(port, test::with_port(test::post(initialize), port)).status == 200);

    // Progress makes an SSE response that no proxy should buffer; its events are one-line JSON.
    server.tool("slow", "reports progress", [](w::call_context& ctx) {
        ctx.progress(1, 2);
        ctx.progress(2, 2);
        return w::tool_result::text("done");
    });
    const auto sse = test::read_until(
        port,
        test::with_port(test::post(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow","_meta":{"progressToken":"p","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
                                   tc + "Mcp-Name: slow\r\n"),
                        port),
        R"("resultType":"complete")");
    CHECK(sse.find("Content-Type: text/event-stream") != std::string::npos);
    CHECK(sse.find("X-Accel-Buffering: no") != std::string::npos);
    CHECK(sse.find(R"("progress":2)") != std::string::npos);
}

TEST_CASE("streamable HTTP, 2026-07-28: subscriptions/listen over SSE", "[http][modern]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    add_header_fixtures(server);
    test::running run(server);
    const auto port = run.port();
    const auto listen = test::with_port(
        test::post(R"({"jsonrpc":"2.0","id":"L","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},)" +
                       std::string(modern_meta) + "}}",
                   v2026 + mcp_method("subscriptions/listen")),
        port);
    auto stream = std::async(std::launch::async, [&] { return test::read_until(port, listen, "tools/list_changed"); });
    // Until the listen request is open (a slow machine may take a while): a change of the
    // prompts, which it did not ask for, then one of the tools.
    for (int i = 0; i < 50 && stream.wait_for(100ms) != std::future_status::ready; ++i) {
        server.notify_list_changed("prompts");
        server.notify_list_changed("tools");
    }
    const auto seen = stream.get();
    const auto ack = seen.find("notifications/subscriptions/acknowledged");
    const auto changed = seen.find("notifications/tools/list_changed");
    REQUIRE(ack != std::string::npos);
    REQUIRE(changed != std::string::npos);
    CHECK(ack < changed);
    CHECK(seen.find("prompts/list_changed") == std::string::npos);
    CHECK(seen.find(R"("params":{"_meta":{"io.modelcontextprotocol/subscriptionId":"L"}})") != std::string::npos);
    CHECK(seen.find("X-Accel-Buffering: no") != std::string::npos);
}

namespace {
using modern_only_server =
    w::server_definition<w::transport::modern_only<w::transport::streamable_http<w::transport::loopback>>,
                         w::credentials::env, w::auth::anonymous, w::storage::memory>;
}

TEST_CASE("streamable HTTP, 2026-07-28: a modern-only server", "[http][modern]") {
    static_assert(!modern_only_server::transport::serves_session_era);
    w::server<modern_only_server> server{{.name = "t", .version = "1"}, small_limits<modern_only_server>()};
    add_header_fixtures(server);
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    auto init = send(test::post(initialize));
    CHECK(init.status == 400);
    const auto refused = boost::json::parse(init.message.body());
    CHECK(refused.at("error").at("code") == -32022);
    CHECK(refused.at("error").at("data").at("supported") == boost::json::array{"2026-07-28"});
    CHECK(refused.at("error").at("data").at("requested") == "2025-11-25");
    CHECK(refused.at("id") == 1);
    CHECK(send(test::post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")).status == 202);
    CHECK(send("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept: text/event-stream\r\nMcp-Session-Id: x\r\n\r\n").status == 405);
    CHECK(send("DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nMcp-Session-Id: x\r\n\r\n").status == 405);
    CHECK(send("GET /sse HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept: text/event-stream\r\n\r\n").status == 404);
    auto discover = send(test::post(modern_body(5, "server/discover"), v2026 + mcp_method("server/discover") +
                                                                            "Mcp-Session-Id: ignored\r\nLast-Event-ID: 1-1\r\n"));
    CHECK(discover.status == 200);
    CHECK(boost::json::parse(discover.message.body()).at("result").at("supportedVersions") == boost::json::array{"2026-07-28"});
}

TEST_CASE("streamable HTTP, 2026-07-28: per-tool scopes from the headers, before the body; scope hierarchies", "[http][modern][auth]") {
    token_dir dir;
    dir.write("MCP_TOKEN", "reader-0123456789abcdef0123");
    dir.write("MCP_ADMIN", "admin-0123456789abcdef01234");
    auto s = small_limits<bearer_server>();
    s.credentials_directory = dir.path;
    s.auth.bearer.tokens = {{.name = "reader", .credentials = {"MCP_TOKEN"}, .scopes = {"read", "offline_access"}},
                            {.name = "admin", .credentials = {"MCP_ADMIN"}, .scopes = {"admin"}}};
    w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
    server.scope_implies("admin", {"write"}).scope_implies("write", {"read"});
    server.tool(w::tool_spec{.name = "writer", .scopes = {"read", "write"}}, [] { return w::tool_result::text("wrote"); });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& raw) { return test::exchange(port, test::with_port(raw, port)); };
    const std::string headers = v2026 + mcp_method("tools/call") + "Mcp-Name: writer\r\n";
    // Decided from Mcp-Method and Mcp-Name: the body is not even JSON.
    auto early = send(test::post("not json", headers + "Authorization: Bearer reader-0123456789abcdef0123\r\n"));
    CHECK(early.status == 403);
    const std::string challenge(early.message[boost::beast::http::field::www_authenticate]);
    CHECK(challenge.find(R"(error="insufficient_scope")") != std::string::npos);
    CHECK(challenge.find(R"(scope="read write")") != std::string::npos); // every scope the call needs, at once
    CHECK(challenge.find("offline_access") == std::string::npos);
    // The admin scope implies write, which implies read.
    auto admin = send(test::post(modern_body(1, "tools/call", R"("name":"writer")"),
                                 headers + "Authorization: Bearer admin-0123456789abcdef01234\r\n"));
    CHECK(admin.status == 200);
    CHECK(boost::json::parse(admin.message.body()).at("result").at("content").at(0).at("text") == "wrote");
    // The body stays the source of truth: a harmless Mcp-Name does not let the body call writer.
    auto smuggled = send(test::post(modern_body(1, "tools/call", R"("name":"writer")"),
                                    v2026 + mcp_method("tools/call") + "Mcp-Name: other\r\n" +
                                        "Authorization: Bearer reader-0123456789abcdef0123\r\n"));
    CHECK(smuggled.status == 400);
}

TEST_CASE("streamable HTTP, 2026-07-28: a client that goes away cancels its request", "[http][modern]") {
    w::server<w::local_http_server> server{{.name = "t", .version = "1"}, small_limits<w::local_http_server>()};
    std::promise<bool> stopped;
    std::atomic<bool> started{false};
    server.tool("wait", "waits until cancelled", [&](w::call_context& ctx) {
        started = true;
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (!ctx.cancelled() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
        stopped.set_value(ctx.cancelled());
        return w::tool_result::text("stopped");
    });
    test::running run(server);
    const auto port = run.port();
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        const auto raw = test::with_port(test::post(modern_body(1, "tools/call", R"("name":"wait")"),
                                                    v2026 + mcp_method("tools/call") + "Mcp-Name: wait\r\n"),
                                         port);
        boost::asio::write(socket, boost::asio::buffer(raw));
        for (int i = 0; i < 200 && !started; ++i) std::this_thread::sleep_for(10ms);
        REQUIRE(started);
    } // the client closes its connection: the revision's cancellation over HTTP
    auto cancelled = stopped.get_future();
    REQUIRE(cancelled.wait_for(5s) == std::future_status::ready);
    CHECK(cancelled.get());
}

TEST_CASE("beyond loopback, a server answers only to its host names or refuses to start", "[http]") {
    // behind_tls_terminator under profile::production, on every interface, with no list.
    auto settings = small_limits<proxied_server>();
    settings.http.address = "0.0.0.0";
    {
        w::server<proxied_server> refused{{.name = "t", .version = "1"}, settings};
        CHECK(refused.run() == w::exit_config_error); // before it binds anything
    }
    // With the names clients use, only those get an answer.
    settings.http.allowed_hosts = {"mcp.example.com"};
    settings.http.stateless = true;
    w::server<proxied_server> server{{.name = "t", .version = "1"}, settings};
    server.tool("who", "who am I", [](w::call_context& ctx) { return w::tool_result::text(ctx.caller().subject); });
    test::running run(server);
    const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"who"}})";
    auto with_host = [&](const std::string& host) {
        std::string raw = test::post(call);
        const auto at = raw.find("Host: ");
        raw.replace(at, raw.find("\r\n", at) - at, "Host: " + host);
        return test::exchange(run.port(), raw).status;
    };
    CHECK(with_host("mcp.example.com") == 200);
    CHECK(with_host("mcp.example.com:8443") == 200);
    CHECK(with_host("rebound.attacker.example") == 403);
    CHECK(with_host("127.0.0.1:" + std::to_string(run.port())) == 403);
}

TEST_CASE("handlers see the credentials declared for them, never those that verify callers", "[http][auth][credentials]") {
    const std::string token = "caller-0123456789abcdef0123";
    token_dir dir;
    dir.write("MCP_TOKEN", token);
    dir.write("UPSTREAM_TOKEN", "upstream-secret-value");
    auto s = small_limits<bearer_server>();
    s.credentials_directory = dir.path;
    s.http.stateless = true;
    // The author declares the upstream token for handlers, and (by mistake or habit) the
    // bearer token's variable as well: the scheme's variable stays out of handlers' reach.
    s.credentials = {{"UPSTREAM_TOKEN", "for the upstream API", true, true}, {"MCP_TOKEN", "the callers' token", true, true}};
    s.auth.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}, .scopes = {"read"}}};
    w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
    server.tool("visible", "which credentials a handler sees", [](w::call_context& ctx) {
        std::string seen;
        for (const char* name : {"UPSTREAM_TOKEN", "MCP_TOKEN"})
            if (const auto* v = ctx.credentials().find_secret(name)) seen += std::string(name) + (v->matches("upstream-secret-value") ? "=ok " : "=? ");
        return w::tool_result::text(seen);
    });
    test::running run(server);
    const auto port = run.port();
    auto r = test::exchange(port, test::with_port(test::post(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"visible"}})",
                                                             "Authorization: Bearer " + token + "\r\n"),
                                                  port));
    REQUIRE(r.status == 200);
    CHECK(boost::json::parse(r.message.body()).at("result").at("content").at(0).at("text") == "UPSTREAM_TOKEN=ok ");
    // The server itself (setup code: upstream clients, token managers) still has them all.
    CHECK(server.credentials().find_secret("MCP_TOKEN"));
}

TEST_CASE("requestState: servers sharing a key open each other's states; others refuse; a reload rotates it",
          "[http][modern][request_state]") {
    using state_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::file,
                                              w::auth::anonymous, w::storage::memory>;
    const std::string key_a = w::crypto::base64_encode(std::string(32, 'a'));
    token_dir shared, alone;
    shared.write("STATE_KEY", key_a);
    auto make = [](const token_dir& dir) {
        auto s = small_limits<state_server>();
        s.credentials_directory = dir.path;
        s.credential_reload_interval = 0ms;
        s.request_state_key_variable = "STATE_KEY";
        auto server = std::make_unique<w::server<state_server>>(w::server_info{.name = "t", .version = "1"}, s);
        auto ask = [](w::call_context& ctx) {
            auto name = ctx.elicit("Your name?", boost::json::parse(R"({"type":"object","properties":{"name":{"type":"string"}}})").as_object(), "who");
            if (!name) return w::tool_result::error(name.error().message());
            return w::tool_result::text(std::string(name.value().content.at("name").as_string()));
        };
        server->tool("ask", "asks a name", ask);
        // The same, answered on the I/O thread by the server's one shared session.
        server->tool(w::tool_spec{.name = "ask_here", .description = "asks a name", .run_inline = true}, ask);
        return server;
    };
    auto a = make(shared), b = make(shared), c = make(alone); // c: no key, the process's own
    test::running run_a(*a), run_b(*b), run_c(*c);
    const std::string meta =
        R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}})";
    char next_key = 'z';
    for (const std::string tool : {"ask", "ask_here"}) {
        INFO(tool);
        auto call = [&](std::uint16_t port, const std::string& extra) {
            const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")" + tool +
                                     R"(","arguments":{})" + extra + "," + meta + "}}";
            auto r = test::exchange(
                port, test::with_port(test::post(body, v2026 + mcp_method("tools/call") + "Mcp-Name: " + tool + "\r\n"), port));
            REQUIRE(r.status == 200);
            return boost::json::parse(r.message.body()).as_object();
        };
        const auto first = call(run_a.port(), "");
        REQUIRE(first.at("result").at("resultType") == "input_required");
        const std::string state(first.at("result").at("requestState").as_string());
        const std::string retry = R"(,"inputResponses":{"who":{"action":"accept","content":{"name":"Ada"}}},"requestState":")" + state + "\"";
        // Another instance with the same key opens it.
        const auto on_b = call(run_b.port(), retry);
        REQUIRE(on_b.contains("result"));
        CHECK(on_b.at("result").at("content").at(0).at("text") == "Ada");
        // One without the key cannot.
        const auto on_c = call(run_c.port(), retry);
        REQUIRE(on_c.contains("error"));
        CHECK(on_c.at("error").at("code") == -32602);
        // A reload with a new key: states sealed under the old one no longer open there.
        const std::string key = w::crypto::base64_encode(std::string(32, next_key--));
        shared.write("STATE_KEY", key);
        REQUIRE(a->reload_credentials());
        const auto rotated = call(run_a.port(), retry);
        REQUIRE(rotated.contains("error"));
        CHECK(rotated.at("error").at("code") == -32602);
        // What it seals under the new key opens there.
        const auto fresh = call(run_a.port(), "");
        const std::string state2(fresh.at("result").at("requestState").as_string());
        const std::string retry2 = R"(,"inputResponses":{"who":{"action":"accept","content":{"name":"Bo"}}},"requestState":")" + state2 + "\"";
        CHECK(call(run_a.port(), retry2).at("result").at("content").at(0).at("text") == "Bo");
        REQUIRE(b->reload_credentials()); // b follows, for the next tool's round
    }
}

TEST_CASE("stateless HTTP: a tool that never blocks is answered without a session, notifications first, "
          "with the credentials of the latest reload", "[http][modern][credentials]") {
    using file_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::file,
                                             w::auth::anonymous, w::storage::memory>;
    token_dir dir;
    dir.write("UPSTREAM_TOKEN", "first-upstream-value");
    auto s = small_limits<file_server>();
    s.credentials_directory = dir.path;
    s.credential_reload_interval = 0ms;
    s.http.stateless = true;
    s.credentials = {{"UPSTREAM_TOKEN", "for the upstream API", true, true}};
    w::server<file_server> server{{.name = "t", .version = "1"}, std::move(s)};
    server.tool(w::tool_spec{.name = "quick", .description = "reports progress", .run_inline = true},
                [](w::call_context& ctx) {
                    ctx.progress(1, 2, "half");
                    const auto* v = ctx.credentials().find_secret("UPSTREAM_TOKEN");
                    if (v && v->matches("first-upstream-value")) return w::tool_result::text("first");
                    if (v && v->matches("second-upstream-value")) return w::tool_result::text("second");
                    return w::tool_result::text("none");
                });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& body, const std::string& headers = "") {
        return test::exchange(port, test::with_port(test::post(body, headers), port));
    };
    auto text_of = [](const test::reply& r) {
        return std::string(boost::json::parse(r.message.body()).at("result").at("content").at(0).at("text").as_string());
    };
    const std::string call = R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"quick"}})";
    // No progress token: the notification goes nowhere, the response alone.
    auto plain = send(call);
    REQUIRE(plain.status == 200);
    CHECK(plain.message[boost::beast::http::field::content_type] == "application/json");
    CHECK(text_of(plain) == "first");
    // With one, in both eras: the progress notification, then the response, as one stream.
    const std::string session_era =
        R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"quick","_meta":{"progressToken":"t1"}}})";
    const std::string stateless_era =
        R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"quick","_meta":{"progressToken":"t2",)"
        R"("io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
    for (const auto& [body, headers] : {std::pair{session_era, std::string()},
                                        std::pair{stateless_era, v2026 + mcp_method("tools/call") + "Mcp-Name: quick\r\n"}}) {
        INFO(body);
        auto streamed = send(body, headers);
        REQUIRE(streamed.status == 200);
        CHECK(streamed.message[boost::beast::http::field::content_type] == "text/event-stream");
        const std::string& events = streamed.message.body();
        const auto progress = events.find("\"notifications/progress\"");
        const auto result = events.find("\"result\"");
        REQUIRE(progress != std::string::npos);
        REQUIRE(result != std::string::npos);
        CHECK(progress < result);
        CHECK(events.find("\"half\"") != std::string::npos);
    }
    // A reload reaches handlers answered this way too.
    dir.write("UPSTREAM_TOKEN", "second-upstream-value");
    REQUIRE(server.reload_credentials());
    CHECK(text_of(send(call)) == "second");
}

TEST_CASE("Accept: media ranges match without regard to case, parameters or spaces", "[http]") {
    using w::transport::detail::accepts;
    CHECK(accepts("application/json", "application/json"));
    CHECK(accepts("Application/JSON", "application/json"));
    CHECK(accepts("text/html, application/json;q=0.9", "application/json"));
    CHECK(accepts("text/html,\tapplication/*", "application/json"));
    CHECK(accepts("*/*", "text/event-stream"));
    CHECK(accepts("TEXT/*; q=1", "text/event-stream"));
    CHECK_FALSE(accepts("application/jsonx", "application/json"));
    CHECK_FALSE(accepts("application/json-seq", "application/json"));
    CHECK_FALSE(accepts("text/*", "application/json"));
    CHECK_FALSE(accepts("application/", "application/json"));
    CHECK_FALSE(accepts("", "application/json"));
}
