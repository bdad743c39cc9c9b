// RFC 7662 introspection in auth::oauth_resource_server, against a scripted authorization
// server (the settings' `http` hook): what is sent, and how each kind of answer is taken.
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/detail/http_fetch.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace w = warden;

namespace {
const std::string resource = "https://mcp.example.com/mcp";
const std::string issuer = "https://as.example.com";

/// The authorization server's side: the answer it gives and what it was asked.
struct scripted_server {
    unsigned status = 200;
    std::string body;
    bool unreachable = false;
    std::vector<std::string> urls, bodies, authorizations, content_types;

    w::http_client client() {
        return [this](const std::string& url, const w::detail::fetch_options&,
                      const w::detail::request_parts& parts) -> w::result<w::detail::fetched> {
            urls.push_back(url);
            bodies.push_back(parts.body);
            content_types.push_back(parts.content_type);
            for (const auto& [name, value] : parts.headers)
                if (name == "Authorization") authorizations.push_back(value);
            if (unreachable) return w::failure(w::errc::closed, "connection refused");
            w::detail::fetched f;
            f.status = status;
            f.body = body;
            return f;
        };
    }
};

long now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

w::auth_settings settings(scripted_server& as, std::string subject_claim = {}) {
    w::auth_settings s;
    s.oauth.resource = resource;
    s.oauth.issuers = {{.issuer = issuer,
                        .introspection_endpoint = issuer + "/introspect",
                        .introspection_client_id = "mcp-server",
                        .introspection_secret_credential = "INTROSPECTION_SECRET",
                        .introspection_subject_claim = std::move(subject_claim),
                        .tenant = "acme"}};
    s.oauth.http = as.client();
    return s;
}

w::auth::oauth_resource_server configure(scripted_server& as, std::string subject_claim = {}) {
    auto rs = w::auth::oauth_resource_server::configure(
        test::credentials({{"INTROSPECTION_SECRET", "s3cret-for-introspection"}}), settings(as, std::move(subject_claim)));
    REQUIRE(rs);
    return std::move(rs).value();
}

w::gate_result call(const w::auth::oauth_resource_server& rs, const std::string& token) {
    test::request r({{"Authorization", "Bearer " + token}});
    return rs.authenticate(r.view());
}

/// An active answer for `resource` with these members added (a JSON object's inside).
std::string active(const std::string& more = R"("sub":"ada")") {
    return R"({"active":true,"iss":")" + issuer + R"(","aud":")" + resource + R"(","client_id":"app","scope":"notes:read notes:write","exp":)" +
           std::to_string(now_s() + 300) + (more.empty() ? "" : "," + more) + "}";
}
} // namespace

TEST_CASE("introspection: the request, and an active answer", "[auth][oauth][introspection]") {
    scripted_server as;
    as.body = active();
    auto rs = configure(as);
    const auto g = call(rs, "opaque-token-1");
    const auto* p = test::admitted(g);
    REQUIRE(p);
    CHECK(p->subject == "ada");
    CHECK(p->client == "app");
    CHECK(p->issuer == issuer);
    CHECK(p->tenant == "acme");
    CHECK(p->scopes == std::vector<std::string>{"notes:read", "notes:write"});
    CHECK(p->expires.has_value());
    REQUIRE(as.urls.size() == 1);
    CHECK(as.urls[0] == issuer + "/introspect");
    CHECK(as.bodies[0] == "token=opaque-token-1&token_type_hint=access_token");
    CHECK(as.content_types[0] == "application/x-www-form-urlencoded");
    REQUIRE(as.authorizations.size() == 1);
    CHECK(as.authorizations[0].starts_with("Basic ")); // client_secret_basic
    // An active answer is reused (until its exp, at most introspection_cache).
    CHECK(test::admitted(call(rs, "opaque-token-1")));
    CHECK(as.urls.size() == 1);
    CHECK(test::admitted(call(rs, "opaque-token-2")));
    CHECK(as.urls.size() == 2);
}

