#include <warden/crypto/password.hpp>

#include <catch2/catch.hpp>

namespace wc = warden::crypto;

TEST_CASE("password hashes: scrypt made and verified, PBKDF2 verified, malformed refused", "[crypto][password]") {
    auto h = wc::hash_password("correct horse", {.log2_n = 10, .r = 8, .p = 1});
    REQUIRE(h);
    CHECK(h.value().starts_with("$scrypt$ln=10,r=8,p=1$"));
    auto parsed = wc::parse_password_hash(h.value());
    REQUIRE(parsed);
    CHECK(wc::verify_password("correct horse", parsed.value()));
    CHECK_FALSE(wc::verify_password("correct horsE", parsed.value()));
    CHECK_FALSE(wc::verify_password("", parsed.value()));
    // HMAC pads its key with zeros: without a check, NULs appended to the password would match.
    using namespace std::string_view_literals;
    CHECK_FALSE(wc::verify_password("correct horse\0"sv, parsed.value()));
    CHECK_FALSE(wc::verify_password("correct horse\0\0\0"sv, parsed.value()));
    CHECK_FALSE(wc::hash_password("pw\0"sv, {.log2_n = 10}));
    // Two hashes of one password differ (fresh salt).
    CHECK(wc::hash_password("correct horse", {.log2_n = 10}).value() != h.value());

    // PBKDF2-HMAC-SHA-256, RFC 7914 §11 style check against OpenSSL directly.
    auto pb = wc::parse_password_hash("$pbkdf2-sha256$i=100000$c2FsdHNhbHRzYWx0$"
                                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    REQUIRE(pb);
    unsigned char key[32];
    PKCS5_PBKDF2_HMAC("pw", 2, pb.value().salt.data(), static_cast<int>(pb.value().salt.size()), 100000, EVP_sha256(),
                      32, key);
    pb.value().key.assign(key, key + 32);
    CHECK(wc::verify_password("pw", pb.value()));
    CHECK_FALSE(wc::verify_password("pW", pb.value()));

    for (const char* bad : {"", "plain", "$scrypt$ln=15,r=8$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5",
                            "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5",
                            "$scrypt$ln=15,r=8,p=1$not base64$a2V5a2V5a2V5a2V5a2V5a2V5",
                            "$pbkdf2-sha256$i=10$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5",
                            "$md5$x$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", "$scrypt$ln=-1,r=8,p=1$c2FsdHNhbHQ=$a2V5"}) {
        INFO(bad);
        CHECK_FALSE(wc::parse_password_hash(bad));
    }
}
