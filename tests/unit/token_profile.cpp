#include <warden/auth/token_profile.hpp>

#include <warden/auth/jwt.hpp>
#include <warden/auth/oauth_resource_server.hpp>

#include "auth_support.hpp"
#include "jose_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

// Tokens in the shapes each provider documents (header, claims, issuer), signed with a test
// key: what each profile accepts, and what it refuses (another audience or tenant, an expired
// token, an ID token, another issuer's token).

namespace w = warden;
namespace wa = warden::auth;
namespace c = warden::crypto;
namespace json = boost::json;

namespace {
using clock_type = std::chrono::system_clock;
const auto now = clock_type::time_point(std::chrono::seconds(1'800'000'000));
constexpr long t0 = 1'800'000'000;

/// One provider's issuer: its key, its rules, and tokens of its shape.
struct provider {
    std::string kid;
    test::signing_key key = test::signing_key::rsa();
    c::jwk_set keys{};
    wa::jwt_rules rules{};

    provider(std::string k, wa::token_profile profile, std::string issuer, std::vector<std::string> audiences)
        : kid(std::move(k)) {
        keys = c::parse_jwk_set(json::value(json::object{{"keys", json::array{key.jwk(kid)}}})).value();
        rules.issuer = std::move(issuer);
        rules.audiences = std::move(audiences);
        rules.profile = std::move(profile);
    }
    /// A token with `header` members besides alg and kid, and these claims.
    std::string token(json::object claims, json::object header = {{"typ", "JWT"}}) const {
        header["alg"] = "RS256";
        header["kid"] = kid;
        return test::jws(key, "RS256", json::serialize(header), json::serialize(claims));
    }
    w::result<wa::jwt_claims> verify(const std::string& token) const { return wa::verify_jwt(token, keys, rules, now); }
};

std::string why(const w::result<wa::jwt_claims>& r) { return r ? std::string("accepted") : r.error().message(); }

json::object with(json::object claims, std::string_view name, json::value v) {
    claims[name] = std::move(v);
    return claims;
}
json::object without(json::object claims, std::string_view name) {
    claims.erase(name);
    return claims;
}

// ---- Microsoft Entra ID ----
const std::string tenant_a = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const std::string tenant_b = "9188040d-6c67-4c5b-b112-36a304b66dad";
const std::string api_app_id = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

json::object entra_v2_claims(const std::string& tenant = tenant_a) {
    return {{"aud", api_app_id},
            {"iss", "https://login.microsoftonline.com/" + tenant + "/v2.0"},
            {"iat", t0 - 60}, {"nbf", t0 - 60}, {"exp", t0 + 3600},
            {"aio", "AWQAm/8TAAAA"}, {"azp", "b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11"}, {"azpacr", "0"},
            {"name", "Ada Lovelace"}, {"oid", "690222be-ff1a-4d56-abd1-7e4f7d38e474"},
            {"preferred_username", "ada@contoso.com"}, {"rh", "0.AAAA"},
            {"scp", "notes.read notes.write"}, {"sub", "l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA"},
            {"tid", tenant}, {"uti", "fqiBqXLPj0eQa82S-IYFAA"}, {"ver", "2.0"}};
}
provider entra_v2(std::vector<std::string> tenants = {tenant_a}) {
    provider p("entra-key", wa::profiles::entra_v2(), "https://login.microsoftonline.com/{tenant}/v2.0", {api_app_id});
    p.rules.tenants = std::move(tenants);
    return p;
}

// ---- Okta (custom authorization server) ----
json::object okta_claims() {
    return {{"ver", 1}, {"jti", "AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE"},
            {"iss", "https://dev-133337.okta.com/oauth2/default"}, {"aud", "api://default"},
            {"iat", t0 - 60}, {"exp", t0 + 3600}, {"cid", "0oaosk9nlfRP30pPW0h7"},
            {"uid", "00uid4BxXw6I6TV4m0g3"}, {"scp", json::array{"notes:read", "openid"}},
            {"auth_time", t0 - 120}, {"sub", "ada@example.com"}};
}
provider okta() {
    return provider("okta-key", wa::profiles::okta(), "https://dev-133337.okta.com/oauth2/default", {"api://default"});
}

// ---- Auth0 ----
json::object auth0_claims() {
    return {{"iss", "https://dev-abc.us.auth0.com/"}, {"sub", "auth0|64f1c1b2a3d4e5f6a7b8c9d0"},
            {"aud", json::array{"https://mcp.example.com/mcp", "https://dev-abc.us.auth0.com/userinfo"}},
            {"iat", t0 - 60}, {"exp", t0 + 86400}, {"scope", "openid profile notes:read"},
            {"azp", "JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr"}, {"permissions", json::array{"notes:write"}}};
}
provider auth0() {
    return provider("auth0-key", wa::profiles::auth0(), "https://dev-abc.us.auth0.com/", {"https://mcp.example.com/mcp"});
}

// ---- Keycloak ----
json::object keycloak_claims() {
    return {{"exp", t0 + 300}, {"iat", t0 - 10}, {"jti", "onrtac:5b4c8f2e-2f6a-4a0e-9a1f-8d3c2b1a0f9e"},
            {"iss", "https://sso.example.com/realms/acme"},
            {"aud", json::array{"mcp-server", "account"}}, {"sub", "f3c1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b"},
            {"typ", "Bearer"}, {"azp", "mcp-client"}, {"sid", "a1b2c3d4"}, {"acr", "1"},
            {"realm_access", {{"roles", json::array{"default-roles-acme", "offline_access", "notes-editor"}}}},
            {"resource_access", {{"account", {{"roles", json::array{"manage-account"}}}}}},
            {"scope", "openid profile email"}, {"email_verified", true}, {"preferred_username", "ada"}};
}
provider keycloak() {
    auto profile = wa::profiles::keycloak();
    profile.role_scopes = {{"notes-editor", {"notes:read", "notes:write"}}};
    return provider("kc-key", std::move(profile), "https://sso.example.com/realms/acme", {"mcp-server"});
}

// ---- AWS Cognito ----
json::object cognito_claims() {
    return {{"sub", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}, {"cognito:groups", json::array{"editors"}},
            {"iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI"}, {"version", 2},
            {"client_id", "3n4b5urk1ft4fl3mg5e62d9ado"}, {"origin_jti", "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"},
            {"event_id", "cccccccc-dddd-eeee-ffff-aaaaaaaaaaaa"}, {"token_use", "access"},
            {"scope", "notes/read openid"}, {"auth_time", t0 - 100}, {"exp", t0 + 3600}, {"iat", t0 - 100},
            {"jti", "dddddddd-eeee-ffff-aaaa-bbbbbbbbbbbb"}, {"username", "ada"}};
}
provider cognito() {
    provider p("cognito-key", wa::profiles::cognito(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI",
               {});
    p.rules.clients = {"3n4b5urk1ft4fl3mg5e62d9ado"};
    return p;
}
// ---- WorkOS AuthKit ----
const std::string workos_org = "org_01HRDMC6CM357W30QMHMQ96Q0S";
json::object workos_claims() {
    return {{"iss", "https://vivid-sun-42.authkit.app"}, {"sub", "user_01HBEQKA6K4QJAS93VPE39W1JT"},
            {"aud", "https://mcp.example.com/mcp"}, {"client_id", "client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8"},
            {"org_id", workos_org}, {"role", "member"}, {"roles", json::array{"member"}},
            {"permissions", json::array{"notes:read", "notes:write"}}, {"scope", "openid profile"},
            {"sid", "session_01HQSXZGF8FHF7A9ZZFCW4387R"}, {"jti", "01HQSXZXPPFPKMDD32RKTFY6PV"},
            {"iat", t0 - 30}, {"exp", t0 + 300}};
}
provider workos() {
    return provider("workos-key", wa::profiles::workos(), "https://vivid-sun-42.authkit.app", {"https://mcp.example.com/mcp"});
}
const json::object no_typ{};
} // namespace

TEST_CASE("profiles: Microsoft Entra ID v2 tokens, one issuer per tenant", "[auth][profiles]") {
    auto p = entra_v2({tenant_a, tenant_b});
    auto ok = p.verify(p.token(entra_v2_claims()));
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().tenant == tenant_a);
    CHECK(ok.value().client_id == "b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11");
    CHECK(ok.value().scopes == std::vector<std::string>{"notes.read", "notes.write"}); // scp: a string
    CHECK(p.verify(p.token(entra_v2_claims(tenant_b))).value().tenant == tenant_b);
    // App-only tokens carry application permissions in `roles`.
    auto app = with(without(entra_v2_claims(), "scp"), "roles", json::array{"Notes.ReadWrite.All"});
    CHECK(p.verify(p.token(app)).value().scopes == std::vector<std::string>{"Notes.ReadWrite.All"});

    // A tenant the app does not serve, even one whose issuer has the same shape.
    CHECK(why(p.verify(p.token(entra_v2_claims("00000000-0000-0000-0000-000000000001")))) == "issuer not accepted");
    auto one_tenant = entra_v2({tenant_a});
    CHECK(why(one_tenant.verify(one_tenant.token(entra_v2_claims(tenant_b)))) == "issuer not accepted");
    // Microsoft Graph's audience, or a v1 token presented to the v2 rules.
    CHECK(why(p.verify(p.token(with(entra_v2_claims(), "aud", "00000003-0000-0000-c000-000000000000")))) ==
          "audience not accepted (a token for another resource)");
    CHECK(why(p.verify(p.token(with(entra_v2_claims(), "ver", "1.0")))).find("\"ver\"") != std::string::npos);
    CHECK(why(p.verify(p.token(with(entra_v2_claims(), "exp", t0 - 3600)))) == "token expired");
    // An ID token: its audience is the client app, and it has no azp.
    auto id_token = without(with(entra_v2_claims(), "aud", "b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11"), "azp");
    CHECK_FALSE(p.verify(p.token(id_token)));
    CHECK(why(p.verify(p.token(entra_v2_claims(), {{"typ", "at+jwt"}}))).find("typ") != std::string::npos);
}

TEST_CASE("profiles: Microsoft Entra ID v1 tokens", "[auth][profiles]") {
    provider p("entra-v1", wa::profiles::entra_v1(), "https://sts.windows.net/{tenant}/", {"api://notes-api"});
    p.rules.tenants = {tenant_a};
    auto claims = entra_v2_claims();
    claims["iss"] = "https://sts.windows.net/" + tenant_a + "/";
    claims["aud"] = "api://notes-api";
    claims["ver"] = "1.0";
    claims["appid"] = claims["azp"];
    claims.erase("azp");
    auto ok = p.verify(p.token(claims));
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().client_id == "b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11");
    CHECK(ok.value().tenant == tenant_a);
    CHECK_FALSE(p.verify(p.token(entra_v2_claims()))); // a v2 token
}

TEST_CASE("profiles: Okta custom authorization servers", "[auth][profiles]") {
    auto p = okta();
    auto ok = p.verify(p.token(okta_claims(), no_typ)); // Okta's header has no typ
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().client_id == "0oaosk9nlfRP30pPW0h7");
    CHECK(ok.value().scopes == std::vector<std::string>{"notes:read", "openid"}); // scp: an array
    CHECK(why(p.verify(p.token(with(okta_claims(), "aud", "api://other"), no_typ))) ==
          "audience not accepted (a token for another resource)");
    CHECK(why(p.verify(p.token(with(okta_claims(), "exp", t0 - 120), no_typ))) == "token expired");
    // Okta's ID token: the client as audience, no cid.
    auto id_token = without(with(okta_claims(), "aud", "0oaosk9nlfRP30pPW0h7"), "cid");
    CHECK_FALSE(p.verify(p.token(id_token, no_typ)));
    // Each scope claim in the form its issuer writes it.
    CHECK(why(p.verify(p.token(with(okta_claims(), "scp", "notes:read"), no_typ))) == "\"scp\" is not an array");
    auto e = entra_v2();
    CHECK(why(e.verify(e.token(with(entra_v2_claims(), "scp", json::array{"notes.read"}))) ) ==
          "\"scp\" is not a string");
    // The org authorization server's issuer is another issuer.
    CHECK(why(p.verify(p.token(with(okta_claims(), "iss", "https://dev-133337.okta.com"), no_typ))) ==
          "issuer not accepted");
}

