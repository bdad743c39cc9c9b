#include <warden/crypto/aead.hpp>

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {
std::string unhex(std::string_view h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}
std::string text(const boost::json::value& v) { return std::string(v.as_string()); }
} // namespace

TEST_CASE("AES-256-GCM: every Wycheproof vector", "[crypto][aead][wycheproof]") {
    std::ifstream in(std::string(WARDEN_TEST_DATA) + "/wycheproof/aes_gcm_256_test.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const auto doc = boost::json::parse(ss.str());
    int valid = 0, invalid = 0;
    for (const auto& g : doc.at("testGroups").as_array()) {
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            INFO("tcId " << t.at("tcId").as_int64() << " " << text(t.at("comment")));
            const auto key = unhex(text(t.at("key"))), iv = unhex(text(t.at("iv"))), aad = unhex(text(t.at("aad")));
            const auto msg = unhex(text(t.at("msg"))), sealed = unhex(text(t.at("ct")) + text(t.at("tag")));
            const auto opened = warden::crypto::aes256_gcm_open(key, iv, aad, sealed);
            if (iv.size() > warden::crypto::aes256_gcm_max_nonce_size) {
                // OpenSSL's GCM takes nonces up to 128 bytes; longer ones are refused, never
                // processed wrongly (warden writes 12-byte nonces).
                ++(text(t.at("result")) == "valid" ? valid : invalid);
                CHECK_FALSE(opened);
                CHECK_FALSE(warden::crypto::aes256_gcm_seal(key, iv, aad, msg));
                continue;
            }
            if (text(t.at("result")) == "valid") {
                ++valid;
                REQUIRE(opened);
                CHECK(opened.value() == msg);
                const auto again = warden::crypto::aes256_gcm_seal(key, iv, aad, msg);
                REQUIRE(again);
                CHECK(again.value() == sealed);
            } else {
                ++invalid;
                CHECK_FALSE(opened);
            }
        }
    }
    CHECK(valid == 76);
    CHECK(invalid == 29);
}

TEST_CASE("AES-256-GCM: one generic error, whatever is wrong", "[crypto][aead]") {
    const auto key = warden::crypto::random_bytes(32), nonce = warden::crypto::random_bytes(12);
    const auto sealed = warden::crypto::aes256_gcm_seal(key, nonce, "slot", "a refresh token").value();
    CHECK(sealed.size() == 15 + 16);
    CHECK(warden::crypto::aes256_gcm_open(key, nonce, "slot", sealed).value() == "a refresh token");
    std::set<std::string> messages;
    auto refused = [&](const warden::result<std::string>& r) {
        REQUIRE_FALSE(r);
        messages.insert(r.error().message());
    };
    refused(warden::crypto::aes256_gcm_open(warden::crypto::random_bytes(32), nonce, "slot", sealed));
    refused(warden::crypto::aes256_gcm_open(key, warden::crypto::random_bytes(12), "slot", sealed));
    refused(warden::crypto::aes256_gcm_open(key, nonce, "other slot", sealed));
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto flipped = sealed;
        flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
        refused(warden::crypto::aes256_gcm_open(key, nonce, "slot", flipped));
    }
    refused(warden::crypto::aes256_gcm_open(key, nonce, "slot", sealed.substr(0, 15)));
    refused(warden::crypto::aes256_gcm_open(key, nonce, "slot", ""));
    refused(warden::crypto::aes256_gcm_open(key.substr(0, 16), nonce, "slot", sealed));
    CHECK(messages.size() == 1);
    CHECK(messages.begin()->find("refresh") == std::string::npos);
}
