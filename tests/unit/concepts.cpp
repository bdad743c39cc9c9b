#include <warden/concepts.hpp>

#include "../compile_fail/policies.hpp"

#include <catch2/catch.hpp>

namespace {
// A user's own transport, written from the requirements table alone.
struct unix_socket_transport {
    static constexpr warden::channel_security channel = warden::channel_security::local_process;
    static constexpr bool carries_http_headers = false;
    static constexpr bool verifies_client_certificates = false;
};
struct missing_trait {
    static constexpr warden::channel_security channel = warden::channel_security::tls;
    static constexpr bool carries_http_headers = true;
};
struct runtime_trait {
    static inline bool durable = false; // not a constant expression
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = false;
};
} // namespace

TEST_CASE("slot concepts accept user policies that state every trait", "[concepts]") {
    STATIC_REQUIRE(warden::transport_policy<unix_socket_transport>);
    STATIC_REQUIRE(warden::transport_policy<example::tls_http>);
    STATIC_REQUIRE(warden::auth_scheme_policy<example::api_key>);
    STATIC_REQUIRE(warden::storage_policy<example::ram>);
    STATIC_REQUIRE(warden::credential_source_policy<example::env_source>);
}

TEST_CASE("slot concepts refuse missing or non-constant traits", "[concepts]") {
    STATIC_REQUIRE_FALSE(warden::transport_policy<missing_trait>);
    STATIC_REQUIRE_FALSE(warden::storage_policy<runtime_trait>);
    STATIC_REQUIRE_FALSE(warden::auth_scheme_policy<example::ram>);
    STATIC_REQUIRE_FALSE(warden::credential_source_policy<int>);
}
