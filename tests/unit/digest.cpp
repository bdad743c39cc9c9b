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
}

TEST_CASE("fingerprints are keyed: stable within the process, not a plain hash", "[crypto]") {
    namespace c = warden::crypto;
    const auto f = c::fingerprint("abc");
    CHECK(f.size() == 3 + 8);
    CHECK(f.starts_with("fp:"));
    CHECK(c::fingerprint("abc") == f);      // the same value, the same label, in one process
    CHECK(c::fingerprint("abd") != f);
    CHECK(f != "fp:ba7816bf");              // not SHA-256("abc")'s first bytes: guesses cannot be checked offline
    CHECK(c::fingerprint("abc", 16).starts_with(f));
    CHECK(c::fingerprint("abc", 16).size() == 3 + 16);
    // The key is the process's own: HMAC under it, and nothing derivable from the value alone.
    const auto mac = c::hmac_sha256(c::fingerprint_key(), "abc");
    CHECK(f == "fp:" + c::to_hex(mac.data(), 4));
    CHECK(c::fingerprint_key().size() == 32);
    // RFC 4231 test case 2: HMAC-SHA-256 itself.
    const auto rfc = c::hmac_sha256("Jefe", "what do ya want for nothing?");
    CHECK(c::to_hex(rfc.data(), rfc.size()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
