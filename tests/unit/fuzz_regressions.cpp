// Inputs the fuzzing campaign (fuzz/fuzz.cpp) found to break something, each kept as a test
// of the behaviour it broke.
#include <warden/auth/jwt.hpp>

#include "jose_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace w = warden;

// jwt_claims, 2026-11-22: {"exp":41002444800} (the year 3269) is a valid NumericDate, but
// converting it to a nanosecond time point overflowed (UBSan: 4.1e19 is outside the range
// of long). Dates past the clock's range now mean "the end of time".
TEST_CASE("fuzz regression: an expiry beyond the clock's range verifies without overflow", "[auth][jwt][fuzz]") {
    using clock_type = std::chrono::system_clock;
    const std::string secret = "fuzz-hs256-key-0123456789abcdef0123456789";
    const auto keys = w::crypto::parse_jwk_set(R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" +
                                                   w::crypto::base64url_encode(secret) + R"("}]})",
                                               {.allow_symmetric = true})
                          .value();
    w::auth::jwt_rules rules;
    rules.issuer = "https://as.example";
    rules.audiences = {"https://mcp.example/mcp"};
    rules.jws.algorithms = {w::crypto::jws_alg::HS256};
    const auto claims = [](const std::string& exp) {
        return R"({"iss":"https://as.example","aud":"https://mcp.example/mcp","sub":"u0","client_id":"c1","exp":)" + exp +
               R"(,"iat":1700000000,"jti":"j1","scope":"read"})";
    };
    const std::string header = R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})";
    const auto now = clock_type::time_point(std::chrono::seconds(1'800'000'000));
    for (const char* exp : {"41002444800", "253402300799", "9223372036"}) {
        INFO(exp);
        auto v = w::auth::verify_jwt(test::jws_hmac(secret, header, claims(exp)), keys, rules, now);
        REQUIRE(v);
        CHECK(v.value().expires == clock_type::time_point::max());
    }
    // Within the clock's range, the exact time.
    auto v = w::auth::verify_jwt(test::jws_hmac(secret, header, claims("4102444800")), keys, rules, now);
    REQUIRE(v);
    CHECK(v.value().expires == clock_type::time_point(std::chrono::seconds(4'102'444'800)));
    CHECK(w::auth::detail::time_point_of(1e300) == clock_type::time_point::max());
}
