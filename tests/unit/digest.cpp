#include <warden/crypto/digest.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <thread>

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

// The digests reuse per-thread contexts and algorithms fetched once: a key or a state left
// behind by one call must never reach the next, on this thread or another.
TEST_CASE("digests and MACs carry nothing from one call to the next, on any thread", "[crypto]") {
    namespace c = warden::crypto;
    const auto hex = [](const c::sha256_digest& d) { return c::to_hex(d.data(), d.size()); };
    const std::string key1(20, '\x0b');                                  // RFC 4231 test case 1
    const std::string key3(20, '\xaa'), data3(50, '\xdd');               // RFC 4231 test case 3
    const auto check_all = [&] {
        for (int round = 0; round < 3; ++round) {
            CHECK(hex(c::hmac_sha256(key1, "Hi There")) ==
                  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
            (void)c::fingerprint("interleaved");
            CHECK(hex(c::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
            CHECK(hex(c::hmac_sha256(key3, data3)) ==
                  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
            CHECK(hex(c::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
            CHECK(hex(c::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        }
        return c::fingerprint("same on every thread");
    };
    const auto here = check_all();
    std::string there;
    std::thread([&] { there = check_all(); }).join();
    CHECK(there == here); // one process key, whichever thread computes the fingerprint
    // An empty key is a key (all zeros after padding), not "the previous key".
    const auto empty_key = hex(c::hmac_sha256("", ""));
    (void)c::hmac_sha256("Jefe", "x");
    CHECK(hex(c::hmac_sha256("", "")) == empty_key);
    CHECK(empty_key == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("lookup keys of secrets are keyed, stable, and unlike fingerprints", "[crypto]") {
    namespace c = warden::crypto;
    const auto k = c::lookup_key("eyJ-token");
    CHECK(c::lookup_key("eyJ-token") == k);
    CHECK(c::lookup_key("eyJ-tokem") != k);
    CHECK(k != c::sha256("eyJ-token"));                           // not a plain hash: a guess cannot be checked
    CHECK(k != c::hmac_sha256(c::fingerprint_key(), "eyJ-token")); // nor the fingerprint's MAC, whose prefix logs show
    c::sha256_digest there{};
    std::thread([&] { there = c::lookup_key("eyJ-token"); }).join();
    CHECK(there == k); // one key for the process, whichever thread asks
}
