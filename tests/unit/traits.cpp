#include <warden/traits.hpp>

#include <catch2/catch.hpp>

using warden::channel_security;

TEST_CASE("channel confidentiality and locality", "[traits]") {
    STATIC_REQUIRE_FALSE(warden::is_confidential(channel_security::plaintext));
    STATIC_REQUIRE(warden::is_confidential(channel_security::tls));
    STATIC_REQUIRE(warden::is_confidential(channel_security::loopback_plaintext));
    STATIC_REQUIRE(warden::is_host_local(channel_security::local_process));
    STATIC_REQUIRE(warden::is_host_local(channel_security::loopback_plaintext));
    STATIC_REQUIRE_FALSE(warden::is_host_local(channel_security::tls));
    STATIC_REQUIRE_FALSE(warden::is_host_local(channel_security::tls_terminated));
}
