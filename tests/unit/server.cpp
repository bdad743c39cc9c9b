#include <warden/server.hpp>

#include <warden/deployments.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>

TEST_CASE("server: missing required credentials stop it before it serves", "[server][credentials]") {
    ::unsetenv("WARDEN_SERVER_TEST_A");
    ::unsetenv("WARDEN_SERVER_TEST_B");
    warden::settings s;
    s.log_threshold = warden::log_level::emergency;
    s.credentials = {{"WARDEN_SERVER_TEST_A", "first token", true, true},
                     {"WARDEN_SERVER_TEST_B", "second token", true, true}};
    warden::server<warden::local_stdio_server> server{{.name = "t", .version = "1"}, s};
    auto r = server.load_credentials();
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("WARDEN_SERVER_TEST_A - first token") != std::string::npos);
    CHECK(r.error().message().find("WARDEN_SERVER_TEST_B - second token") != std::string::npos);
    // run() refuses to serve: it returns before touching stdin.
    CHECK(server.run() == warden::exit_config_error);
}

TEST_CASE("server: literal credentials in a test definition", "[server][credentials]") {
    warden::settings s;
    s.credentials = {{"API_KEY", "key", true, true}};
    s.literal_credentials = {{"API_KEY", "k-1"}};
    warden::server<warden::test_stdio_server> server{{.name = "t", .version = "1"}, s};
    REQUIRE(server.load_credentials());
    CHECK(server.credentials().find_secret("API_KEY")->matches("k-1"));
}

TEST_CASE("server: registration API", "[server]") {
    warden::server<warden::test_stdio_server> server{{.name = "t", .version = "1"}};
    server.tool("a", "A", [] { return std::string("text result"); })
        .tool("b", "B", warden::requires_scopes{"x:write"}, [](warden::call_context&) { return warden::tool_result{}; })
        .resource({.uri = "r://1", .name = "one"}, [](const std::string& uri) {
            return warden::resource_contents::text(uri, "text/plain", "1");
        })
        .prompt({.name = "p"}, [](const warden::prompt_arguments&) { return warden::prompt_result{}; });
    CHECK_THROWS_AS(server.tool("a", "dup", [] { return std::string(); }), std::invalid_argument);
}
