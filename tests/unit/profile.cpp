#include <warden/profile.hpp>

#include <catch2/catch.hpp>

TEST_CASE("profiles state which rules are in force", "[profile]") {
    using namespace warden::profile;
    STATIC_REQUIRE(warden::profile_policy<production>);
    STATIC_REQUIRE_FALSE(production::allows_literal_credentials);
    STATIC_REQUIRE_FALSE(production::allows_anonymous_network);
    STATIC_REQUIRE(development::allows_anonymous_network);
    STATIC_REQUIRE(test::allows_literal_credentials);
    STATIC_REQUIRE(replicated<>::multi_instance);
    STATIC_REQUIRE_FALSE(replicated<>::allows_literal_credentials);
    STATIC_REQUIRE(replicated<development>::allows_anonymous_network);
    STATIC_REQUIRE_FALSE(production::multi_instance);
}
