// DPoP (RFC 9449) in the resource server: proofs checked against the request and the
// token, jti replay refused, nonces, and every hostile proof the issue lists.
#include <warden/auth/dpop.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/crypto/signing_key.hpp>
#include <warden/storage/memory.hpp>

#include "auth_support.hpp"
#include "jose_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace w = warden;
namespace json = boost::json;

namespace {
const std::string resource = "https://mcp.example.com/mcp";
const std::string issuer = "https://as.example.com";
std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::string b64(std::string_view s) { return w::crypto::base64url_encode(s); }
std::string ath_of(const std::string& token) {
    const auto d = w::crypto::sha256(token);
    return b64({reinterpret_cast<const char*>(d.data()), d.size()});
}

struct as_keys {
    test::signing_key key = test::signing_key::ec();
    std::string jwks() const { return json::serialize(json::object{{"keys", json::array{key.jwk("as-1")}}}); }
    /// An access token, bound to `jkt` when it is not empty.
    std::string token(const std::string& jkt, std::string scope = "notes:read") const {
        json::object c{{"iss", issuer}, {"aud", resource}, {"sub", "ada"}, {"client_id", "app"}, {"iat", now_s()},
                       {"jti", "t" + std::to_string(now_s())}, {"exp", now_s() + 300}, {"scope", scope}};
        if (!jkt.empty()) c["cnf"] = json::object{{"jkt", jkt}};
        return test::jws(key, "ES256", R"({"alg":"ES256","typ":"at+jwt","kid":"as-1"})", json::serialize(c));
    }
};

/// A client's DPoP key and the proofs it signs.
struct client_key {
    test::signing_key key = test::signing_key::ec();
    std::string alg = "ES256";
    json::object public_jwk() const { return key.jwk(); }
    std::string jkt() const { return w::auth::jwk_thumbprint(public_jwk()).value(); }
    /// A proof for `token`; `change` edits the claims, `header` the header, before signing.
    std::string proof(const std::string& token, const std::function<void(json::object&)>& change = {},
                      const std::function<void(json::object&)>& header_change = {}) const {
        static int n = 0;
        json::object c{{"jti", "proof-" + std::to_string(++n) + "-" + std::to_string(now_s())}, {"htm", "POST"},
                       {"htu", resource}, {"iat", now_s()}, {"ath", ath_of(token)}};
        if (change) change(c);
        json::object h{{"typ", "dpop+jwt"}, {"alg", alg}, {"jwk", public_jwk()}};
        if (header_change) header_change(h);
        return test::jws(key, alg, json::serialize(h), json::serialize(c));
    }
};

w::auth_settings settings(const as_keys& as, w::dpop_mode mode) {
    w::auth_settings s;
    s.oauth.resource = resource;
    s.oauth.issuers = {{.issuer = issuer, .jwks = as.jwks(), .dpop = mode}};
    return s;
}
std::shared_ptr<w::auth::replay_store> memory_replay() {
    return std::make_shared<w::auth::storage_replay_store>(std::make_shared<w::storage::memory_store>());
}
w::result<w::auth::dpop_resource_server> server(const as_keys& as, w::dpop_mode mode = w::dpop_mode::allowed,
                                                std::shared_ptr<w::auth::replay_store> replay = memory_replay()) {
    return w::auth::dpop_resource_server::configure({}, settings(as, mode), std::move(replay));
}
/// A request with `Authorization: <scheme> <token>` and, if given, one DPoP field.
w::gate_result call(const w::auth::dpop_resource_server& rs, const std::string& scheme, const std::string& token,
                    const std::string& proof = {}, std::string target = "/mcp") {
    test::request r({{"Authorization", scheme + " " + token}}, std::move(target));
    if (!proof.empty()) r.fields.insert("DPoP", proof);
    return rs.authenticate(r.view());
}
std::string why(const w::gate_result& g) {
    const auto* c = test::refused(g);
    return c ? c->error + ": " + (c->detail.empty() ? c->description : c->detail) : std::string("admitted");
}
} // namespace

