#include <warden/auth/jwt.hpp>

#include "jose_support.hpp"

#include <catch2/catch.hpp>

#include <openssl/pem.h>

#include <chrono>
#include <string>

namespace w = warden;
namespace c = warden::crypto;

namespace {
using clock_type = std::chrono::system_clock;
const auto now = clock_type::time_point(std::chrono::seconds(1'800'000'000));
const std::string issuer = "https://as.example.com";
const std::string resource = "https://mcp.example.com/mcp";

struct fixture {
    test::signing_key es = test::signing_key::ec();
    test::signing_key rsa = test::signing_key::rsa();
    test::signing_key ed = test::signing_key::ed25519();
    test::signing_key attacker = test::signing_key::ec();
    c::jwk_set keys;
    w::auth::jwt_rules rules;

    fixture() {
        boost::json::object set{{"keys", boost::json::array{es.jwk("es"), rsa.jwk("rsa"), ed.jwk("ed")}}};
        keys = c::parse_jwk_set(boost::json::value(set)).value();
        rules.issuer = issuer;
        rules.audiences = {resource};
    }
    static std::string claims(std::string extra = {}) {
        return R"({"iss":")" + issuer + R"(","aud":")" + resource +
               R"(","sub":"ada","client_id":"cli","iat":1799999990,"jti":"j1","exp":1800000300,"scope":"read write")" +
               extra + "}";
    }
    static std::string header(std::string_view alg, std::string_view kid, std::string extra = {}) {
        return R"({"alg":")" + std::string(alg) + R"(","typ":"at+jwt")" +
               (kid.empty() ? std::string() : R"(,"kid":")" + std::string(kid) + "\"") + extra + "}";
    }
    w::result<w::auth::jwt_claims> verify(const std::string& token) const { return w::auth::verify_jwt(token, keys, rules, now); }
};
} // namespace

TEST_CASE("a well-formed access token verifies with each algorithm family", "[auth][jwt]") {
    fixture f;
    auto ok = f.verify(test::jws(f.es, "ES256", f.header("ES256", "es"), f.claims()));
    REQUIRE(ok);
    CHECK(ok.value().subject == "ada");
    CHECK(ok.value().client_id == "cli");
    CHECK(ok.value().scopes == std::vector<std::string>{"read", "write"});
    CHECK(ok.value().expires == clock_type::time_point(std::chrono::seconds(1'800'000'300)));
    for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
        INFO(alg);
        CHECK(f.verify(test::jws(f.rsa, alg, f.header(alg, "rsa"), f.claims())));
    }
    CHECK(f.verify(test::jws(f.ed, "EdDSA", f.header("EdDSA", "ed"), f.claims())));
    // Without kid: the one key that fits the algorithm.
    CHECK(f.verify(test::jws(f.es, "ES256", f.header("ES256", ""), f.claims())));
    // An array audience with ours in it; scp instead of scope; application/at+jwt.
    auto more = f.verify(test::jws(
        f.es, "ES256", R"({"alg":"ES256","kid":"es","typ":"application/AT+JWT"})",
        R"({"iss":")" + issuer + R"(","aud":["other",")" + resource +
            R"("],"sub":"ada","client_id":"cli","iat":1799999990,"jti":"j1","exp":1800000300,"scp":["a","b"]})"));
    REQUIRE(more);
    CHECK(more.value().scopes == std::vector<std::string>{"a", "b"});
}