TEST_CASE("profiles: Auth0, its default profile and RFC 9068", "[auth][profiles]") {
    auto p = auth0();
    auto ok = p.verify(p.token(auth0_claims()));
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().client_id == "JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr");
    CHECK(ok.value().scopes == std::vector<std::string>{"notes:read", "notes:write", "openid", "profile"});
    // The issuer is exact: without its trailing slash it is another issuer.
    CHECK(why(p.verify(p.token(with(auth0_claims(), "iss", "https://dev-abc.us.auth0.com")))) == "issuer not accepted");
    CHECK(why(p.verify(p.token(with(auth0_claims(), "aud", "https://other.example.com")))) ==
          "audience not accepted (a token for another resource)");
    CHECK(why(p.verify(p.token(with(auth0_claims(), "exp", t0 - 100)))) == "token expired");
    // Auth0's ID token: aud is the client, no azp.
    CHECK_FALSE(p.verify(p.token(without(with(auth0_claims(), "aud", "JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr"), "azp"))));

    // A tenant with the RFC 9068 token profile: at+jwt, client_id, jti.
    provider strict("auth0-9068", wa::profiles::rfc9068(), "https://dev-abc.us.auth0.com/", {"https://mcp.example.com/mcp"});
    auto rfc = without(auth0_claims(), "azp");
    rfc["client_id"] = "JqF4nAFQ4vXv8Nm0sF2lZ6mC1gYbS2xr";
    rfc["jti"] = "e1f2";
    CHECK(strict.verify(strict.token(rfc, {{"typ", "at+jwt"}})));
    CHECK(why(strict.verify(strict.token(rfc))).find("typ") != std::string::npos); // typ JWT: refused there
}

