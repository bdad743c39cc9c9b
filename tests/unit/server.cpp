#include <warden/server.hpp>

#include <warden/deployments.hpp>
#include <warden/storage/encrypted_file.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

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

namespace {
// A plain function, compiled once: what a program offers, whatever definitions it serves.
void offer_shared(warden::server_base& s) {
    s.tool("shared", "offered by every definition", [] { return std::string("x"); })
        .resource({.uri = "r://shared", .name = "shared"},
                  [](const std::string& uri) { return warden::resource_contents::text(uri, "text/plain", "s"); });
}
} // namespace

TEST_CASE("server: server_base registers for any definition", "[server]") {
    static_assert(std::is_base_of_v<warden::server_base, warden::server<warden::local_stdio_server>>);
    static_assert(!std::is_copy_constructible_v<warden::server_base>);
    warden::server<warden::test_stdio_server> one{{.name = "one", .version = "1"}};
    warden::server<warden::local_stdio_server> two{{.name = "two", .version = "1"}};
    offer_shared(one);
    offer_shared(two);
    // Registered in each server: a second registration of the name is refused in both.
    CHECK_THROWS_AS(one.tool("shared", "again", [] { return std::string(); }), std::invalid_argument);
    CHECK_THROWS_AS(two.tool("shared", "again", [] { return std::string(); }), std::invalid_argument);
}

TEST_CASE("server: the storage policy's credentials are loaded with the others; its store opens from them",
          "[server][storage]") {
    using encrypted_stdio = warden::server_definition<warden::transport::stdio, warden::credentials::literal,
                                                      warden::auth::process_env, warden::storage::encrypted_file,
                                                      warden::profile::test>;
    char tmpl[] = "/tmp/warden-server-store-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    warden::settings s;
    s.log_threshold = warden::log_level::emergency;
    s.storage.directory = dir + "/tokens";
    {
        warden::server<encrypted_stdio> server{{.name = "t", .version = "1"}, s};
        CHECK_FALSE(server.storage()); // before the credentials
        auto r = server.load_credentials();
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("WARDEN_STORAGE_KEY") != std::string::npos);
    }
    s.literal_credentials = {{"WARDEN_STORAGE_KEY", "dGVzdC1vbmx5LXN0b3JhZ2Uta2V5LTAxMjM0NTY3ODk="}};
    warden::server<encrypted_stdio> server{{.name = "t", .version = "1"}, s};
    REQUIRE(server.load_credentials());
    auto store = server.storage();
    REQUIRE(store);
    REQUIRE(store.value()->put("tenant", "k", "v"));
    CHECK(server.storage().value() == store.value()); // opened once
    std::filesystem::remove_all(dir);
}

TEST_CASE("server: the requestState key comes from the credentials, checked and never shown", "[server][credentials][modern]") {
    warden::settings bad;
    bad.literal_credentials = {{"WARDEN_REQUEST_STATE_KEY", "c2hvcnQta2V5"}}; // 9 bytes
    warden::server<warden::test_stdio_server> refused{{.name = "t", .version = "1"}, bad};
    auto r = refused.load_credentials();
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("WARDEN_REQUEST_STATE_KEY must be base64 of 32 random bytes") != std::string::npos);
    CHECK(r.error().message().find("c2hvcnQta2V5") == std::string::npos);

    warden::settings good;
    good.literal_credentials = {{"WARDEN_REQUEST_STATE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}};
    warden::server<warden::test_stdio_server> keyed{{.name = "t", .version = "1"}, good};
    CHECK(keyed.load_credentials());
    // Without the variable a random key of the process serves: no credential is required.
    warden::server<warden::test_stdio_server> unkeyed{{.name = "t", .version = "1"}};
    CHECK(unkeyed.load_credentials());
}
