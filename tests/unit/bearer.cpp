#include <warden/auth/bearer.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace w = warden;
using namespace std::string_literals;

namespace {
const std::string old_token = "old-token-0123456789abcdef";
const std::string new_token = "new-token-0123456789abcdef";

w::auth_settings two_tokens() {
    w::auth_settings s;
    s.bearer.tokens = {{.name = "ci", .credentials = {"TOKEN_OLD"}, .scopes = {"tools:read"}},
                       {.name = "ci", .credentials = {"TOKEN_NEW"}, .scopes = {"tools:read"}, .required = false},
                       {.name = "admin", .credentials = {"TOKEN_ADMIN"}, .scopes = {"tools:read", "tools:write"},
                        .required = false}};
    return s;
}
} // namespace

TEST_CASE("bearer: the hostile input table", "[auth][bearer]") {
    auto b = w::auth::bearer::configure(test::credentials({{"TOKEN_OLD", old_token}}), two_tokens());
    REQUIRE(b);
    const auto& scheme = b.value();
    struct row {
        const char* what;
        test::request req;
        unsigned status;
        const char* error;  // "" = none; nullptr = admitted
        const char* reason; // the refusal's description: the check that refused it
    };
    const std::string nul = "Bearer " + old_token + '\0' + "x";
    const std::string bearer = "Bearer " + old_token;
    constexpr const char* not_one = "the bearer credentials are not one token68";
    constexpr const char* unknown = "unknown bearer token";
    const row rows[] = {
        {"the token", {{"Authorization", bearer}}, 0, nullptr, ""},
        {"scheme in lower case", {{"Authorization", "bearer " + old_token}}, 0, nullptr, ""},
        {"scheme in upper case", {{"Authorization", "BEARER " + old_token}}, 0, nullptr, ""},
        {"two spaces after the scheme", {{"Authorization", "Bearer  " + old_token}}, 0, nullptr, ""},
        // Nothing presented: the challenge alone.
        {"no Authorization", {}, 401, "", ""},
        {"another scheme", {{"Authorization", "Basic dXNlcjpwYXNz"}}, 401, "", ""},
        {"only in the query (never read)", test::request({}, "/mcp?access_token=" + old_token), 401, "", ""},
        {"Proxy-Authorization", {{"Proxy-Authorization", bearer}}, 401, "", ""},
        {"X-Forwarded-Authorization", {{"X-Forwarded-Authorization", bearer}}, 401, "", ""},
        // Well formed, and wrong.
        {"a prefix", {{"Authorization", "Bearer " + old_token.substr(0, 20)}}, 401, "invalid_token", unknown},
        {"a suffix", {{"Authorization", bearer + "x"}}, 401, "invalid_token", unknown},
        {"wrong case", {{"Authorization", "Bearer OLD-TOKEN-0123456789ABCDEF"}}, 401, "invalid_token", unknown},
        {"oversize", {{"Authorization", "Bearer " + std::string(5000, 'a')}}, 401, "invalid_token",
         "bearer token too long"},
        // Malformed requests: 400 invalid_request (RFC 6750 §3.1).
        {"scheme only", {{"Authorization", "Bearer"}}, 400, "invalid_request", "no token after the Bearer scheme"},
        {"empty token", {{"Authorization", "Bearer "}}, 400, "invalid_request", "no token after the Bearer scheme"},
        {"Bearer:", {{"Authorization", "Bearer: " + old_token}}, 400, "invalid_request",
         "the Authorization field does not name a scheme"},
        {"embedded NUL", {{"Authorization", nul}}, 400, "invalid_request", not_one},
        {"trailing data", {{"Authorization", bearer + " extra"}}, 400, "invalid_request", not_one},
        {"embedded space", {{"Authorization", "Bearer old-token 0123456789abcdef"}}, 400, "invalid_request", not_one},
        {"a comma", {{"Authorization", bearer + ","}}, 400, "invalid_request", not_one},
        {"two schemes joined", {{"Authorization", bearer + ", Basic dXNlcjpwYXNz"}}, 400, "invalid_request", not_one},
        {"= inside", {{"Authorization", "Bearer old=token-0123456789abcdef"}}, 400, "invalid_request", not_one},
        {"% inside", {{"Authorization", "Bearer old%2Dtoken-0123456789abcdef"}}, 400, "invalid_request", not_one},
        {"quoted", {{"Authorization", "Bearer \"" + old_token + "\""}}, 400, "invalid_request", not_one},
        {"not ASCII", {{"Authorization", "Bearer old-t\xc3\xb6ken-0123456789abcdef"}}, 400, "invalid_request", not_one},
        {"two fields", {{"Authorization", bearer}, {"Authorization", bearer}}, 400, "invalid_request",
         "more than one Authorization field"},
        {"in the header and the query", test::request({{"Authorization", bearer}}, "/mcp?access_token=x"), 400,
         "invalid_request", "credentials in both the Authorization field and the query string"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = scheme.authenticate(r.req.view());
        if (!r.error) {
            REQUIRE(test::admitted(g));
            CHECK(test::admitted(g)->subject == "ci");
            CHECK(test::admitted(g)->scheme == "bearer");
            continue;
        }
        const auto* c = test::refused(g);
        REQUIRE(c);
        CHECK(c->status == r.status);
        CHECK(c->error == r.error);
        CHECK(c->description == r.reason);
        CHECK(c->www_authenticate.starts_with("Bearer realm=\"mcp\""));
        if (!*r.error) CHECK(c->www_authenticate == "Bearer realm=\"mcp\"");
        // A refusal never echoes the credential.
        CHECK(c->description.find(old_token.substr(0, 12)) == std::string::npos);
        CHECK(c->www_authenticate.find(old_token.substr(0, 12)) == std::string::npos);
    }
}

TEST_CASE("bearer: several tokens at once for rotation, each with its scopes", "[auth][bearer]") {
    const auto s = two_tokens();
    auto both = w::auth::bearer::configure(
        test::credentials({{"TOKEN_OLD", old_token}, {"TOKEN_NEW", new_token}, {"TOKEN_ADMIN", "admin-0123456789abcdef"}}),
        s);
    REQUIRE(both);
    for (const auto& t : {old_token, new_token}) {
        auto g = both.value().authenticate(test::request({{"Authorization", "Bearer " + t}}).view());
        REQUIRE(test::admitted(g));
        CHECK(test::admitted(g)->has_scope("tools:read"));
        CHECK_FALSE(test::admitted(g)->has_scope("tools:write"));
    }
    auto admin = both.value().authenticate(test::request({{"Authorization", "Bearer admin-0123456789abcdef"}}).view());
    REQUIRE(test::admitted(admin));
    CHECK(test::admitted(admin)->subject == "admin");
    CHECK(test::admitted(admin)->has_scope("tools:write"));
    // The old token removed: only the new one works.
    auto rotated = w::auth::bearer::configure(test::credentials({{"TOKEN_NEW", new_token}}), s);
    REQUIRE(rotated);
    CHECK(test::refused(rotated.value().authenticate(test::request({{"Authorization", "Bearer " + old_token}}).view())));
    CHECK(test::admitted(rotated.value().authenticate(test::request({{"Authorization", "Bearer " + new_token}}).view())));
}

TEST_CASE("bearer: unusable configuration is refused at start-up without showing the token", "[auth][bearer]") {
    const auto s = two_tokens();
    auto none = w::auth::bearer::configure(test::credentials({}), s);
    REQUIRE_FALSE(none);
    CHECK(none.error().message() == "no bearer token is configured: set TOKEN_OLD, TOKEN_NEW, TOKEN_ADMIN");
    auto short_token = w::auth::bearer::configure(test::credentials({{"TOKEN_OLD", "short-secret"}}), s);
    REQUIRE_FALSE(short_token);
    CHECK(short_token.error().message().starts_with("TOKEN_OLD: shorter than 16 characters"));
    CHECK(short_token.error().message().find("short-secret") == std::string::npos);
    auto bad = w::auth::bearer::configure(test::credentials({{"TOKEN_OLD", "has space in it 0123456789"}}), s);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message().starts_with("TOKEN_OLD: not a valid bearer token"));
    auto shared = w::auth::bearer::configure(test::credentials({{"TOKEN_OLD", old_token}, {"TOKEN_ADMIN", old_token}}), s);
    REQUIRE_FALSE(shared);
    CHECK(shared.error().message() == R"(bearer token grant "admin" has the same secret as grant "ci")");
    // The same token in both slots of one grant (mid-rotation) is fine.
    auto both_slots = w::auth::bearer::configure(test::credentials({{"TOKEN_OLD", new_token}, {"TOKEN_NEW", new_token}}), s);
    REQUIRE(both_slots);
    CHECK(test::admitted(both_slots.value().authenticate(test::request({{"Authorization", "Bearer " + new_token}}).view())));
    const auto vars = w::auth::bearer::variables(s);
    REQUIRE(vars.size() == 3);
    CHECK(vars[0].required);
    CHECK_FALSE(vars[1].required);
    CHECK(vars[0].is_secret);
}
