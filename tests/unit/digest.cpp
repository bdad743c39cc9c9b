#include <warden/crypto/digest.hpp>

#include <catch2/catch.hpp>

TEST_CASE("sha256 matches the FIPS 180 test vector", "[crypto]") {
    auto d = warden::crypto::sha256("abc");
    CHECK(warden::crypto::to_hex(d.data(), d.size()) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("secret comparison and fingerprints", "[crypto]") {
    CHECK(warden::crypto::equal_secrets("a", "a"));
    CHECK_FALSE(warden::crypto::equal_secrets("a", "b"));
    CHECK_FALSE(warden::crypto::equal_secrets("a", "aa"));
    CHECK(warden::crypto::fingerprint("abc") == "sha256:ba7816bf");
}
