#include <warden/deployments.hpp>

#include <catch2/catch.hpp>

#include <type_traits>

TEST_CASE("named deployments are checked definitions", "[deployments]") {
    STATIC_REQUIRE(warden::definition<warden::local_stdio_server>);
    STATIC_REQUIRE(warden::definition<warden::test_stdio_server>);
    STATIC_REQUIRE(std::is_same_v<warden::local_stdio_server::auth, warden::auth::process_env>);
    STATIC_REQUIRE(std::is_same_v<warden::test_stdio_server::profile, warden::profile::test>);
    STATIC_REQUIRE(warden::local_stdio_server::transport::channel == warden::channel_security::local_process);
}
