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

#include <warden/auth/bearer.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/storage/redis.hpp>

TEST_CASE("the network aliases spell out the definitions the examples used to write by hand", "[deployments]") {
    namespace w = warden;
    using sources = w::credentials::first_of<w::credentials::file, w::credentials::env>;
    STATIC_REQUIRE(std::is_same_v<w::https_server<w::auth::bearer>,
                                  w::server_definition<w::transport::streamable_http<w::transport::tls>, sources,
                                                       w::auth::bearer, w::storage::memory, w::profile::production>>);
    STATIC_REQUIRE(std::is_same_v<w::http_server<w::auth::bearer, w::transport::behind_tls_terminator>,
                                  w::server_definition<w::transport::streamable_http<w::transport::behind_tls_terminator>,
                                                       sources, w::auth::bearer, w::storage::memory>>);
    STATIC_REQUIRE(std::is_same_v<w::oauth_protected_server<>::auth, w::auth::oauth_resource_server>);
    STATIC_REQUIRE(w::oauth_protected_server<>::transport::channel == w::channel_security::tls);
    STATIC_REQUIRE(std::is_same_v<w::replicated_hmac_server<>::storage, w::storage::redis>);
    STATIC_REQUIRE(w::replicated_hmac_server<>::profile::multi_instance);
    STATIC_REQUIRE(w::definition<w::https_server<w::auth::bearer>>);
    STATIC_REQUIRE(w::definition<w::http_server<w::auth::bearer, w::transport::loopback>>);
    STATIC_REQUIRE(w::definition<w::oauth_protected_server<w::transport::loopback>>);
    STATIC_REQUIRE(w::definition<w::replicated_hmac_server<>>);
}
