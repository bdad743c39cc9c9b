#include <warden/auth/api_key.hpp>

#include <warden/credentials/literal.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace w = warden;

namespace {
using one_header = w::auth::api_key<"X-API-Key">;
using key_pair = w::auth::api_key<"X-API-Key", "X-API-Secret">;
const std::string key = "k_live_4f9a2c7e81d3";
const std::string secret_value = "s_7d1e0b9c3a5f2e4d6c8b";

w::auth_settings pair_settings() {
    w::auth_settings s;
    s.api_key.keys = {{.name = "acme-app", .credentials = {"ACME_KEY", "ACME_SECRET"}, .scopes = {"read"}}};
    return s;
}
} // namespace

TEST_CASE("api_key: one header, hostile inputs", "[auth][api_key]") {
    w::auth_settings s;
    s.api_key.keys = {{.name = "app", .credentials = {"APP_KEY"}, .scopes = {"read"}}};
    auto a = one_header::configure(test::credentials({{"APP_KEY", key}}), s);
    REQUIRE(a);
    struct row {
        const char* what;
        test::request req;
        unsigned status;
        const char* error;
        const char* description; // why it is refused ("" for the bare challenge)
    };
    const row rows[] = {
        {"the key", {{"X-API-Key", key}}, 0, nullptr, nullptr},
        {"header name in another case", {{"x-api-key", key}}, 0, nullptr, nullptr},
        {"no header", {}, 401, "", ""},
        {"empty", {{"X-API-Key", ""}}, 401, "invalid_token", "malformed API key"},
        {"a prefix", {{"X-API-Key", key.substr(0, 8)}}, 401, "invalid_token", "unknown API key"},
        {"a suffix", {{"X-API-Key", key + "0"}}, 401, "invalid_token", "unknown API key"},
        {"wrong case", {{"X-API-Key", "K_LIVE_4F9A2C7E81D3"}}, 401, "invalid_token", "unknown API key"},
        {"embedded NUL", {{"X-API-Key", key + '\0' + "x"}}, 401, "invalid_token", "unknown API key"},
        {"twice", {{"X-API-Key", key}, {"X-API-Key", key}}, 400, "invalid_request", "X-API-Key given more than once"},
        {"as a bearer token", {{"Authorization", "Bearer " + key}}, 401, "", ""},
        {"in the query as well", test::request({{"X-API-Key", key}}, "/mcp?access_token=" + key), 400, "invalid_request",
         "credentials in both a header and the query string"},
        {"only in the query (never read)", test::request({}, "/mcp?access_token=" + key), 401, "", ""},
        {"at the length cap", {{"X-API-Key", std::string(4096, 'k')}}, 401, "invalid_token", "unknown API key"},
        {"oversize", {{"X-API-Key", std::string(4097, 'k')}}, 401, "invalid_token", "malformed API key"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = a.value().authenticate(r.req.view());
        if (!r.error) {
            REQUIRE(test::admitted(g));
            CHECK(test::admitted(g)->subject == "app");
            CHECK(test::admitted(g)->scheme == "api_key");
            continue;
        }
        const auto* c = test::refused(g);
        REQUIRE(c);
        CHECK(c->status == r.status);
        CHECK(c->error == r.error);
        CHECK(c->description == r.description);
        if (!*r.error) CHECK(c->www_authenticate == R"(ApiKey realm="mcp", header="X-API-Key")");
        CHECK(c->description.find(key.substr(0, 6)) == std::string::npos);
    }
    CHECK(one_header::presents(test::request({{"X-API-Key", "x"}}).view()));
    CHECK_FALSE(one_header::presents(test::request({{"Authorization", "Bearer x"}}).view()));
}

TEST_CASE("api_key: a key and its secret must both match", "[auth][api_key]") {
    auto a = key_pair::configure(test::credentials({{"ACME_KEY", key}, {"ACME_SECRET", secret_value}}), pair_settings());
    REQUIRE(a);
    auto ok = a.value().authenticate(test::request({{"X-API-Key", key}, {"X-API-Secret", secret_value}}).view());
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->subject == "acme-app");
    auto key_only = a.value().authenticate(test::request({{"X-API-Key", key}}).view());
    REQUIRE(test::refused(key_only));
    CHECK(test::refused(key_only)->error == "invalid_token");
    CHECK(test::refused(key_only)->description == "incomplete API key: send X-API-Key X-API-Secret");
    auto swapped = a.value().authenticate(test::request({{"X-API-Key", secret_value}, {"X-API-Secret", key}}).view());
    REQUIRE(test::refused(swapped));
    CHECK(test::refused(swapped)->description == "unknown API key");
    auto wrong_secret = a.value().authenticate(test::request({{"X-API-Key", key}, {"X-API-Secret", key}}).view());
    REQUIRE(test::refused(wrong_secret));
    CHECK(test::refused(wrong_secret)->description == "unknown API key");
    auto empty_secret = a.value().authenticate(test::request({{"X-API-Key", key}, {"X-API-Secret", ""}}).view());
    REQUIRE(test::refused(empty_secret));
    CHECK(test::refused(empty_secret)->description == "malformed API key");
}