TEST_CASE("profiles: Keycloak realms, realm roles mapped to scopes", "[auth][profiles]") {
    auto p = keycloak();
    auto ok = p.verify(p.token(keycloak_claims()));
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().client_id == "mcp-client");
    // scope, and the mapped realm role (the unmapped ones grant nothing).
    CHECK(ok.value().scopes == std::vector<std::string>{"email", "notes:read", "notes:write", "openid", "profile"});
    // Unmapped, a role is a scope of its own name.
    auto plain = p;
    plain.rules.profile.role_scopes.clear();
    const auto unmapped = plain.verify(plain.token(keycloak_claims()));
    REQUIRE(unmapped);
    const auto& s = unmapped.value().scopes;
    CHECK(std::find(s.begin(), s.end(), "notes-editor") != s.end());
    // Keycloak's default audience is "account": no audience mapper, no access.
    CHECK(why(p.verify(p.token(with(keycloak_claims(), "aud", "account")))) ==
          "audience not accepted (a token for another resource)");
    CHECK(why(p.verify(p.token(with(keycloak_claims(), "exp", t0 - 100)))) == "token expired");
    // Its ID token says so in `typ`; a refresh token too.
    CHECK(why(p.verify(p.token(with(keycloak_claims(), "typ", "ID")))).find("\"typ\" is not \"Bearer\"") !=
          std::string::npos);
    CHECK_FALSE(p.verify(p.token(with(keycloak_claims(), "typ", "Refresh"))));
    // Another realm of the same server is another issuer.
    CHECK(why(p.verify(p.token(with(keycloak_claims(), "iss", "https://sso.example.com/realms/other")))) ==
          "issuer not accepted");
}

