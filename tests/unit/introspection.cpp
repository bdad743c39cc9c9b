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

// ---- opaque tokens checked through the provider's own API (oauth_issuer::token_check) ----

namespace {
w::auth_settings provider_settings(scripted_server& as, std::string kind, std::string endpoint, std::string iss) {
    w::auth_settings s;
    s.oauth.resource = resource;
    w::oauth_issuer i;
    i.issuer = std::move(iss);
    i.introspection_endpoint = std::move(endpoint);
    i.token_check = std::move(kind);
    if (i.token_check == "github") {
        i.introspection_client_id = "Iv1.8a61f9b3a7aba766";
        i.introspection_secret_credential = "GITHUB_APP_SECRET";
    } else {
        i.clients = {"1234567890-abc.apps.googleusercontent.com"};
    }
    s.oauth.issuers = {std::move(i)};
    s.oauth.http = as.client();
    return s;
}
w::result<w::auth::oauth_resource_server> provider_server(scripted_server& as, std::string kind,
                                                          std::string endpoint = {}) {
    if (endpoint.empty())
        endpoint = kind == "github" ? "https://api.github.com" : "https://oauth2.googleapis.com/tokeninfo";
    return w::auth::oauth_resource_server::configure(
        test::credentials({{"GITHUB_APP_SECRET", "github-app-client-secret-0123456789"}}),
        provider_settings(as, kind, endpoint, kind == "github" ? "https://github.com" : "https://accounts.google.com"));
}
std::string github_answer(std::string client_id = "Iv1.8a61f9b3a7aba766", std::string expires = "null") {
    return R"({"id":1,"url":"https://api.github.com/authorizations/1","scopes":["repo","read:user"],)"
           R"("token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","token_last_eight":"Ae178B4a",)"
           R"("app":{"url":"http://my-github-app.com","name":"my github app","client_id":")" + client_id +
           R"("},"expires_at":)" + expires + R"(,"user":{"login":"octocat","id":583231,"type":"User"}})";
}
/// A provider answer the gate must refuse: with this HTTP status (401 or 503) and a reason.
struct refusal_row {
    const char* what;
    unsigned status;
    std::string body;
    unsigned want;
    std::string why;
};
void expect_refusals(const std::string& kind, const std::string& token, const std::vector<refusal_row>& rows) {
    for (const auto& r : rows) {
        INFO(r.what);
        scripted_server one;
        one.status = r.status;
        one.body = r.body;
        auto server = provider_server(one, kind);
        REQUIRE(server);
        const auto g = call(server.value(), token);
        const auto* refused = test::refused(g);
        REQUIRE(refused);
        CHECK(refused->status == r.want);
        CHECK_THAT(refused->description + " | " + refused->detail, Catch::Contains(r.why));
    }
}
std::string google_answer(std::string aud = "1234567890-abc.apps.googleusercontent.com", long exp = 0,
                          std::string sub = R"("sub":"110169484474386276334",)") {
    if (exp == 0) exp = now_s() + 1800;
    return R"({"azp":")" + aud + R"(","aud":")" + aud + R"(",)" + sub +
           R"("scope":"openid https://www.googleapis.com/auth/userinfo.email","exp":")" + std::to_string(exp) +
           R"(","expires_in":"1799","email":"ada@example.com","email_verified":"true","access_type":"online"})";
}
} // namespace

TEST_CASE("token_check github: GitHub's token check for the OAuth app", "[auth][oauth][introspection]") {
    scripted_server as;
    as.body = github_answer();
    auto rs = provider_server(as, "github");
    REQUIRE(rs);
    const auto g = call(rs.value(), "gho_16C7e42F292c6912E7710c838347Ae178B4a");
    const auto* p = test::admitted(g);
    REQUIRE(p);
    CHECK(p->subject == "583231"); // the user's id: a login can be renamed, then reused
    CHECK(p->issuer == "https://github.com");
    CHECK(p->client == "Iv1.8a61f9b3a7aba766");
    CHECK(p->scopes == std::vector<std::string>{"repo", "read:user"});
    CHECK_FALSE(p->expires);
    REQUIRE(as.urls.size() == 1);
    CHECK(as.urls[0] == "https://api.github.com/applications/Iv1.8a61f9b3a7aba766/token");
    CHECK(as.bodies[0] == R"({"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"})");
    CHECK(as.content_types[0] == "application/json");
    REQUIRE(as.authorizations.size() == 1);
    CHECK(as.authorizations[0] == w::detail::client_secret_basic("Iv1.8a61f9b3a7aba766",
                                                                 "github-app-client-secret-0123456789"));
    CHECK(test::admitted(call(rs.value(), "gho_16C7e42F292c6912E7710c838347Ae178B4a"))); // cached
    CHECK(as.urls.size() == 1);

    expect_refusals("github", "gho_x", {
        {"another app's token (404)", 404, R"({"message":"Not Found"})", 401, "does not know this token"},
        {"malformed (422)", 422, "{}", 401, "does not know this token"},
        {"an answer naming another app", 200, github_answer("Iv1.other"), 401, "another OAuth app"},
        {"expired", 200, github_answer("Iv1.8a61f9b3a7aba766", "\"2020-01-01T00:00:00Z\""), 401, "token expired"},
        {"no user", 200, R"({"app":{"client_id":"Iv1.8a61f9b3a7aba766"},"scopes":[]})", 401, "names no user"},
        {"GitHub failing", 502, "", 503, "HTTP 502"},
        {"not JSON", 200, "<html>", 503, "not a JSON object"},
        {"a broken expiry", 200, github_answer("Iv1.8a61f9b3a7aba766", "\"tomorrow\""), 503, "expires_at"},
    });
    // An expiry still ahead is kept as the principal's.
    scripted_server later;
    later.body = github_answer("Iv1.8a61f9b3a7aba766", "\"2099-12-31T23:59:59Z\"");
    auto with_expiry = provider_server(later, "github");
    REQUIRE(with_expiry);
    const auto p2 = call(with_expiry.value(), "ghu_x");
    REQUIRE(test::admitted(p2));
    CHECK(test::admitted(p2)->expires.has_value());
    scripted_server down;
    down.unreachable = true;
    auto unreachable = provider_server(down, "github");
    REQUIRE(test::refused(call(unreachable.value(), "gho_x")));
    CHECK(test::refused(call(unreachable.value(), "gho_x"))->status == 503);
}

