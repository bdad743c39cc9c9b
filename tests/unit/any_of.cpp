#include <warden/auth/any_of.hpp>

#include <warden/auth/anonymous.hpp>
#include <warden/auth/api_key.hpp>
#include <warden/auth/bearer.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

namespace w = warden;

namespace {
using both = w::auth::any_of<w::auth::bearer, w::auth::api_key<"X-API-Key">>;
const std::string token = "tok-0123456789abcdef0123";
const std::string key = "key-0123456789abcdef";

w::auth_settings settings() {
    w::auth_settings s;
    s.bearer.tokens = {{.name = "bearer-user", .credentials = {"T"}, .scopes = {"write"}}};
    s.api_key.keys = {{.name = "key-user", .credentials = {"K"}, .scopes = {"read"}}};
    return s;
}
} // namespace

TEST_CASE("any_of: the scheme whose credential is presented decides, with no fallback", "[auth][any_of]") {
    STATIC_REQUIRE(both::sends_reusable_secret);
    STATIC_REQUIRE(both::requires_http);
    STATIC_REQUIRE_FALSE(both::is_anonymous);
    auto a = both::configure(test::credentials({{"T", token}, {"K", key}}), settings());
    REQUIRE(a);
    const auto& scheme = a.value();
    auto by_bearer = scheme.authenticate(test::request({{"Authorization", "Bearer " + token}}).view());
    REQUIRE(test::admitted(by_bearer));
    CHECK(test::admitted(by_bearer)->scheme == "bearer");
    auto by_key = scheme.authenticate(test::request({{"X-API-Key", key}}).view());
    REQUIRE(test::admitted(by_key));
    CHECK(test::admitted(by_key)->subject == "key-user");
    // A wrong bearer token is refused even though a valid API key is there too.
    auto no_fallback =
        scheme.authenticate(test::request({{"Authorization", "Bearer wrong-0123456789abcdef"}, {"X-API-Key", key}}).view());
    REQUIRE(test::refused(no_fallback));
    CHECK(test::refused(no_fallback)->error == "invalid_token");
    // Nothing presented: every scheme's challenge.
    auto nothing = scheme.authenticate(test::request({}).view());
    REQUIRE(test::refused(nothing));
    CHECK(test::refused(nothing)->status == 401);
    CHECK(test::refused(nothing)->www_authenticate == R"(Bearer realm="mcp", ApiKey realm="mcp", header="X-API-Key")");
    // A credential only in the query string is never read: nothing was presented.
    auto query = scheme.authenticate(test::request({}, "/mcp?access_token=x").view());
    REQUIRE(test::refused(query));
    CHECK(test::refused(query)->status == 401);
    CHECK(test::refused(query)->error.empty());
    // An Authorization field that names no scheme is malformed for every scheme.
    auto colon = scheme.authenticate(test::request({{"Authorization", "Bearer: " + token}}).view());
    REQUIRE(test::refused(colon));
    CHECK(test::refused(colon)->status == 400);
    CHECK(test::refused(colon)->error == "invalid_request");
    // Every scheme's variables are declared, once each.
    CHECK(both::variables(settings()).size() == 2);
    // One scheme misconfigured: the whole set is.
    auto broken = both::configure(test::credentials({{"T", token}}), settings());
    REQUIRE_FALSE(broken);
    CHECK(broken.error().message() == "no API key is configured: set K");
}

TEST_CASE("any_of: anonymous last makes authentication optional, and says so", "[auth][any_of]") {
    using optional_auth = w::auth::any_of<w::auth::bearer, w::auth::anonymous>;
    STATIC_REQUIRE(optional_auth::is_anonymous); // rule 7 treats it as unauthenticated
    auto a = optional_auth::configure(test::credentials({{"T", token}}), settings());
    REQUIRE(a);
    auto anon = a.value().authenticate(test::request({}).view());
    REQUIRE(test::admitted(anon));
    CHECK(test::admitted(anon)->scheme == "anonymous");
    // A presented but wrong token is still refused, not downgraded to anonymous.
    auto wrong = a.value().authenticate(test::request({{"Authorization", "Bearer wrong-0123456789abcdef"}}).view());
    CHECK(test::refused(wrong));
}
