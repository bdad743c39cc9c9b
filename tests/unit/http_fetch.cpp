#include <warden/detail/http_fetch.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace w = warden;
namespace d = warden::detail;
using namespace std::chrono_literals;

TEST_CASE("Cache-Control max-age", "[http_fetch]") {
    CHECK(d::cache_max_age("max-age=300") == 300s);
    CHECK(d::cache_max_age("public, max-age=60, must-revalidate") == 60s);
    CHECK(d::cache_max_age("no-store") == 0s);
    CHECK(d::cache_max_age("private, no-cache") == 0s);
    CHECK_FALSE(d::cache_max_age("public"));
    CHECK_FALSE(d::cache_max_age("max-age=-1"));
    CHECK_FALSE(d::cache_max_age("max-age=1e9"));
    CHECK_FALSE(d::cache_max_age("max-age=99999999999999999999"));
}

TEST_CASE("fetches go over https, plain http only to loopback when allowed", "[http_fetch]") {
    auto refused = [](const std::string& url, d::fetch_options o = {}) {
        auto r = d::http_get(url, o);
        return !r && r.error() == warden::errc::invalid_argument;
    };
    CHECK(refused("http://127.0.0.1:9/jwks.json"));                               // not allowed
    CHECK(refused("http://example.com/jwks.json", {.allow_loopback_http = true})); // not loopback
    CHECK(refused("http://10.0.0.1/jwks.json", {.allow_loopback_http = true}));
    CHECK(refused("ftp://127.0.0.1/jwks.json", {.allow_loopback_http = true}));
    CHECK(refused("jwks.json"));
    CHECK(d::loopback_host("127.0.0.1"));
    CHECK(d::loopback_host("::1"));
    CHECK(d::loopback_host("localhost"));
    CHECK_FALSE(d::loopback_host("127.0.0.1.example.com"));
    CHECK_FALSE(d::loopback_host("2130706433"));
}

TEST_CASE("a fetch that cannot connect fails at once with the reason", "[http_fetch]") {
    // A port that was free a moment ago: nothing listens there.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = a.local_endpoint().port();
    a.close();
    auto r = d::http_get("http://127.0.0.1:" + std::to_string(port) + "/jwks.json",
                         {.timeout = 3000ms, .allow_loopback_http = true});
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("cannot connect") != std::string::npos);
    // The error names the URL without what may be a credential: userinfo, query, fragment.
    auto secret = d::http_get("http://user:hunter2@127.0.0.1:" + std::to_string(port) + "/jwks.json?key=s3cr3t#f",
                              {.timeout = 3000ms, .allow_loopback_http = true});
    REQUIRE_FALSE(secret);
    const auto message = secret.error().message();
    CHECK(message.find("127.0.0.1:" + std::to_string(port) + "/jwks.json") != std::string::npos);
    for (const char* hidden : {"user", "hunter2", "s3cr3t", "#f"}) {
        INFO(hidden);
        CHECK(message.find(hidden) == std::string::npos);
    }
}

TEST_CASE("the timeout bounds name resolution too", "[http_fetch]") {
    using clock = std::chrono::steady_clock;
    // A resolver that takes 2 s to answer, like a DNS server that drops queries.
    auto slow = [](const std::string&) -> w::result<std::vector<boost::asio::ip::address>> {
        std::this_thread::sleep_for(2s);
        return std::vector<boost::asio::ip::address>{boost::asio::ip::make_address("127.0.0.1")};
    };
    const auto start = clock::now();
    auto r = d::http_get("https://slow.example.com/jwks.json",
                         {.timeout = 200ms, .allow_loopback_http = true, .resolve = slow});
    const auto took = clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error() == w::errc::timeout);
    CHECK_THAT(r.error().message(), Catch::Contains("cannot resolve slow.example.com in time"));
    CHECK(took < 1500ms); // not the resolver's 2 s
    // What the resolver answers is where the request goes; a failure is named.
    auto nowhere = [](const std::string& host) -> w::result<std::vector<boost::asio::ip::address>> {
        return w::failure(w::errc::closed, "cannot resolve " + host + ": no such host");
    };
    auto r2 = d::http_get("https://missing.example.com/x", {.timeout = 2000ms, .allow_loopback_http = true, .resolve = nowhere});
    REQUIRE_FALSE(r2);
    CHECK_THAT(r2.error().message(), Catch::Contains("GET https://missing.example.com/x: cannot resolve missing.example.com: no such host"));
    // Address literals are not resolved at all.
    bool asked = false;
    auto spy = [&](const std::string&) -> w::result<std::vector<boost::asio::ip::address>> {
        asked = true;
        return std::vector<boost::asio::ip::address>{};
    };
    (void)d::http_get("http://127.0.0.1:9/x", {.timeout = 2000ms, .allow_loopback_http = true, .resolve = spy});
    (void)d::http_get("http://[::1]:9/x", {.timeout = 2000ms, .allow_loopback_http = true, .resolve = spy});
    CHECK_FALSE(asked);
    // The system's resolver, for a name every host knows.
    auto local = d::http_get("http://localhost:9/x", {.timeout = 3000ms, .allow_loopback_http = true});
    REQUIRE_FALSE(local);
    CHECK_THAT(local.error().message(), Catch::Contains("cannot connect"));
}

TEST_CASE("URLs in errors and logs lose userinfo, query and fragment", "[http_fetch]") {
    CHECK(d::redacted_url("https://u:p@idp.example:8443/realms/a?token=x#frag") == "https://idp.example:8443/realms/a?[redacted]");
    CHECK(d::redacted_url("https://idp.example/jwks") == "https://idp.example/jwks");
    CHECK(d::redacted_url("not a url") == "(a malformed URL)");
    auto refused = d::http_get("http://u:p@example.com/x?secret=1", {.allow_loopback_http = true});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "http://example.com/x?[redacted]: only https URLs are fetched (plain http only to "
                                       "loopback, outside profile::production)");
}
