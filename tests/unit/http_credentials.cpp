#include <warden/auth/http_credentials.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

namespace wa = warden::auth;

TEST_CASE("challenge parameters are quoted strings", "[auth]") {
    CHECK(wa::quoted(R"(say "hi" \ bye)") == R"("say \"hi\" \\ bye")");
    CHECK(wa::quoted("line\r\nbreak") == "\"linebreak\"");
    const wa::challenges c{"Bearer", "my \"realm\""};
    CHECK(c.header() == R"(Bearer realm="my \"realm\"")");
    CHECK(c.header("insufficient_scope", "needs more", "a b") ==
          R"(Bearer realm="my \"realm\"", error="insufficient_scope", error_description="needs more", scope="a b")");
    CHECK(c.missing().status == 401);
    CHECK(c.missing().error.empty());
    CHECK(c.malformed("x").status == 400);
    CHECK(c.forbidden("x").status == 403);
}

TEST_CASE("token68 and the Authorization field", "[auth]") {
    for (const char* ok : {"abc", "a-b._~+/", "abc==", "A1"}) CHECK(wa::is_token68(ok));
    for (const char* bad : {"", "=", "a b", "a=b", "a\"", "a,b", "é"}) CHECK_FALSE(wa::is_token68(bad));
    using k = wa::authorization::kind;
    CHECK(wa::read_authorization(test::request({}).view(), "Bearer").state == k::absent);
    CHECK(wa::read_authorization(test::request({{"Authorization", "Basic x"}}).view(), "Bearer").state == k::other_scheme);
    CHECK(wa::read_authorization(test::request({{"Authorization", "Bearerx y"}}).view(), "Bearer").state == k::other_scheme);
    // A value that does not start with a scheme name is malformed for every scheme.
    for (const char* bad : {"Bearer: tok", "", "Bearer\ttok", "\"Bearer\" tok", "Bearer,Basic x"}) {
        INFO(bad);
        const auto m = wa::read_authorization(test::request({{"Authorization", bad}}).view(), "Basic");
        CHECK(m.state == k::malformed);
        CHECK(m.reason == "the Authorization field does not name a scheme");
    }
    CHECK(wa::is_token("HMAC-SHA256"));
    CHECK_FALSE(wa::is_token("Bearer:"));
    const test::request spaced({{"Authorization", "bEaReR   tok"}});
    auto a = wa::read_authorization(spaced.view(), "Bearer");
    CHECK(a.state == k::present);
    CHECK(a.credentials == "tok");
    CHECK(wa::read_authorization(test::request({{"Authorization", "Bearer a"}, {"authorization", "Bearer b"}}).view(),
                                 "Bearer")
              .state == k::malformed);
    CHECK(wa::credential_in_query("/mcp?x=1&access_token=t"));
    CHECK_FALSE(wa::credential_in_query("/mcp?token=t"));
}

TEST_CASE("digest_table finds the grant whose secrets match, whole and only whole", "[auth]") {
    wa::digest_table t;
    t.add(3, {warden::crypto::sha256("alpha")});
    t.add(7, {warden::crypto::sha256("beta")});
    CHECK(t.find({"alpha"}) == std::optional<std::size_t>(3));
    CHECK(t.find({"beta"}) == std::optional<std::size_t>(7));
    CHECK_FALSE(t.find({"alph"}));
    CHECK_FALSE(t.find({"alphaa"}));
    CHECK_FALSE(t.find({""}));
    CHECK_FALSE(t.find({"alpha", "beta"}));
    CHECK(t.grant_of({warden::crypto::sha256("beta")}) == std::optional<std::size_t>(7));
    CHECK_FALSE(t.grant_of({warden::crypto::sha256("gamma")}));
}

TEST_CASE("digest_table: entries of many secrets (beyond the digests kept on the stack)", "[auth]") {
    wa::digest_table t;
    const std::vector<std::string_view> five{"a1", "b2", "c3", "d4", "e5"};
    std::vector<warden::crypto::sha256_digest> digests;
    for (auto s : five) digests.push_back(warden::crypto::sha256(s));
    t.add(4, digests);
    t.add(9, {warden::crypto::sha256("a1")});
    CHECK(t.find(five) == std::optional<std::size_t>(4));
    const std::vector<std::string_view> changed{"a1", "b2", "c3", "d4", "e6"};
    CHECK_FALSE(t.find(changed));
    const std::vector<std::string_view> shorter{"a1", "b2", "c3", "d4"};
    CHECK_FALSE(t.find(shorter));
    CHECK(t.find({"a1"}) == std::optional<std::size_t>(9));
}