TEST_CASE("dpop: the RFC 7638 thumbprint and the URI htu is compared on", "[auth][dpop]") {
    // RFC 7638 §3.1's example key and thumbprint.
    const json::object rfc{{"kty", "RSA"},
                           {"n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
                                 "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY3"
                                 "68QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM"
                                 "4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
                           {"e", "AQAB"},
                           {"alg", "RS256"},
                           {"kid", "2011-04-29"}};
    CHECK(w::auth::jwk_thumbprint(rfc) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    CHECK_FALSE(w::auth::jwk_thumbprint(json::object{{"kty", "oct"}, {"k", "AAAA"}}));
    CHECK(w::auth::dpop_uri("HTTPS://MCP.Example.com:443/mcp?x=1#f") == "https://mcp.example.com/mcp");
    CHECK(w::auth::dpop_uri("http://127.0.0.1:8080") == "http://127.0.0.1:8080/");
    CHECK(w::auth::dpop_uri("https://h/a/%7euser/../mcp") == "https://h/a/mcp");
    CHECK_FALSE(w::auth::dpop_uri("ftp://h/mcp"));
    CHECK_FALSE(w::auth::dpop_uri("/mcp"));
}

TEST_CASE("dpop: a bound token with its proof; the proof's jti once", "[auth][dpop]") {
    as_keys as;
    client_key client;
    auto rs = server(as);
    REQUIRE(rs);
    const auto token = as.token(client.jkt());
    const auto proof = client.proof(token);
    auto ok = call(rs.value(), "DPoP", token, proof);
    INFO(why(ok));
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->subject == "ada");
    // The same proof again: a replay, even though the token is cached by now.
    auto again = call(rs.value(), "DPoP", token, proof);
    REQUIRE(test::refused(again));
    CHECK(test::refused(again)->status == 401);
    CHECK(test::refused(again)->error == "invalid_dpop_proof");
    CHECK(test::refused(again)->www_authenticate.starts_with(R"(DPoP realm="mcp", resource_metadata=")"));
    CHECK(test::refused(again)->www_authenticate.find(R"(algs="ES256 ES384 PS256 RS256 EdDSA")") != std::string::npos);
    CHECK(why(again).find("used before") != std::string::npos);
    // A new proof for the same token: fine (the cache holds the token, not the proof).
    CHECK(test::admitted(call(rs.value(), "DPoP", token, client.proof(token))));
    // The scheme name is case-insensitive.
    CHECK(test::admitted(call(rs.value(), "dpop", token, client.proof(token))));
}

TEST_CASE("dpop: hostile proofs are refused with invalid_dpop_proof", "[auth][dpop]") {
    as_keys as;
    client_key client;
    auto rs = server(as);
    REQUIRE(rs);
    const auto token = as.token(client.jkt());
    const auto other_token = as.token(client.jkt(), "notes:write");
    client_key stranger;
    client_key rsa_client;
    rsa_client.key = test::signing_key::rsa();
    rsa_client.alg = "RS256";
    struct row {
        const char* what;
        std::string proof;
        std::string reason;
    };
    const std::vector<row> rows{
        {"wrong htm", client.proof(token, [](json::object& c) { c["htm"] = "GET"; }), "htm"},
        {"wrong htu", client.proof(token, [](json::object& c) { c["htu"] = "https://mcp.example.com/other"; }), "htu"},
        {"another host", client.proof(token, [](json::object& c) { c["htu"] = "https://evil.example.com/mcp"; }), "htu"},
        {"stale iat", client.proof(token, [](json::object& c) { c["iat"] = now_s() - 600; }), "iat"},
        {"future iat", client.proof(token, [](json::object& c) { c["iat"] = now_s() + 600; }), "iat"},
        {"no iat", client.proof(token, [](json::object& c) { c.erase("iat"); }), "iat"},
        {"no jti", client.proof(token, [](json::object& c) { c.erase("jti"); }), "jti"},
        {"ath of another token", client.proof(token, [&](json::object& c) { c["ath"] = ath_of(other_token); }), "ath"},
        {"no ath", client.proof(token, [](json::object& c) { c.erase("ath"); }), "ath"},
        {"typ JWT", client.proof(token, {}, [](json::object& h) { h["typ"] = "JWT"; }), "typ"},
        {"jwk with private members",
         client.proof(token, {}, [](json::object& h) { h["jwk"].as_object()["d"] = "AAAA"; }), "private"},
        {"no jwk", client.proof(token, {}, [](json::object& h) { h.erase("jwk"); }), "jwk"},
        {"a key named by kid", client.proof(token, {}, [](json::object& h) { h["kid"] = "k1"; }), "jwk"},
        {"a symmetric jwk", client.proof(token, {}, [](json::object& h) { h["jwk"] = json::object{{"kty", "oct"}, {"k", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}}; }), "jwk"},
        {"signed by another key than the jwk",
         [&] {
             auto p = client.proof(token);
             const auto s = stranger.proof(token);
             return p.substr(0, p.rfind('.')) + s.substr(s.rfind('.'));
         }(),
         "signature"},
        {"signed by another key than cnf.jkt", stranger.proof(token), "another key"},
        {"RSA key, token bound to the EC key", rsa_client.proof(token), "another key"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = call(rs.value(), "DPoP", token, r.proof);
        REQUIRE(test::refused(g));
        CHECK(test::refused(g)->status == 401);
        CHECK(test::refused(g)->error == "invalid_dpop_proof");
        CHECK(test::refused(g)->www_authenticate.find(R"(error="invalid_dpop_proof")") != std::string::npos);
        CHECK_THAT(why(g), Catch::Contains(r.reason));
    }
    // alg none and HS256, whatever the key.
    const std::string claims = json::serialize(json::object{{"jti", "x1"}, {"htm", "POST"}, {"htu", resource},
                                                            {"iat", now_s()}, {"ath", ath_of(token)}});
    const std::string none = b64(json::serialize(json::object{{"typ", "dpop+jwt"}, {"alg", "none"}, {"jwk", client.public_jwk()}})) +
                             "." + b64(claims) + ".";
    CHECK(why(call(rs.value(), "DPoP", token, none)).find("alg") != std::string::npos);
    const std::string hs = test::jws_hmac("secretsecretsecretsecretsecret!!",
                                          json::serialize(json::object{{"typ", "dpop+jwt"}, {"alg", "HS256"}, {"jwk", client.public_jwk()}}),
                                          claims);
    CHECK(why(call(rs.value(), "DPoP", token, hs)).find("alg") != std::string::npos);
    // No proof, two proofs, a proof that is not a JWS.
    CHECK(why(call(rs.value(), "DPoP", token)).find("no DPoP proof") != std::string::npos);
    test::request two({{"Authorization", "DPoP " + token}, {"DPoP", client.proof(token)}, {"DPoP", client.proof(token)}});
    CHECK(why(rs.value().authenticate(two.view())).find("more than one") != std::string::npos);
    CHECK(test::refused(call(rs.value(), "DPoP", token, "not-a-jws"))->error == "invalid_dpop_proof");
    // Nothing in any refusal quotes the token or the proof.
    auto g = call(rs.value(), "DPoP", token, stranger.proof(token));
    CHECK(test::refused(g)->www_authenticate.find(token.substr(0, 20)) == std::string::npos);
}

TEST_CASE("dpop: bearer and DPoP side by side, per issuer", "[auth][dpop]") {
    as_keys as;
    client_key client;
    auto allowed = server(as, w::dpop_mode::allowed);
    REQUIRE(allowed);
    // A DPoP-bound token is no bearer token, on any server.
    auto bound_as_bearer = call(allowed.value(), "Bearer", as.token(client.jkt()));
    REQUIRE(test::refused(bound_as_bearer));
    CHECK(test::refused(bound_as_bearer)->error == "invalid_token");
    CHECK(why(bound_as_bearer).find("presented as a bearer token") != std::string::npos);
    auto plain = w::auth::oauth_resource_server::configure({}, settings(as, w::dpop_mode::off));
    REQUIRE(plain);
    test::request r({{"Authorization", "Bearer " + as.token(client.jkt())}});
    CHECK(test::refused(plain.value().authenticate(r.view())));
    // An unbound token: bearer is fine while DPoP is allowed; with a proof it is refused.
    const auto unbound = as.token("");
    CHECK(test::admitted(call(allowed.value(), "Bearer", unbound)));
    CHECK(why(call(allowed.value(), "DPoP", unbound, client.proof(unbound))).find("not DPoP-bound") != std::string::npos);
    // Nothing presented: both schemes are offered.
    test::request none({});
    auto missing = allowed.value().authenticate(none.view());
    REQUIRE(test::refused(missing));
    CHECK(test::refused(missing)->www_authenticate.starts_with("Bearer realm="));
    CHECK(test::refused(missing)->www_authenticate.find(", DPoP realm=\"mcp\"") != std::string::npos);
    // Required: bearer is refused with a DPoP challenge.
    auto required = server(as, w::dpop_mode::required);
    REQUIRE(required);
    auto bearer = call(required.value(), "Bearer", unbound);
    REQUIRE(test::refused(bearer));
    CHECK(test::refused(bearer)->www_authenticate.starts_with("DPoP realm="));
    const auto t = as.token(client.jkt());
    CHECK(test::admitted(call(required.value(), "DPoP", t, client.proof(t))));
    // Off: DPoP is not even read by a plain resource server; the DPoP server refuses it.
    auto off = server(as, w::dpop_mode::off);
    REQUIRE(off);
    CHECK(test::refused(call(off.value(), "DPoP", t, client.proof(t))));
    // Metadata says what is supported.
    const auto meta = required.value().resource_metadata({});
    CHECK(meta.at("dpop_bound_access_tokens_required") == true);
    CHECK(meta.at("dpop_signing_alg_values_supported").as_array().size() == 5);
    CHECK_FALSE(plain.value().resource_metadata({}).contains("dpop_signing_alg_values_supported"));
    CHECK(allowed.value().resource_metadata({}).at("dpop_bound_access_tokens_required") == false);
}

TEST_CASE("dpop: settings that cannot work are refused at start-up", "[auth][dpop]") {
    as_keys as;
    // DPoP without a replay store: the plain scheme cannot take it.
    auto plain = w::auth::oauth_resource_server::configure({}, settings(as, w::dpop_mode::allowed));
    REQUIRE_FALSE(plain);
    CHECK_THAT(plain.error().message(), Catch::Contains("dpop_resource_server"));
    auto s = settings(as, w::dpop_mode::allowed);
    s.oauth.dpop_algorithms = {"HS256"};
    auto hs = w::auth::dpop_resource_server::configure({}, s, memory_replay());
    REQUIRE_FALSE(hs);
    CHECK_THAT(hs.error().message(), Catch::Contains("asymmetric"));
    s = settings(as, w::dpop_mode::allowed);
    s.oauth.dpop_nonce = true;
    s.oauth.dpop_nonce_credential = "DPOP_NONCE_KEY";
    auto short_key = w::auth::dpop_resource_server::configure(test::credentials({{"DPOP_NONCE_KEY", "short"}}), s, memory_replay());
    REQUIRE_FALSE(short_key);
    CHECK_THAT(short_key.error().message(), Catch::Contains("32 bytes"));
    CHECK(w::auth::dpop_resource_server::variables(s).back().name == "DPOP_NONCE_KEY");
}

TEST_CASE("dpop: nonces, and a replay store that cannot answer", "[auth][dpop]") {
    as_keys as;
    client_key client;
    auto s = settings(as, w::dpop_mode::allowed);
    s.oauth.dpop_nonce = true;
    s.oauth.dpop_nonce_credential = "DPOP_NONCE_KEY";
    const auto creds = test::credentials({{"DPOP_NONCE_KEY", std::string(40, 'k')}});
    auto rs = w::auth::dpop_resource_server::configure(creds, s, memory_replay());
    REQUIRE(rs);
    const auto token = as.token(client.jkt());
    auto first = call(rs.value(), "DPoP", token, client.proof(token));
    REQUIRE(test::refused(first));
    CHECK(test::refused(first)->status == 401);
    CHECK(test::refused(first)->error == "use_dpop_nonce");
    CHECK(test::refused(first)->www_authenticate.find(R"(error="use_dpop_nonce")") != std::string::npos);
    const std::string nonce = test::refused(first)->dpop_nonce;
    REQUIRE(nonce.size() >= 16);
    auto stale = call(rs.value(), "DPoP", token, client.proof(token, [](json::object& c) { c["nonce"] = "stale-nonce"; }));
    CHECK(test::refused(stale)->error == "use_dpop_nonce");
    auto ok = call(rs.value(), "DPoP", token, client.proof(token, [&](json::object& c) { c["nonce"] = nonce; }));
    INFO(why(ok));
    CHECK(test::admitted(ok));
    // Another instance with the same nonce key takes the nonce; one with its own key does not.
    auto twin = w::auth::dpop_resource_server::configure(creds, s, memory_replay());
    REQUIRE(twin);
    CHECK(test::admitted(call(twin.value(), "DPoP", token, client.proof(token, [&](json::object& c) { c["nonce"] = nonce; }))));
    auto own = s;
    own.oauth.dpop_nonce_credential.clear();
    auto loner = w::auth::dpop_resource_server::configure({}, own, memory_replay());
    REQUIRE(loner);
    CHECK(test::refused(call(loner.value(), "DPoP", token, client.proof(token, [&](json::object& c) { c["nonce"] = nonce; })))
              ->error == "use_dpop_nonce");
    // The replay store down: 503, never a pass.
    struct unavailable final : w::auth::replay_store {
        w::result<bool> remember(std::string_view, std::chrono::milliseconds) override {
            return w::failure(w::errc::storage_error, "redis: connection refused");
        }
    };
    auto down = server(as, w::dpop_mode::allowed, std::make_shared<unavailable>());
    REQUIRE(down);
    auto g = call(down.value(), "DPoP", token, client.proof(token));
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 503);
}

TEST_CASE("dpop: a proof for another path of this server, and the public URI behind a prefix", "[auth][dpop]") {
    as_keys as;
    client_key client;
    auto s = settings(as, w::dpop_mode::allowed);
    s.oauth.resource = "https://mcp.example.com/team-a/mcp";
    auto rs = w::auth::dpop_resource_server::configure({}, s, memory_replay());
    REQUIRE(rs);
    json::object c{{"iss", issuer}, {"aud", s.oauth.resource}, {"sub", "ada"}, {"client_id", "app"}, {"iat", now_s()},
                   {"jti", "t1"}, {"exp", now_s() + 300}, {"cnf", json::object{{"jkt", client.jkt()}}}};
    const auto token = test::jws(as.key, "ES256", R"({"alg":"ES256","typ":"at+jwt","kid":"as-1"})", json::serialize(c));
    // The server sees /mcp; the client addressed the public URI.
    auto pub = [&](json::object& cl) { cl["htu"] = "https://mcp.example.com/team-a/mcp"; };
    CHECK(test::admitted(call(rs.value(), "DPoP", token, client.proof(token, pub))));
    // The legacy messages endpoint, addressed directly.
    auto messages = [&](json::object& cl) { cl["htu"] = "https://mcp.example.com/messages"; };
    CHECK(test::admitted(call(rs.value(), "DPoP", token, client.proof(token, messages), "/messages?sessionId=x")));
    CHECK(test::refused(call(rs.value(), "DPoP", token, client.proof(token, messages), "/mcp")));
}

TEST_CASE("dpop: the upstream client's key and proofs pass the resource server's checks", "[auth][dpop][upstream]") {
    auto key = w::crypto::ec_signing_key::generate();
    REQUIRE(key);
    // Stored and read back: the same key (same thumbprint), and it still signs.
    const std::string stored = key.value().private_jwk();
    auto back = w::crypto::ec_signing_key::from_jwk(stored);
    REQUIRE(back);
    CHECK(w::auth::jwk_thumbprint(back.value().public_jwk()) == w::auth::jwk_thumbprint(key.value().public_jwk()));
    CHECK_FALSE(back.value().public_jwk().contains("d"));
    // A proof made by the client side, checked by the server side.
    const std::string token = "access-token-123";
    auto proof = w::crypto::dpop_proof(back.value(), "POST", "https://api.example.com/v1/notes?x=1#f", token, "n-1");
    REQUIRE(proof);
    w::auth::dpop_expectations want;
    want.method = "POST";
    want.uris = {"https://api.example.com/v1/notes"};
    want.access_token = token;
    want.now = std::chrono::system_clock::now();
    want.algorithms = {w::crypto::jws_alg::ES256};
    want.nonce_valid = [](std::string_view n) { return n == "n-1"; };
    auto ok = w::auth::check_dpop_proof(proof.value(), want);
    REQUIRE(std::holds_alternative<w::auth::dpop_proof>(ok));
    CHECK(std::get<w::auth::dpop_proof>(ok).jkt == w::auth::jwk_thumbprint(key.value().public_jwk()));
    // Two proofs never share a jti; another token's ath does not pass.
    auto second = w::crypto::dpop_proof(back.value(), "POST", "https://api.example.com/v1/notes", token, "n-1");
    REQUIRE(second);
    CHECK(std::get<w::auth::dpop_proof>(w::auth::check_dpop_proof(second.value(), want)).jti !=
          std::get<w::auth::dpop_proof>(ok).jti);
    want.access_token = "another-token";
    CHECK(std::holds_alternative<w::auth::dpop_refusal>(w::auth::check_dpop_proof(second.value(), want)));
    // A damaged or mismatched stored key is refused, not used.
    auto other = w::crypto::ec_signing_key::generate();
    REQUIRE(other);
    auto mixed = json::parse(stored).as_object();
    mixed["d"] = json::parse(other.value().private_jwk()).as_object()["d"];
    CHECK_FALSE(w::crypto::ec_signing_key::from_jwk(json::serialize(mixed)));
    CHECK_FALSE(w::crypto::ec_signing_key::from_jwk(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"})"));
    CHECK_FALSE(w::crypto::ec_signing_key::from_jwk("not json"));
}
