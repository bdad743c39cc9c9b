#include <warden/auth/oauth_resource_server.hpp>

#include "auth_support.hpp"
#include "jose_support.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>

namespace w = warden;

namespace {
const std::string resource = "https://mcp.example.com/mcp";

struct issuer_keys {
    std::string iss;
    test::signing_key key = test::signing_key::ec();
    std::string jwks() const {
        return boost::json::serialize(boost::json::object{{"keys", boost::json::array{key.jwk("k-" + iss.substr(8, 1))}}});
    }
    std::string token(std::string scope = "notes:read", std::string aud = resource, long lifetime = 300,
                      std::string extra = {}) const {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        const std::string header = R"({"alg":"ES256","typ":"at+jwt","kid":"k-)" + iss.substr(8, 1) + R"("})";
        const std::string claims = R"({"iss":")" + iss + R"(","aud":")" + aud + R"(","sub":"ada","client_id":"app","iat":)" +
                                   std::to_string(now) + R"(,"jti":"j)" + std::to_string(now) + R"(","exp":)" +
                                   std::to_string(now + lifetime) + R"(,"scope":")" + scope + "\"" + extra + "}";
        return test::jws(key, "ES256", header, claims);
    }
};

w::auth_settings settings(const issuer_keys& a, const issuer_keys& b) {
    w::auth_settings s;
    s.oauth.resource = resource;
    s.oauth.issuers = {{.issuer = a.iss, .jwks = a.jwks(), .tenant = "acme"},
                       {.issuer = b.iss, .jwks = b.jwks(), .tenant = "globex"}};
    s.oauth.scopes_supported = {"offline_access", "profile"};
    return s;
}
w::gate_result call(const w::auth::oauth_resource_server& rs, const std::string& token,
                    const w::client_certificate* cert = nullptr) {
    test::request r({{"Authorization", "Bearer " + token}});
    auto v = r.view();
    v.client_cert = cert;
    return rs.authenticate(v);
}
} // namespace

TEST_CASE("oauth: tokens of each configured issuer, with its tenant", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto rs = w::auth::oauth_resource_server::configure({}, settings(a, b));
    REQUIRE(rs);
    auto ok = call(rs.value(), a.token());
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->subject == "ada");
    CHECK(test::admitted(ok)->scheme == "oauth");
    CHECK(test::admitted(ok)->issuer == a.iss);
    CHECK(test::admitted(ok)->client == "app");
    CHECK(test::admitted(ok)->tenant == "acme");
    CHECK(test::admitted(ok)->has_scope("notes:read"));
    auto other = call(rs.value(), b.token("notes:write"));
    REQUIRE(test::admitted(other));
    CHECK(test::admitted(other)->tenant == "globex");
    // A token claiming issuer a but signed with b's key; an issuer nobody configured.
    issuer_keys forged{"https://a.example.com"};
    forged.key = b.key;
    CHECK(test::refused(call(rs.value(), forged.token())));
    issuer_keys stranger{"https://c.example.com"};
    auto s = call(rs.value(), stranger.token());
    REQUIRE(test::refused(s));
    CHECK(test::refused(s)->status == 401);
    // Repeated: the cache answers the same.
    CHECK(test::admitted(call(rs.value(), a.token()))->subject == "ada");
}

TEST_CASE("oauth: verified tokens are found by the digest the gate took of them", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto rs = w::auth::oauth_resource_server::configure({}, settings(a, b));
    REQUIRE(rs);
    const std::string token = a.token();
    // Verified once without the gate's digest (the scheme hashes the token itself)...
    REQUIRE(test::admitted(call(rs.value(), token)));
    // ...and found again by the digest the gate takes of it: the cache key is the same.
    test::request other({{"Authorization", "Bearer not.a.token"}});
    auto v = other.view();
    const auto taken = w::auth::presented<w::auth::oauth_resource_server>(v);
    REQUIRE(taken.digest.token == "not.a.token");
    w::presented_digest digest = taken.digest;
    digest.sha256 = w::auth::token_digest({}, "bearer", token);
    v.digest = &digest; // a digest that says this request presents `token`: trusted as the gate's
    auto found = rs.value().authenticate(v);
    REQUIRE(test::admitted(found));
    CHECK(test::admitted(found)->subject == "ada");
    // A digest of other bytes than the request's token is not the gate's: ignored.
    const std::string copy = "not.a.token";
    digest.token = copy;
    CHECK(test::refused(rs.value().authenticate(v)));
    // Its own digest: refused, the token is not a JWT.
    v.digest = &taken.digest;
    CHECK(test::refused(rs.value().authenticate(v))->status == 401);
    // Syntax is still checked when the cache has nothing (and nothing malformed is cached).
    for (int i = 0; i < 2; ++i) {
        auto bad = call(rs.value(), "two words");
        REQUIRE(test::refused(bad));
        CHECK(test::refused(bad)->status == 400);
        CHECK(test::refused(bad)->error == "invalid_request");
    }
}

