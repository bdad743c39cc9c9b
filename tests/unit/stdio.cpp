#include <warden/transport/stdio.hpp>

#include "process.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace std::chrono_literals;
using boost::json::parse;

namespace {
const std::string init =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
    "\n"
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
    "\n";

boost::json::value next_json(test::child& c) {
    auto line = c.read_line();
    REQUIRE(line);
    INFO(*line);
    return parse(*line);
}
} // namespace

TEST_CASE("stdio: stdout carries only protocol messages; logs go to stderr", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio", "--log-level", "debug"});
    c.write(init);
    auto r = next_json(c);
    CHECK(r.at("id") == 0);
    CHECK(r.at("result").at("serverInfo").at("name") == "warden-everything");
    c.close_stdin();
    CHECK(c.wait(10s) == std::optional<int>(0));
    CHECK_FALSE(c.read_line(200ms)); // nothing else was written to stdout
    CHECK(c.stderr_text().find("session initialized") != std::string::npos);
}

TEST_CASE("stdio: a malformed line gets -32700 and the server keeps serving", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio"});
    c.write(init);
    next_json(c);
    c.write("{this is not json\n\n   \n");
    auto err = next_json(c);
    CHECK(err.at("error").at("code") == -32700);
    CHECK(err.at("id").is_null());
    c.write(R"({"jsonrpc":"2.0","id":2,"method":"ping"})" "\r\n");
    CHECK(next_json(c).at("id") == 2);
}

TEST_CASE("stdio: an oversized line is refused without holding it", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio"});
    c.write(init);
    next_json(c);
    // 6 MiB in one line, over the 4 MiB default cap, written in pieces.
    const std::string piece(1 << 20, 'x');
    c.write(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")");
    for (int i = 0; i < 6; ++i) c.write(piece);
    c.write("\"}}\n");
    auto err = next_json(c);
    CHECK(err.at("error").at("code") == -32600);
    CHECK(err.at("error").at("message").as_string().find("refused") != boost::json::string::npos);
    c.write(R"({"jsonrpc":"2.0","id":3,"method":"ping"})" "\n");
    CHECK(next_json(c).at("id") == 3);
}

TEST_CASE("stdio: requests are served concurrently", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio"});
    c.write(init);
    next_json(c);
    c.write(R"({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"sleep","arguments":{"milliseconds":3000}}})" "\n");
    c.write(R"({"jsonrpc":"2.0","id":"ping","method":"ping"})" "\n");
    auto first = next_json(c);
    CHECK(first.at("id") == "ping");
}

TEST_CASE("stdio: end of input lets in-flight requests finish, then exits 0", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio"});
    c.write(init);
    next_json(c);
    c.write(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"sleep","arguments":{"milliseconds":300}}})");
    c.close_stdin(); // the last line has no newline: still served
    boost::json::value last;
    while (auto line = c.read_line(5s)) last = parse(*line);
    CHECK(last.at("id") == 9);
    CHECK(last.at("result").at("content").at(0).at("text") == "slept 300 ms");
    CHECK(c.wait(5s) == std::optional<int>(0));
}

TEST_CASE("stdio: SIGTERM cancels in-flight work and exits promptly", "[stdio]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio"});
    c.write(init);
    next_json(c);
    c.write(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sleep","arguments":{"milliseconds":60000},"_meta":{"progressToken":"p"}}})" "\n");
    // The tool's first progress notification says it is running: the signal lands mid-call.
    const auto progress = next_json(c);
    REQUIRE(progress.at("method") == "notifications/progress");
    const auto start = std::chrono::steady_clock::now();
    c.signal(SIGTERM);
    CHECK(c.wait(5s) == std::optional<int>(0));
    CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("stdio: unknown options exit 2 with usage; --help lists the environment", "[stdio][cli]") {
    test::child bad({WARDEN_EVERYTHING_PATH, "--bogus"});
    CHECK(bad.wait(5s) == std::optional<int>(2));
    CHECK(bad.stderr_text().find("unknown option \"--bogus\"") != std::string::npos);
    test::child help({WARDEN_EVERYTHING_PATH, "--help"});
    std::string text;
    while (auto line = help.read_line(2s)) text += *line + "\n";
    CHECK(help.wait(5s) == std::optional<int>(0));
    CHECK(text.find("EVERYTHING_UPSTREAM_TOKEN") != std::string::npos);
}

TEST_CASE("stdio: the upstream credential comes from the environment and is never shown", "[stdio][credentials]") {
    test::child c({WARDEN_EVERYTHING_PATH, "--stdio", "--log-level", "debug"},
                  {"EVERYTHING_UPSTREAM_TOKEN=tok-very-secret-123"});
    c.write(init);
    next_json(c);
    c.write(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"upstream_credential"}})" "\n");
    auto r = next_json(c);
    const auto text = std::string(r.at("result").at("content").at(0).at("text").as_string());
    CHECK(text.find("upstream token configured: fp:") == 0);
    c.close_stdin();
    c.wait(5s);
    CHECK(text.find("very-secret") == std::string::npos);
    CHECK(c.stderr_text().find("very-secret") == std::string::npos);
}
