#include <warden/client_certificate.hpp>

#include <catch2/catch.hpp>

TEST_CASE("client_certificate names identities only from subjectAltName", "[client_certificate]") {
    // An aggregate with no subject CN member: identity never comes from the CN.
    const warden::client_certificate c{.uris = {"spiffe://example.org/agent"}, .dns_names = {}, .sha256 = "ab"};
    CHECK(c.uris.size() == 1);
    CHECK_FALSE(c.forwarded); // reported by a trusted proxy only when it says so
}