TEST_CASE("token_check google: tokeninfo, bound to the listed clients", "[auth][oauth][introspection]") {
    scripted_server as;
    as.body = google_answer();
    auto rs = provider_server(as, "google");
    REQUIRE(rs);
    const auto g = call(rs.value(), "ya29.a0AfH6SMBx");
    const auto* p = test::admitted(g);
    REQUIRE(p);
    CHECK(p->subject == "110169484474386276334");
    CHECK(p->issuer == "https://accounts.google.com");
    CHECK(p->client == "1234567890-abc.apps.googleusercontent.com");
    CHECK(p->scopes == std::vector<std::string>{"openid", "https://www.googleapis.com/auth/userinfo.email"});
    CHECK(p->expires.has_value());
    REQUIRE(as.urls.size() == 1);
    CHECK(as.urls[0] == "https://oauth2.googleapis.com/tokeninfo");
    CHECK(as.bodies[0] == "access_token=ya29.a0AfH6SMBx"); // in the body, never the URL
    CHECK(as.authorizations.empty());

    expect_refusals("google", "ya29.x", {
        {"another client's token", 200, google_answer("999-other.apps.googleusercontent.com"), 401,
         "another client"},
        {"invalid (400)", 400, R"({"error":"invalid_token"})", 401, "does not accept"},
        {"expired", 200, google_answer("1234567890-abc.apps.googleusercontent.com", now_s() - 10), 401, "token expired"},
        {"no sub (no openid scope)", 200, google_answer("1234567890-abc.apps.googleusercontent.com", 0, ""), 401,
         "names no subject"},
        {"Google failing", 503, "", 503, "HTTP 503"},
    });
}

TEST_CASE("token_check: settings that cannot work stop start-up", "[auth][oauth][introspection]") {
    scripted_server as;
    auto message = [&](w::auth_settings s) {
        auto r = w::auth::oauth_resource_server::configure(test::credentials({}), s);
        REQUIRE_FALSE(r);
        return r.error().message();
    };
    auto google = provider_settings(as, "google", "https://oauth2.googleapis.com/tokeninfo", "https://accounts.google.com");
    google.oauth.issuers[0].clients.clear();
    CHECK_THAT(message(google), Catch::Contains("list the OAuth client IDs"));
    auto github = provider_settings(as, "github", "https://api.github.com", "https://github.com");
    CHECK_THAT(message(github), Catch::Contains("introspection_secret_credential")); // no secret given
    auto other = provider_settings(as, "gitlab", "https://gitlab.com", "https://gitlab.com");
    CHECK_THAT(message(other), Catch::Contains("not \"gitlab\""));
    auto no_endpoint = provider_settings(as, "google", "", "https://accounts.google.com");
    CHECK_THAT(message(no_endpoint), Catch::Contains("needs introspection_endpoint"));
}

TEST_CASE("token_check: GitHub's and Google's tokens each go to their own issuer", "[auth][oauth][introspection]") {
    std::vector<std::string> asked;
    w::auth_settings s;
    s.oauth.resource = resource;
    scripted_server unused;
    auto github = provider_settings(unused, "github", "https://api.github.com", "https://github.com").oauth.issuers[0];
    auto google = provider_settings(unused, "google", "https://oauth2.googleapis.com/tokeninfo",
                                    "https://accounts.google.com").oauth.issuers[0];
    s.oauth.issuers = {github, google};
    s.oauth.http = [&](const std::string& url, const w::detail::fetch_options&,
                       const w::detail::request_parts&) -> w::result<w::detail::fetched> {
        asked.push_back(url);
        w::detail::fetched f;
        f.status = 200;
        f.body = url.find("github") != std::string::npos ? github_answer() : google_answer();
        return f;
    };
    auto rs = w::auth::oauth_resource_server::configure(
        test::credentials({{"GITHUB_APP_SECRET", "github-app-client-secret-0123456789"}}), s);
    REQUIRE(rs);
    const auto from_google = call(rs.value(), "ya29.a0AfH6SMBx");
    REQUIRE(test::admitted(from_google));
    CHECK(test::admitted(from_google)->issuer == "https://accounts.google.com");
    const auto from_github = call(rs.value(), "gho_16C7e42F292c6912E7710c838347Ae178B4a");
    REQUIRE(test::admitted(from_github));
    CHECK(test::admitted(from_github)->issuer == "https://github.com");
    CHECK(asked == std::vector<std::string>{"https://oauth2.googleapis.com/tokeninfo",
                                            "https://api.github.com/applications/Iv1.8a61f9b3a7aba766/token"});
}