TEST_CASE("profiles: AWS Cognito access tokens, clients instead of an audience", "[auth][profiles]") {
    auto p = cognito();
    auto ok = p.verify(p.token(cognito_claims(), no_typ));
    INFO(why(ok));
    REQUIRE(ok);
    CHECK(ok.value().client_id == "3n4b5urk1ft4fl3mg5e62d9ado");
    CHECK(ok.value().scopes == std::vector<std::string>{"editors", "notes/read", "openid"});
    // Another app client of the same pool.
    CHECK(why(p.verify(p.token(with(cognito_claims(), "client_id", "7abc"), no_typ))) == "client not accepted");
    CHECK(why(p.verify(p.token(with(cognito_claims(), "exp", t0 - 100), no_typ))) == "token expired");
    // Without a list of clients, nothing binds its tokens to this server: all are refused.
    auto unbound = p;
    unbound.rules.clients.clear();
    CHECK(why(unbound.verify(unbound.token(cognito_claims(), no_typ))) ==
          "the cognito profile reads no audience, and no client is listed");
    // Its ID token: token_use "id", the client as aud.
    auto id_token = with(with(cognito_claims(), "token_use", "id"), "aud", "3n4b5urk1ft4fl3mg5e62d9ado");
    CHECK(why(p.verify(p.token(id_token, no_typ))).find("\"token_use\" is not \"access\"") != std::string::npos);
}