TEST_CASE("the JWT attack table", "[auth][jwt][hostile]") {
    fixture f;
    // HS256 is allowed here, though the keys are all public ones: the key-confusion rows must
    // then be stopped by the key-type check, not merely by the algorithm list (tested below).
    f.rules.jws.algorithms.push_back(c::jws_alg::HS256);
    const std::string good_payload = fixture::claims();
    const std::string rsa_pem_public = [&] {
        // The RSA public key as PEM and as raw modulus: what an HS256 confusion attack uses as the secret.
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_PUBKEY(bio.get(), f.rsa.pkey.get());
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(n));
    }();
    const std::string rsa_n = test::signing_key::bn_param(f.rsa.pkey.get(), OSSL_PKEY_PARAM_RSA_N);
    const std::string valid = test::jws(f.es, "ES256", f.header("ES256", "es"), good_payload);
    REQUIRE(f.verify(valid));
    const auto h = valid.substr(0, valid.find('.'));
    const auto rest = valid.substr(valid.find('.'));
    auto with_sig = [&](const std::string& sig) { return valid.substr(0, valid.rfind('.') + 1) + test::b64(sig); };
    const std::string es_sig = f.es.sign("ES256", valid.substr(0, valid.rfind('.')));
    auto flip_bit = [](std::string sig) {
        sig[40] = static_cast<char>(sig[40] ^ 0x10); // a bit of s
        return sig;
    };
    // 64 bytes in base64url leave four unused bits in the last digit, zero in the canonical
    // encoding (A, Q, g or w); the next digit sets the lowest of them.
    auto unused_bit_set = [](std::string t) {
        t.back() = static_cast<char>(t.back() + 1);
        return t;
    };
    // The claims with `member` placed before all the others: a duplicate whose good value comes
    // last, which a parser keeping the last member (Boost.JSON's default) would accept.
    auto bad_first = [&](std::string_view member) { return "{" + std::string(member) + "," + good_payload.substr(1); };
    auto replaced = [&](std::string_view what, std::string_view with) {
        return std::string(good_payload).replace(good_payload.find(what), what.size(), with);
    };

    struct row {
        const char* what;
        std::string token;
        const char* why; // part of the error message: the check that refuses the row
    };
    const row rows[] = {
        {"alg none", test::b64(R"({"alg":"none","typ":"at+jwt"})") + "." + test::b64(good_payload) + ".", "algorithm not accepted"},
        {"alg None", test::b64(R"({"alg":"None","typ":"at+jwt"})") + "." + test::b64(good_payload) + ".", "algorithm not accepted"},
        {"alg NONE with a signature", test::b64(R"({"alg":"NONE","typ":"at+jwt"})") + "." + test::b64(good_payload) + ".AAAA",
         "algorithm not accepted"},
        {"alg nOnE", test::b64(R"({"alg":"nOnE","typ":"at+jwt"})") + "." + test::b64(good_payload) + ".", "algorithm not accepted"},
        {"alg es256 (wrong case)", test::jws(f.es, "ES256", R"({"alg":"es256","kid":"es","typ":"at+jwt"})", good_payload),
         "algorithm not accepted"},
        {"HS256 with the RSA public key (PEM) as secret", test::jws_hmac(rsa_pem_public, f.header("HS256", "rsa"), good_payload),
         "the key named by kid does not fit the algorithm"},
        {"HS256 with the RSA modulus as secret", test::jws_hmac(rsa_n, f.header("HS256", ""), good_payload),
         "no configured key fits the algorithm"},
        {"HS256 signed with the kid as secret", test::jws_hmac("es", f.header("HS256", "es"), good_payload),
         "the key named by kid does not fit the algorithm"},
        {"unknown kid", test::jws(f.es, "ES256", f.header("ES256", "nope"), good_payload), "no configured key has this kid"},
        {"kid path traversal", test::jws(f.es, "ES256", f.header("ES256", "../../../../dev/null"), good_payload),
         "no configured key has this kid"},
        {"kid SQL", test::jws(f.es, "ES256", f.header("ES256", "x' OR '1'='1"), good_payload), "no configured key has this kid"},
        {"empty kid", test::jws(f.es, "ES256", R"({"alg":"ES256","kid":"","typ":"at+jwt"})", good_payload),
         "no configured key has this kid"},
        {"kid not a string", test::jws(f.es, "ES256", R"({"alg":"ES256","kid":7,"typ":"at+jwt"})", good_payload),
         "\"kid\" is not a string"},
        {"kid of another key type", test::jws(f.es, "ES256", f.header("ES256", "rsa"), good_payload),
         "the key named by kid does not fit the algorithm"},
        {"ES384 header on a P-256 key", test::jws(f.es, "ES256", f.header("ES384", "es"), good_payload),
         "the key named by kid does not fit the algorithm"},
        {"crit", test::jws(f.es, "ES256", f.header("ES256", "es", R"(,"crit":["exp"])"), good_payload), "\"crit\""},
        {"embedded jwk of the attacker",
         test::jws(f.attacker, "ES256",
                   f.header("ES256", "", R"(,"jwk":)" + boost::json::serialize(f.attacker.jwk())), good_payload),
         "signature does not verify"},
        {"jku to the attacker", test::jws(f.attacker, "ES256", f.header("ES256", "", R"(,"jku":"https://evil.example/jwks")"), good_payload),
         "signature does not verify"},
        {"x5u", test::jws(f.attacker, "ES256", f.header("ES256", "es", R"(,"x5u":"https://evil.example/c.pem")"), good_payload),
         "signature does not verify"},
        {"signed by another key with our kid", test::jws(f.attacker, "ES256", f.header("ES256", "es"), good_payload),
         "signature does not verify"},
        {"one signature bit flipped", with_sig(flip_bit(es_sig)), "signature does not verify"},
        {"signature with a non-zero unused bit", unused_bit_set(valid), "JWS signature is not base64url"},
        {"signature as DER", with_sig(c::detail::ecdsa_der(es_sig, 32, NID_X9_62_prime256v1)), "signature does not verify"},
        {"signature one byte short", with_sig(es_sig.substr(1)), "signature does not verify"},
        {"signature one byte long", with_sig(es_sig + std::string(1, '\0')), "signature does not verify"},
        {"r = 0", with_sig(std::string(32, '\0') + es_sig.substr(32)), "signature does not verify"},
        {"empty signature", valid.substr(0, valid.rfind('.') + 1), "signature does not verify"},
        {"four parts", valid + ".AAAA", "not a compact JWS"},
        {"two parts", valid.substr(0, valid.rfind('.')), "not a compact JWS"},
        {"padding in the header", h + "=" + rest, "JWS header is not base64url"},
        {"standard base64 character", std::string(h).replace(1, 1, "+") + rest, "JWS header is not base64url"},
        {"whitespace", h + " " + rest, "JWS header is not base64url"},
        {"empty header", rest, "JWS header is not base64url"},
        {"header not JSON", test::b64("alg=ES256") + rest, "JWS header: malformed JSON"},
        {"header an array", test::b64(R"(["ES256"])") + rest, "JWS header is not a JSON object"},
        {"duplicate alg in the header, ours last",
         test::jws(f.es, "ES256", R"({"alg":"none","alg":"ES256","kid":"es","typ":"at+jwt"})", good_payload),
         "JWS header: duplicate member \"alg\""},
        {"duplicate kid in the header, ours last",
         test::jws(f.es, "ES256", R"({"alg":"ES256","kid":"rsa","kid":"es","typ":"at+jwt"})", good_payload),
         "JWS header: duplicate member \"kid\""},
        {"duplicate typ in the header, at+jwt last",
         test::jws(f.es, "ES256", R"({"alg":"ES256","kid":"es","typ":"JWT","typ":"at+jwt"})", good_payload),
         "JWS header: duplicate member \"typ\""},
        {"duplicate iss, ours last", test::jws(f.es, "ES256", f.header("ES256", "es"), bad_first(R"("iss":"https://evil.example")")),
         "claims: duplicate member \"iss\""},
        {"duplicate iss after unescaping, ours last",
         test::jws(f.es, "ES256", f.header("ES256", "es"), bad_first(R"("\u0069ss":"https://evil.example")")),
         "claims: duplicate member \"iss\""},
        {"duplicate exp, the valid one last", test::jws(f.es, "ES256", f.header("ES256", "es"), bad_first(R"("exp":1)")),
         "claims: duplicate member \"exp\""},
        {"duplicate aud, ours last", test::jws(f.es, "ES256", f.header("ES256", "es"), bad_first(R"("aud":"https://other.example/mcp")")),
         "claims: duplicate member \"aud\""},
        {"payload an array", test::jws(f.es, "ES256", f.header("ES256", "es"), "[1]"), "claims are not a JSON object"},
        {"payload not JSON", test::jws(f.es, "ES256", f.header("ES256", "es"), "not json"), "claims: malformed JSON"},
        {"payload nested too deep", test::jws(f.es, "ES256", f.header("ES256", "es"),
                                              fixture::claims(R"(,"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]])")),
         "too deep"},
        {"exp 1e400", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "1e400")),
         "claims: a number out of range"},
        {"exp 1e300", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "1e300")),
         "\"exp\" is out of range"},
        {"exp negative", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "-1")),
         "\"exp\" is out of range"},
        {"exp a string", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "\"1800000300\"")),
         "\"exp\" is not a number"},
        {"exp past the leeway", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "1799999940")),
         "token expired"},
        {"no exp", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced(R"(,"exp":1800000300)", "")),
         "claim \"exp\" missing"},
        {"nbf beyond the leeway", test::jws(f.es, "ES256", f.header("ES256", "es"), fixture::claims(R"(,"nbf":1800000061)")),
         "token not yet valid (nbf)"},
        {"iat in the future", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1799999990", "1800000100")),
         "token issued in the future (iat)"},
        {"another issuer", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced(issuer, issuer + "/")),
         "issuer not accepted"},
        {"another audience", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced(resource, "https://other.example/mcp")),
         "audience not accepted"},
        {"audience array without ours",
         test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("\"" + resource + "\"", R"(["a","b"])")),
         "audience not accepted"},
        {"empty audience array", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("\"" + resource + "\"", "[]")),
         "\"aud\" is neither a string nor a non-empty array of strings"},
        {"audience array with a number",
         test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("\"" + resource + "\"", "[\"" + resource + "\",1]")),
         "\"aud\" holds a non-string"},
        {"no typ (an ID token)", test::jws(f.es, "ES256", R"({"alg":"ES256","kid":"es"})", good_payload),
         "not an access token"},
        {"typ JWT", test::jws(f.es, "ES256", R"({"alg":"ES256","kid":"es","typ":"JWT"})", good_payload), "not an access token"},
        {"no client_id", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced(R"("client_id":"cli",)", "")),
         "claim \"client_id\" missing"},
        {"scope not a string", test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("\"read write\"", "[\"read\"]")),
         "\"scope\" is not a string"},
        {"oversized token", test::jws(f.es, "ES256", f.header("ES256", "es"), fixture::claims(R"(,"pad":")" + std::string(20000, 'x') + "\"")),
         "token too long"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto v = f.verify(r.token);
        CHECK_FALSE(v);
        if (v) continue;
        const std::string message = v.error().message();
        INFO(message);
        CHECK(message.find(r.why) != std::string::npos);
        // Errors never quote the token.
        CHECK(message.find(r.token.substr(0, 20)) == std::string::npos);
    }
    // Boundaries that pass: exp just inside the leeway, nbf within it.
    CHECK(f.verify(test::jws(f.es, "ES256", f.header("ES256", "es"), replaced("1800000300", "1799999941"))));
    CHECK(f.verify(test::jws(f.es, "ES256", f.header("ES256", "es"), fixture::claims(R"(,"nbf":1800000060)"))));
    // An unknown kid is told apart (a reason to refetch the key set).
    auto unknown = f.verify(test::jws(f.es, "ES256", f.header("ES256", "nope"), good_payload));
    CHECK(unknown.error() == w::errc::resource_not_found);
    // Under the default policy, HS256 is refused before any key is looked at.
    fixture plain;
    auto hs = plain.verify(test::jws_hmac(rsa_pem_public, fixture::header("HS256", "rsa"), good_payload));
    REQUIRE_FALSE(hs);
    CHECK(hs.error().message() == "algorithm not accepted");
}