TEST_CASE("oauth: audience binding and its loudly named opt-out", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto s = settings(a, b);
    auto rs = w::auth::oauth_resource_server::configure({}, s);
    REQUIRE(rs);
    CHECK(rs.value().audience_binding());
    auto wrong = call(rs.value(), a.token("notes:read", "https://other.example.com/mcp"));
    REQUIRE(test::refused(wrong));
    CHECK(test::refused(wrong)->status == 401);
    CHECK(test::refused(wrong)->error == "invalid_token");
    CHECK(test::refused(wrong)->detail.find("audience") != std::string::npos);
    s.oauth.accept_any_audience_allowing_token_replay = true;
    auto any = w::auth::oauth_resource_server::configure({}, s);
    REQUIRE(any);
    CHECK_FALSE(any.value().audience_binding());
    CHECK(test::admitted(call(any.value(), a.token("notes:read", "https://other.example.com/mcp"))));
}

TEST_CASE("oauth: challenges name the resource metadata and the scopes", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto rs = w::auth::oauth_resource_server::configure({}, settings(a, b));
    REQUIRE(rs);
    rs.value().set_default_scope({"notes:read", "notes:write"});
    CHECK(rs.value().metadata_url() == "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
    CHECK(rs.value().is_metadata_path("/.well-known/oauth-protected-resource/mcp"));
    CHECK(rs.value().is_metadata_path("/.well-known/oauth-protected-resource"));
    CHECK_FALSE(rs.value().is_metadata_path("/.well-known/oauth-protected-resource/other"));

    test::request none({});
    auto missing = rs.value().authenticate(none.view());
    REQUIRE(test::refused(missing));
    CHECK(test::refused(missing)->status == 401);
    CHECK(test::refused(missing)->www_authenticate ==
          R"(Bearer realm="mcp", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="notes:read notes:write profile")");
    auto expired = call(rs.value(), a.token("notes:read", resource, -120));
    REQUIRE(test::refused(expired));
    CHECK(test::refused(expired)->description == "token expired");
    CHECK(test::refused(expired)->www_authenticate.find(R"(error="invalid_token")") != std::string::npos);
    CHECK(test::refused(expired)->www_authenticate.find("resource_metadata=") != std::string::npos);

    auto step = rs.value().step_up("tool \"write\" needs scope: notes:write", "notes:write");
    CHECK(step.find(R"(error="insufficient_scope")") != std::string::npos);
    CHECK(step.find(R"(scope="notes:write")") != std::string::npos);
    CHECK(step.find("resource_metadata=") != std::string::npos);

    auto meta = rs.value().resource_metadata({"notes:write", "notes:read"});
    CHECK(meta.at("resource") == boost::json::value(resource));
    CHECK(meta.at("authorization_servers") == boost::json::value(boost::json::array{a.iss.c_str(), b.iss.c_str()}));
    CHECK(meta.at("scopes_supported") == boost::json::array{"notes:read", "notes:write", "profile"}); // never offline_access
    CHECK(meta.at("bearer_methods_supported") == boost::json::array{"header"});
}

TEST_CASE("oauth: behind a proxy prefix, the challenge names the metadata URL clients reach", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto s = settings(a, b);
    // The public endpoint is https://mcp.example.com/team-a/mcp; the proxy strips /team-a.
    s.oauth.resource = "https://mcp.example.com/team-a/mcp";
    auto inserted = w::auth::oauth_resource_server::configure({}, s);
    REQUIRE(inserted);
    CHECK(inserted.value().metadata_url() == "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp");
    CHECK(inserted.value().is_metadata_path("/.well-known/oauth-protected-resource/team-a/mcp"));
    CHECK(inserted.value().is_metadata_path("/.well-known/oauth-protected-resource"));
    CHECK_FALSE(inserted.value().is_metadata_path("/team-a/.well-known/oauth-protected-resource"));

    s.oauth.resource_metadata_url = "https://mcp.example.com/team-a/.well-known/oauth-protected-resource";
    auto rs = w::auth::oauth_resource_server::configure({}, s);
    REQUIRE(rs);
    rs.value().set_default_scope({"notes:read"});
    CHECK(rs.value().metadata_url() == s.oauth.resource_metadata_url);
    // Served where the request arrives: stripped (the root form) or passed unchanged.
    CHECK(rs.value().is_metadata_path("/.well-known/oauth-protected-resource"));
    CHECK(rs.value().is_metadata_path("/team-a/.well-known/oauth-protected-resource"));
    CHECK(rs.value().is_metadata_path("/.well-known/oauth-protected-resource/team-a/mcp"));
    CHECK_FALSE(rs.value().is_metadata_path("/team-b/.well-known/oauth-protected-resource"));
    test::request none({});
    auto missing = rs.value().authenticate(none.view());
    REQUIRE(test::refused(missing));
    CHECK(test::refused(missing)->www_authenticate.find(
              R"(resource_metadata="https://mcp.example.com/team-a/.well-known/oauth-protected-resource")") !=
          std::string::npos);
    CHECK(rs.value().resource_metadata({}).at("resource") == "https://mcp.example.com/team-a/mcp");
    // The audience is the public URI, never the address the proxy forwards to.
    CHECK(test::admitted(call(rs.value(), a.token("notes:read", "https://mcp.example.com/team-a/mcp"))));
    auto local = call(rs.value(), a.token("notes:read", "https://mcp.example.com/mcp"));
    REQUIRE(test::refused(local));
    CHECK(test::refused(local)->detail.find("audience") != std::string::npos);

    for (const char* bad : {"/team-a/.well-known/oauth-protected-resource", "ftp://h/x",
                            "https://h/.well-known/oauth-protected-resource?x=1", "https://h"}) {
        s.oauth.resource_metadata_url = bad;
        auto refused = w::auth::oauth_resource_server::configure({}, s);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().message().find("resource_metadata_url") != std::string::npos);
    }
}

TEST_CASE("oauth: certificate-bound tokens need their certificate", "[auth][oauth][mtls]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    auto rs = w::auth::oauth_resource_server::configure({}, settings(a, b));
    REQUIRE(rs);
    const std::string der_sha256_hex(64, 'a'); // the certificate's SHA-256, as the transport reports it
    const std::string x5t = w::crypto::base64url_encode(std::string(32, '\xaa'));
    const auto token = a.token("notes:read", resource, 300, R"(,"cnf":{"x5t#S256":")" + x5t + "\"}");
    w::client_certificate right{.uris = {}, .dns_names = {}, .sha256 = der_sha256_hex, .forwarded = false};
    w::client_certificate wrong{.uris = {}, .dns_names = {}, .sha256 = std::string(64, 'b'), .forwarded = false};
    CHECK(test::refused(call(rs.value(), token)));          // no certificate
    CHECK(test::refused(call(rs.value(), token, &wrong)));  // another certificate
    CHECK(test::admitted(call(rs.value(), token, &right)));
    CHECK(test::refused(call(rs.value(), token)));          // and again from the cache: still bound
}

TEST_CASE("oauth: start-up refuses what cannot work", "[auth][oauth]") {
    issuer_keys a{"https://a.example.com"}, b{"https://b.example.com"};
    // The settings of two good issuers, changed; the reason configure gives for refusing
    // them, or "" when it accepts them (so that a row refused for no reason fails).
    auto bad = [&](auto change) -> std::string {
        auto s = settings(a, b);
        change(s.oauth);
        auto rs = w::auth::oauth_resource_server::configure({}, s);
        return rs ? std::string() : rs.error().message();
    };
    const std::string not_a_resource = "settings.auth.oauth.resource must be the endpoint's absolute https URI";
    CHECK(bad([](w::oauth_settings& o) { o.resource.clear(); }).find(not_a_resource) != std::string::npos);
    CHECK(bad([](w::oauth_settings& o) { o.resource = "mcp.example.com/mcp"; }).find(not_a_resource) != std::string::npos);
    CHECK(bad([](w::oauth_settings& o) { o.resource = "https://mcp.example.com/mcp#x"; }).find(not_a_resource) !=
          std::string::npos);
    CHECK(bad([](w::oauth_settings& o) { o.issuers.clear(); }).starts_with("oauth: no issuers"));
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].issuer.clear(); }) == "oauth: an issuer without its \"iss\" value");
    CHECK(bad([](w::oauth_settings& o) { o.issuers[1].issuer = o.issuers[0].issuer; }) ==
          "oauth: issuer https://a.example.com is listed twice");
    // Keys: exactly one source, and one that yields keys.
    const std::string one_source = "oauth: issuer https://a.example.com needs exactly one of jwks, jwks_file, "
                                   "hmac_credential, jwks_uri, discover or introspection_endpoint";
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].jwks.clear(); }) == one_source);
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].jwks_file = "/nonexistent/jwks.json"; }) == one_source);
    CHECK(bad([](w::oauth_settings& o) {
              o.issuers[0].jwks.clear();
              o.issuers[0].jwks_file = "/nonexistent/jwks.json";
          }) == "oauth: issuer https://a.example.com: cannot read JWK set file \"/nonexistent/jwks.json\"");
    warden_test::temp_dir dir("warden-oauth");
    const std::string not_a_set = dir / "not-a-set.json", empty_set = dir / "empty-set.json", good_set = dir / "jwks.json";
    std::ofstream(not_a_set) << "-----BEGIN PUBLIC KEY-----\n";
    std::ofstream(empty_set) << R"({"keys":[]})";
    std::ofstream(good_set) << a.jwks();
    auto from_file = [](const std::string& path) {
        return [path](w::oauth_settings& o) {
            o.issuers[0].jwks.clear();
            o.issuers[0].jwks_file = path;
        };
    };
    CHECK(bad(from_file(not_a_set)).starts_with("oauth: issuer https://a.example.com: JWK set: malformed JSON"));
    CHECK(bad(from_file(empty_set)) == "oauth: issuer https://a.example.com: JWK set: no keys that verify signatures");
    CHECK(bad(from_file(good_set)).empty());
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].jwks = R"({"keys":[]})"; }) ==
          "oauth: issuer https://a.example.com: JWK set: no keys that verify signatures");
    CHECK(bad([](w::oauth_settings& o) {
              o.issuers[0].jwks.clear();
              o.issuers[0].jwks_uri = "http://a.example.com/jwks";
          }).starts_with("oauth: issuer https://a.example.com: keys are fetched over https only"));
    // Algorithms: names we verify, and HMAC only with a shared secret.
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].algorithms = {"HS256"}; }) ==
          "oauth: issuer https://a.example.com: HMAC algorithms need a shared secret (hmac_credential)");
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].algorithms = {"none"}; }) ==
          "oauth: issuer https://a.example.com: unknown algorithm none");
    CHECK(bad([](w::oauth_settings& o) { o.issuers[0].algorithms = {"ES256", "es256"}; }) ==
          "oauth: issuer https://a.example.com: unknown algorithm es256");
    // The keys read from the file are the ones used.
    {
        auto s = settings(a, b);
        from_file(good_set)(s.oauth);
        auto rs = w::auth::oauth_resource_server::configure({}, s);
        REQUIRE(rs);
        CHECK(test::admitted(call(rs.value(), a.token())));
        CHECK(test::refused(call(rs.value(), issuer_keys{"https://a.example.com"}.token())));
    }
    // A shared HMAC secret from the credential source, at least 32 bytes.
    w::auth_settings s;
    s.oauth.resource = resource;
    s.oauth.issuers = {{.issuer = "https://h.example.com", .hmac_credential = "AS_SECRET"}};
    auto missing = w::auth::oauth_resource_server::configure(test::credentials({}), s);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message() == "oauth: credential AS_SECRET is missing");
    auto short_secret = w::auth::oauth_resource_server::configure(test::credentials({{"AS_SECRET", "short"}}), s);
    REQUIRE_FALSE(short_secret);
    CHECK(short_secret.error().message().starts_with("oauth: AS_SECRET is shorter than 32 bytes"));
    auto h = w::auth::oauth_resource_server::configure(test::credentials({{"AS_SECRET", std::string(32, 'k')}}), s);
    REQUIRE(h);
    CHECK(w::auth::oauth_resource_server::variables(s).at(0).name == "AS_SECRET");
}