TEST_CASE("profiles: WorkOS AuthKit, the organisation as the tenant", "[auth][profiles]") {
    auto p = workos();
    for (const auto& header : {json::object{{"typ", "JWT"}}, no_typ}) {
        auto ok = p.verify(p.token(workos_claims(), header));
        INFO(why(ok));
        REQUIRE(ok);
        CHECK(ok.value().tenant == workos_org);
        CHECK(ok.value().client_id == "client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8");
        CHECK(ok.value().scopes == std::vector<std::string>{"notes:read", "notes:write", "openid", "profile"});
    }
    // A token of a session with no organisation, and one without a client: a principal
    // without a tenant, or without a client.
    CHECK(p.verify(p.token(without(without(workos_claims(), "org_id"), "client_id"))));
    // Another resource's token (a resource indicator of another server).
    CHECK(why(p.verify(p.token(with(workos_claims(), "aud", "https://other.example.com/mcp")))) ==
          "audience not accepted (a token for another resource)");
    // An ID token: its audience is the client.
    CHECK(why(p.verify(p.token(with(workos_claims(), "aud", "client_01JQ7ZV9M2XK4Q8YB3C5D6E7F8")))) ==
          "audience not accepted (a token for another resource)");
    // AuthKit's session tokens (for the app's own front end) carry no audience at all.
    CHECK(why(p.verify(p.token(without(workos_claims(), "aud")))) == "claim \"aud\" missing");
    CHECK(why(p.verify(p.token(with(workos_claims(), "exp", t0 - 120)))) == "token expired");
    CHECK(why(p.verify(p.token(with(workos_claims(), "iss", "https://api.workos.com")))) == "issuer not accepted");
    CHECK(why(p.verify(p.token(workos_claims(), {{"typ", "dpop+jwt"}}))).find("typ") != std::string::npos);
    // Organisations listed: only theirs.
    auto listed = workos();
    listed.rules.tenants = {"org_01J0000000000000000000000A"};
    CHECK(why(listed.verify(listed.token(workos_claims()))) == "tenant not accepted");
    CHECK(why(listed.verify(listed.token(without(workos_claims(), "org_id")))) == "tenant not accepted");
    listed.rules.tenants.push_back(workos_org);
    CHECK(listed.verify(listed.token(workos_claims())));
    CHECK(why(p.verify(p.token(with(workos_claims(), "org_id", 7)))) == "\"org_id\" is not a string");
}

TEST_CASE("profiles: no profile accepts a token another profile's issuer signed", "[auth][profiles]") {
    auto e = entra_v2();
    auto o = okta();
    auto a = auth0();
    auto k = keycloak();
    auto g = cognito();
    auto x = workos();
    const std::vector<std::pair<const provider*, std::string>> tokens{
        {&e, e.token(entra_v2_claims())}, {&o, o.token(okta_claims(), no_typ)}, {&a, a.token(auth0_claims())},
        {&k, k.token(keycloak_claims())}, {&g, g.token(cognito_claims(), no_typ)}, {&x, x.token(workos_claims())}};
    for (const auto* verifier : {&e, &o, &a, &k, &g, &x})
        for (const auto& [signer, token] : tokens) {
            INFO(verifier->rules.profile.name << " verifying a token of " << signer->rules.profile.name);
            CHECK(bool(verifier->verify(token)) == (verifier == signer));
        }
    // Its claims under the verifier's issuer, but signed with the other provider's key.
    provider forged = okta();
    forged.key = e.key;
    forged.kid = e.kid;
    CHECK_FALSE(o.verify(forged.token(okta_claims(), no_typ)));
}