TEST_CASE("HMAC-signed tokens only where asked for, and never beside public keys", "[auth][jwt]") {
    const std::string secret(32, 's');
    auto sym = c::parse_jwk_set(boost::json::value(boost::json::object{
                                    {"kty", "oct"}, {"kid", "h"}, {"k", c::base64url_encode(secret)}}),
                                {.allow_symmetric = true});
    REQUIRE(sym);
    w::auth::jwt_rules rules;
    rules.issuer = issuer;
    rules.audiences = {resource};
    const auto token = test::jws_hmac(secret, fixture::header("HS256", "h"), fixture::claims());
    CHECK_FALSE(w::auth::verify_jwt(token, sym.value(), rules, now)); // HS256 is not in the default policy
    rules.jws.algorithms = {c::jws_alg::HS256};
    CHECK(w::auth::verify_jwt(token, sym.value(), rules, now));
    CHECK_FALSE(w::auth::verify_jwt(test::jws_hmac(secret, fixture::header("HS384", "h"), fixture::claims(), EVP_sha384()),
                                    sym.value(), rules, now));
    // Symmetric keys are refused unless allowed, and never mixed with public ones.
    CHECK_FALSE(c::parse_jwk_set(boost::json::value(boost::json::object{{"kty", "oct"}, {"k", c::base64url_encode(secret)}})));
    fixture f;
    boost::json::object mixed{{"keys", boost::json::array{f.es.jwk("es"),
                                                          boost::json::object{{"kty", "oct"}, {"k", c::base64url_encode(secret)}}}}};
    CHECK_FALSE(c::parse_jwk_set(boost::json::value(mixed), {.allow_symmetric = true}));
}

