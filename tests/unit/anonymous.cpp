#include <warden/auth/anonymous.hpp>

#include <catch2/catch.hpp>

TEST_CASE("anonymous: nobody, with no scopes", "[auth]") {
    auto p = warden::auth::anonymous::local_principal();
    CHECK(p.subject == "anonymous");
    CHECK_FALSE(p.has_scope("read"));
    STATIC_REQUIRE(warden::auth::anonymous::is_anonymous);
}