TEST_CASE("api_key: empty or missing configured keys stop the server", "[auth][api_key]") {
    auto missing = key_pair::configure(test::credentials({{"ACME_KEY", key}}), pair_settings());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message() == "no API key is configured: set ACME_KEY, ACME_SECRET");
    // An empty value is no key at all (not a key too short to use).
    auto empty_secret = key_pair::configure(test::credentials({{"ACME_KEY", key}, {"ACME_SECRET", ""}}), pair_settings());
    REQUIRE_FALSE(empty_secret);
    CHECK(empty_secret.error().message() == "no API key is configured: set ACME_KEY, ACME_SECRET");
    w::auth_settings one;
    one.api_key.keys = {{.name = "app", .credentials = {"APP_KEY"}}};
    for (const auto& creds : {test::credentials({{"APP_KEY", ""}}), test::credentials({})}) {
        auto none = one_header::configure(creds, one);
        REQUIRE_FALSE(none);
        CHECK(none.error() == w::errc::missing_credentials);
        CHECK(none.error().message() == "no API key is configured: set APP_KEY");
    }
    // At start-up the credential source already stops on an empty or absent required key,
    // naming it.
    w::credential_request req;
    req.variables = one_header::variables(one);
    for (const auto& values : {std::map<std::string, std::string, std::less<>>{{"APP_KEY", ""}},
                               std::map<std::string, std::string, std::less<>>{}}) {
        req.literal_values = values;
        auto loaded = w::credentials::literal::load(req);
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().message() == "literal credentials: 1 required credential missing:\n  APP_KEY - API key for app");
    }
    auto wrong_arity = key_pair::configure(test::credentials({{"APP_KEY", key}}), one);
    REQUIRE_FALSE(wrong_arity);
    CHECK(wrong_arity.error().message().find("it needs 2") != std::string::npos);
    auto control = one_header::configure(test::credentials({{"APP_KEY", "tab\there"}}), one);
    REQUIRE_FALSE(control);
    CHECK(control.error().message() == "APP_KEY: contains a character that is not visible ASCII");
    // A key short enough to guess is refused, and the message does not show it.
    auto short_key = one_header::configure(test::credentials({{"APP_KEY", "k_live_4f9a2c7"}}), one);
    REQUIRE_FALSE(short_key);
    CHECK(short_key.error().message().starts_with("APP_KEY: shorter than 16 characters"));
    CHECK(short_key.error().message().find("k_live") == std::string::npos);
    CHECK(one_header::configure(test::credentials({{"APP_KEY", "k_live_4f9a2c7e8"}}), one)); // 16: enough
}