TEST_CASE("keys are checked at load", "[crypto][jwk]") {
    fixture f;
    auto one = [](boost::json::object o) { return c::parse_jwk(o); };
    auto es = f.es.jwk("es");
    CHECK(one(es));
    auto with = [&](const char* k, boost::json::value v) {
        auto o = es;
        o[k] = std::move(v);
        return one(o);
    };
    CHECK_FALSE(with("d", "AAAA"));            // private member
    CHECK_FALSE(with("use", "enc"));
    CHECK_FALSE(with("key_ops", boost::json::array{"sign"}));
    CHECK(with("key_ops", boost::json::array{"verify"}));
    CHECK_FALSE(with("alg", "ES384"));          // does not fit P-256
    CHECK_FALSE(with("alg", "none"));
    CHECK_FALSE(with("crv", "P-384"));          // coordinates of the wrong length
    CHECK_FALSE(with("kid", ""));
    auto off_curve = es;
    std::string y = c::base64url_decode(es.at("y").get_string()).value();
    y.back() = static_cast<char>(y.back() ^ 1);
    off_curve["y"] = c::base64url_encode(y);
    CHECK_FALSE(one(off_curve));
    CHECK_FALSE(c::parse_jwk(test::signing_key::rsa(1024).jwk()));
    auto ed = f.ed.jwk();
    ed["x"] = c::base64url_encode(std::string(31, 'x'));
    CHECK_FALSE(one(ed));
    // In a set, keys that could never verify a signature are skipped, each with its reason:
    // issuers publish encryption keys beside their signing keys.
    auto enc = f.es.jwk("enc-key");
    enc["use"] = "enc";
    auto oaep = test::signing_key::rsa().jwk("oaep");
    oaep["alg"] = "RSA-OAEP";
    auto wrap_only = f.ed.jwk("wrap");
    wrap_only["key_ops"] = boost::json::array{"wrapKey"};
    boost::json::object x25519{{"kty", "OKP"}, {"crv", "X25519"}, {"kid", "x"}, {"x", c::base64url_encode(std::string(32, 'x'))}};
    boost::json::object k256{{"kty", "EC"}, {"crv", "secp256k1"}, {"kid", "k1"}, {"x", "AA"}, {"y", "AA"}};
    const boost::json::array unusable{enc, oaep, wrap_only, x25519, k256, test::signing_key::rsa(1024).jwk("small")};
    boost::json::array mixed_set = unusable;
    mixed_set.push_back(f.es.jwk("sig-key"));
    auto usable = c::parse_jwk_set(boost::json::value(boost::json::object{{"keys", mixed_set}}));
    REQUIRE(usable);
    REQUIRE(usable.value().keys.size() == 1);
    CHECK(usable.value().keys[0].kid == "sig-key");
    CHECK(usable.value().skipped == std::vector<std::string>{
                                        "JWK enc-key: \"use\" is \"enc\"",
                                        "JWK oaep: \"alg\" RSA-OAEP is not a signature algorithm of ours",
                                        "JWK wrap: \"key_ops\" without \"verify\"",
                                        "JWK x: OKP curve X25519",
                                        "JWK k1: EC curve secp256k1",
                                        "JWK small: RSA key of 1024 bits",
                                    });
    // Only such keys: refused, saying why.
    auto none = c::parse_jwk_set(boost::json::value(boost::json::object{{"keys", unusable}}));
    REQUIRE_FALSE(none);
    CHECK(none.error().message().starts_with("JWK set: no keys that verify signatures; JWK enc-key:"));
    // A private member refuses the set, whatever else is wrong with its key.
    auto leaked = enc;
    leaked["d"] = "AAAA";
    boost::json::array with_leak{leaked, f.es.jwk("sig-key")};
    CHECK_FALSE(c::parse_jwk_set(boost::json::value(boost::json::object{{"keys", with_leak}})));
    // A usable key that is malformed still refuses the set.
    auto broken = f.es.jwk("broken");
    broken["x"] = "AA";
    boost::json::array with_broken{broken, f.es.jwk("sig-key")};
    CHECK_FALSE(c::parse_jwk_set(boost::json::value(boost::json::object{{"keys", with_broken}})));
    // Duplicate kids in a set.
    boost::json::object dup{{"keys", boost::json::array{f.es.jwk("k"), f.ed.jwk("k")}}};
    CHECK_FALSE(c::parse_jwk_set(boost::json::value(dup)));
    // Two keys without kid that fit one algorithm: a token without kid is refused.
    boost::json::object two{{"keys", boost::json::array{f.es.jwk(), f.attacker.jwk()}}};
    auto set = c::parse_jwk_set(boost::json::value(two)).value();
    w::auth::jwt_rules rules;
    rules.issuer = issuer;
    rules.audiences = {resource};
    CHECK_FALSE(w::auth::verify_jwt(test::jws(f.es, "ES256", fixture::header("ES256", ""), fixture::claims()), set, rules, now));
}
