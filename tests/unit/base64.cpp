#include <warden/crypto/base64.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace {
std::string decode(std::string_view s) {
    auto r = warden::crypto::base64_decode(s);
    REQUIRE(r);
    return std::string(r.value().begin(), r.value().end());
}
} // namespace

TEST_CASE("base64 round-trips the RFC 4648 vectors", "[base64]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"}};
    for (auto [plain, encoded] : vectors) {
        CHECK(warden::crypto::base64_encode(std::string_view(plain)) == encoded);
        CHECK(decode(encoded) == plain);
    }
}

TEST_CASE("base64 decoding refuses non-canonical input", "[base64]") {
    for (const char* bad : {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zm-v", "====", "Zg==Zg=="})
        CHECK_FALSE(warden::crypto::base64_decode(bad));
}
