#include <warden/detail/http_fetch.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>

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

TEST_CASE("URLs in errors and logs lose userinfo, query and fragment", "[http_fetch]") {
    CHECK(d::redacted_url("https://u:p@idp.example:8443/realms/a?token=x#frag") == "https://idp.example:8443/realms/a?[redacted]");
    CHECK(d::redacted_url("https://idp.example/jwks") == "https://idp.example/jwks");
    CHECK(d::redacted_url("not a url") == "(a malformed URL)");
    auto refused = d::http_get("http://u:p@example.com/x?secret=1", {.allow_loopback_http = true});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "http://example.com/x?[redacted]: only https URLs are fetched (plain http only to "
                                       "loopback, outside profile::production)");
}