TEST_CASE("introspection: each answer that refuses, and why", "[auth][oauth][introspection]") {
    struct row {
        const char* what;
        unsigned status;
        std::string body;
        unsigned want_status;
        std::string want_error; // RFC 6750 code in the response
        std::string why;        // in the description or the detail for the log
    };
    const auto t = now_s();
    const std::vector<row> rows = {
        // The server's own trouble is 503, never a 401 that tells the client its token is bad.
        {"HTTP 500", 500, "{}", 503, "temporarily_unavailable", "HTTP 500"},
        {"not JSON", 200, "<html>", 503, "temporarily_unavailable", "not a JSON object"},
        {"a JSON array", 200, "[]", 503, "temporarily_unavailable", "not a JSON object"},
        {"no active", 200, R"({"sub":"ada"})", 503, "temporarily_unavailable", "no boolean \"active\""},
        {"active as a string", 200, R"({"active":"true","sub":"ada"})", 503, "temporarily_unavailable", "no boolean"},
        {"duplicate active, good one last", 200, R"({"active":false,"active":true,"sub":"ada"})", 503,
         "temporarily_unavailable", "not a JSON object"},
        {"exp not a number", 200, R"({"active":true,"sub":"ada","exp":"soon"})", 503, "temporarily_unavailable", "exp"},
        // The token's trouble is 401.
        {"inactive", 200, R"({"active":false})", 401, "invalid_token", "not active"},
        {"expired", 200, R"({"active":true,"sub":"ada","exp":)" + std::to_string(t - 5) + "}", 401, "invalid_token",
         "token expired"},
        {"not yet valid", 200, R"({"active":true,"sub":"ada","nbf":)" + std::to_string(t + 3600) + "}", 401,
         "invalid_token", "nbf"},
        {"another issuer", 200, R"({"active":true,"sub":"ada","iss":"https://evil.example.com"})", 401,
         "invalid_token", "another issuer"},
        {"another audience", 200, R"({"active":true,"sub":"ada","aud":"https://other.example.com/mcp"})", 401,
         "invalid_token", "audience"},
        {"no audience", 200, R"({"active":true,"sub":"ada"})", 401, "invalid_token", "audience"},
        {"a refresh token", 200, active(R"("sub":"ada","token_type":"refresh_token")"), 401, "invalid_token",
         "refresh token"},
        {"a refresh token, Keycloak's typ", 200, active(R"("sub":"ada","typ":"Refresh")"), 401, "invalid_token",
         "refresh token"},
        {"no subject", 200, active(""), 401, "invalid_token", "names no subject"},
        {"an empty subject", 200, active(R"("sub":"")"), 401, "invalid_token", "names no subject"},
        {"a subject that is not a string", 200, active(R"("sub":42)"), 401, "invalid_token", "names no subject"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        scripted_server as;
        as.status = r.status;
        as.body = r.body;
        auto rs = configure(as);
        const auto g = call(rs, "opaque");
        const auto* refused = test::refused(g);
        REQUIRE(refused);
        CHECK(refused->status == r.want_status);
        CHECK(refused->error == r.want_error);
        CHECK_THAT(refused->description + " | " + refused->detail, Catch::Contains(r.why));
        // A refusal is not cached: the next request asks again.
        (void)call(rs, "opaque");
        CHECK(as.urls.size() == 2);
    }
    // The authorization server cannot be reached: 503 as well.
    scripted_server down;
    down.unreachable = true;
    auto rs = configure(down);
    const auto g = call(rs, "opaque");
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 503);
    CHECK_THAT(test::refused(g)->detail, Catch::Contains("connection refused"));
}

TEST_CASE("introspection: a configured member names callers whose answers have no sub", "[auth][oauth][introspection]") {
    scripted_server as;
    as.body = active(R"("username":"grace")");
    auto rs = configure(as, "username");
    const auto g = call(rs, "opaque");
    REQUIRE(test::admitted(g));
    CHECK(test::admitted(g)->subject == "grace");
    // That member names every caller of the issuer: a `sub` beside it does not.
    scripted_server both;
    both.body = active(R"("sub":"ada","username":"grace")");
    auto rs2 = configure(both, "username");
    REQUIRE(test::admitted(call(rs2, "opaque")));
    CHECK(test::admitted(call(rs2, "opaque"))->subject == "grace");
    // Missing or empty, it refuses, as a missing sub does.
    for (const std::string& more : {std::string(R"("sub":"ada")"), std::string(R"("username":"")")}) {
        INFO(more);
        scripted_server none;
        none.body = active(more);
        auto rs3 = configure(none, "username");
        const auto refused = call(rs3, "opaque");
        REQUIRE(test::refused(refused));
        CHECK(test::refused(refused)->status == 401);
        CHECK_THAT(test::refused(refused)->detail, Catch::Contains("\"username\""));
    }
}

TEST_CASE("introspection: a certificate-bound answer needs its certificate", "[auth][oauth][introspection][mtls]") {
    scripted_server as;
    as.body = active(R"("sub":"ada","cnf":{"x5t#S256":"bm90LXRoZS1jbGllbnRzLWNlcnRpZmljYXRlLXRodW1icHJpbnQ"})");
    auto rs = configure(as);
    const auto g = call(rs, "opaque");
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 401);
    CHECK(test::refused(g)->error == "invalid_token");
    CHECK_THAT(test::refused(g)->detail, Catch::Contains("without a client certificate"));
}

TEST_CASE("callers without a subject are never the same caller", "[auth]") {
    w::principal a, b;
    a.scheme = b.scheme = "oauth";
    a.issuer = b.issuer = issuer;
    CHECK_FALSE(w::same_caller(a, b));
    CHECK_FALSE(w::same_caller(a, a));
    a.subject = b.subject = "ada";
    CHECK(w::same_caller(a, b));
    b.tenant = "globex";
    CHECK_FALSE(w::same_caller(a, b));
}