TEST_CASE("oauth_resource_server: a multi-tenant issuer, a profile, and what its settings must say",
          "[auth][profiles][oauth]") {
    auto p = entra_v2({tenant_a, tenant_b});
    w::auth_settings s;
    s.oauth.resource = "https://mcp.example.com/mcp";
    s.oauth.issuers = {{.issuer = "https://login.microsoftonline.com/{tenant}/v2.0",
                         .audiences = {api_app_id},
                         .jwks = json::serialize(json::object{{"keys", json::array{p.key.jwk(p.kid)}}}),
                         .profile = wa::profiles::entra_v2(),
                         .tenants = {tenant_a, tenant_b}}};
    auto rs = wa::oauth_resource_server::configure({}, s);
    REQUIRE(rs);
    auto live = [](json::object claims) {
        const auto at = std::chrono::duration_cast<std::chrono::seconds>(clock_type::now().time_since_epoch()).count();
        claims["iat"] = at - 60;
        claims["nbf"] = at - 60;
        claims["exp"] = at + 600;
        return claims;
    };
    auto call = [&](const std::string& token) {
        test::request r({{"Authorization", "Bearer " + token}});
        return rs.value().authenticate(r.view());
    };
    auto ok = call(p.token(live(entra_v2_claims(tenant_b))));
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->tenant == tenant_b); // the tenant the token's issuer names
    CHECK(test::admitted(ok)->client == "b3b1ba4a-2b1b-4b1e-8a0f-0c7b5b0a2f11");
    CHECK(test::admitted(ok)->has_scope("notes.write"));
    auto stranger = call(p.token(live(entra_v2_claims("00000000-0000-0000-0000-000000000001"))));
    REQUIRE(test::refused(stranger));
    CHECK(test::refused(stranger)->status == 401);
    // The metadata names each tenant's issuer.
    const auto meta = rs.value().resource_metadata({});
    CHECK(meta.at("authorization_servers").as_array().size() == 2);
    CHECK(meta.at("authorization_servers").at(1).as_string() == "https://login.microsoftonline.com/" + tenant_b + "/v2.0");

    // Settings that cannot work are refused at start-up, each naming the fix.
    auto refused = [&](w::oauth_issuer i) {
        w::auth_settings bad = s;
        bad.oauth.issuers = {std::move(i)};
        auto r = wa::oauth_resource_server::configure({}, bad);
        REQUIRE_FALSE(r);
        return r.error().message();
    };
    auto base = s.oauth.issuers.front();
    auto no_tenants = base;
    no_tenants.tenants.clear();
    CHECK(refused(no_tenants).find("tenants") != std::string::npos);
    auto discovering = base;
    discovering.jwks.clear();
    discovering.discover = true;
    CHECK(refused(discovering).find("jwks_uri") != std::string::npos);
    auto pool = base;
    pool.issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI";
    pool.tenants.clear();
    pool.profile = wa::profiles::cognito();
    CHECK(refused(pool).find("clients") != std::string::npos);
    auto stray = base;
    stray.issuer = "https://login.microsoftonline.com/" + tenant_a + "/v2.0";
    CHECK(refused(stray).find("{tenant}") != std::string::npos);
    // A profile that reads the tenant from a claim takes a list of tenants without {tenant}.
    auto organisations = stray;
    organisations.issuer = "https://vivid-sun-42.authkit.app";
    organisations.profile = wa::profiles::workos();
    organisations.tenants = {workos_org};
    w::auth_settings with_orgs = s;
    with_orgs.oauth.issuers = {organisations};
    auto orgs = wa::oauth_resource_server::configure({}, with_orgs);
    REQUIRE(orgs);
    CHECK(orgs.value().resource_metadata({}).at("authorization_servers") ==
          json::array{"https://vivid-sun-42.authkit.app"});
}

TEST_CASE("profiles by name, for settings read from text", "[auth][profiles]") {
    for (const char* name : {"rfc9068", "entra_v2", "entra_v1", "okta", "auth0", "keycloak", "cognito", "workos"}) {
        INFO(name);
        const auto p = wa::profiles::named(name);
        REQUIRE(p);
        CHECK(p->name == name);
    }
    CHECK_FALSE(wa::profiles::named("azure"));
    CHECK_FALSE(wa::profiles::named(""));
    CHECK(wa::profiles::named("rfc9068")->types == std::vector<std::string>{"at+jwt", "application/at+jwt"});
}
