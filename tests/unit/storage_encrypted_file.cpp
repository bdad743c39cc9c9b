#include <warden/storage/encrypted_file.hpp>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <filesystem>
#include <sys/stat.h>
#include <set>
#include <thread>

namespace ws = warden::storage;
using warden_test::slurp;
using warden_test::temp_dir;

namespace {
std::shared_ptr<ws::file_store> open_store(const std::string& dir, std::string current, std::string previous = {},
                                           std::string server = "github-tools") {
    auto codec = ws::aead_codec::make(std::move(current), std::move(previous));
    REQUIRE(codec);
    auto s = ws::file_store::open({.directory = dir, .server_name = server, .codec = codec.value()});
    REQUIRE(s);
    return s.value();
}
std::string error_of(const auto& r) {
    REQUIRE_FALSE(r);
    return r.error().message();
}
void overwrite(const std::string& path, const std::string& contents) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    ::chmod(path.c_str(), 0600);
}
} // namespace

TEST_CASE("encrypted file storage: round trip, nothing readable on disk, fresh nonces", "[storage][encrypted]") {
    temp_dir d("warden-enc");
    const auto key = warden::crypto::random_bytes(32);
    auto s = open_store(d / "s", key);
    REQUIRE(s->put("acme", "github", "gho_refresh_token_value"));
    CHECK(s->get("acme", "github").value() == std::optional<std::string>("gho_refresh_token_value"));
    const auto first = slurp(d / "s/acme/github");
    CHECK(first.find("gho_refresh") == std::string::npos);
    CHECK(first.find("warden-record") == std::string::npos);
    CHECK(first.starts_with("WRDNAEAD\x01"));
    CHECK(first.substr(9, 8) == ws::aead_codec::key_id(key));
    REQUIRE(s->put("acme", "github", "gho_refresh_token_value"));
    const auto second = slurp(d / "s/acme/github");
    CHECK(first.substr(17, 12) != second.substr(17, 12)); // a new nonce for every write
    CHECK(first != second);
    // Compare-and-swap and insert-if-absent work through the encryption.
    CHECK(s->compare_and_swap("acme", "github", std::string("gho_refresh_token_value"), "next").value());
    CHECK(s->insert_if_absent("replay", "n1", "1", std::chrono::seconds(10)).value());
    CHECK_FALSE(s->insert_if_absent("replay", "n1", "1", std::chrono::seconds(10)).value());
}

TEST_CASE("encrypted file storage: tampering, slot swaps and wrong keys get one generic error",
          "[storage][encrypted]") {
    temp_dir d("warden-enc");
    const auto key = warden::crypto::random_bytes(32);
    auto s = open_store(d / "s", key);
    REQUIRE(s->put("acme", "github", "token-of-acme"));
    REQUIRE(s->put("globex", "github", "token-of-globex"));
    const auto acme = slurp(d / "s/acme/github");
    std::set<std::string> messages;
    auto refused = [&](const std::string& path_in_message, auto r) {
        const auto e = error_of(r);
        CHECK(e.find("token-of") == std::string::npos);
        CHECK(e.find("cannot be decrypted") != std::string::npos);
        // one message, apart from the file it names
        messages.insert(e.substr(e.find(path_in_message) + path_in_message.size()));
    };
    // Every byte of the file matters: header, key id, nonce, ciphertext, tag.
    for (std::size_t i = 0; i < acme.size(); ++i) {
        auto t = acme;
        t[i] = static_cast<char>(t[i] ^ 0x20);
        overwrite(d / "s/acme/github", t);
        refused(d / "s/acme/github", s->get("acme", "github"));
    }
    overwrite(d / "s/acme/github", acme.substr(0, acme.size() - 1));
    refused(d / "s/acme/github", s->get("acme", "github"));
    // Acme's file copied into Globex's slot, and into another account of Acme.
    overwrite(d / "s/globex/github", acme);
    refused(d / "s/globex/github", s->get("globex", "github"));
    std::filesystem::create_directories(d.path / "s/acme");
    overwrite(d / "s/acme/google", acme);
    refused(d / "s/acme/google", s->get("acme", "google"));
    // The same file read by another server, or with another key.
    overwrite(d / "s/acme/github", acme);
    CHECK(s->get("acme", "github").value() == std::optional<std::string>("token-of-acme"));
    refused(d / "s/acme/github", open_store(d / "s", key, {}, "other-server")->get("acme", "github"));
    refused(d / "s/acme/github", open_store(d / "s", warden::crypto::random_bytes(32))->get("acme", "github"));
    CHECK(messages.size() == 1);
    // A failed read changes nothing: the right slot still opens.
    CHECK(s->get("acme", "github").value() == std::optional<std::string>("token-of-acme"));
}

TEST_CASE("encrypted file storage: key rotation reads the old key, writes the new", "[storage][encrypted]") {
    temp_dir d("warden-enc");
    const auto old_key = warden::crypto::random_bytes(32), new_key = warden::crypto::random_bytes(32);
    REQUIRE(open_store(d / "s", old_key)->put("t", "written-before", "old"));
    auto rotated = open_store(d / "s", new_key, old_key);
    CHECK(rotated->get("t", "written-before").value() == std::optional<std::string>("old"));
    REQUIRE(rotated->put("t", "written-after", "new"));
    CHECK(slurp(d / "s/t/written-after").substr(9, 8) == ws::aead_codec::key_id(new_key));
    REQUIRE(rotated->put("t", "written-before", "rewritten"));
    // Once everything is rewritten the old key can go.
    auto after = open_store(d / "s", new_key);
    CHECK(after->get("t", "written-before").value() == std::optional<std::string>("rewritten"));
    CHECK_FALSE(open_store(d / "s", old_key)->get("t", "written-after"));
}

TEST_CASE("encrypted file storage: the policy takes its keys from the credentials", "[storage][encrypted]") {
    temp_dir d("warden-enc");
    warden::storage_settings settings;
    settings.directory = d / "s";
    const auto vars = ws::encrypted_file::variables(settings);
    REQUIRE(vars.size() == 2);
    CHECK(vars[0].name == "WARDEN_STORAGE_KEY");
    CHECK(vars[0].required);
    CHECK_FALSE(vars[1].required);
    warden::logger log;
    SECTION("a good key") {
        warden::credential_set c;
        c.insert(vars[0], warden::crypto::base64_encode(warden::crypto::random_bytes(32)));
        auto s = ws::encrypted_file::open({settings, c, log, "srv"});
        REQUIRE(s);
        REQUIRE(s.value()->put("t", "k", "v"));
        CHECK(slurp(d / "s/t/k").starts_with("WRDNAEAD"));
    }
    SECTION("a key of the wrong size, named without its value") {
        warden::credential_set c;
        c.insert(vars[0], "c2hvcnQta2V5LXZhbHVl"); // "short-key-value"
        const auto e = error_of(ws::encrypted_file::open({settings, c, log, "srv"}));
        CHECK(e.find("WARDEN_STORAGE_KEY must be 32 random bytes") != std::string::npos);
        CHECK(e.find("c2hvcnQ") == std::string::npos);
    }
    SECTION("no key") {
        warden::credential_set c;
        CHECK(error_of(ws::encrypted_file::open({settings, c, log, "srv"})).find("WARDEN_STORAGE_KEY") !=
              std::string::npos);
    }
}

TEST_CASE("encrypted file storage: expired nonces are swept too", "[storage][encrypted]") {
    temp_dir d("warden-enc-sweep");
    auto s = open_store(d / "s", warden::crypto::random_bytes(32));
    for (int i = 0; i < 256; ++i)
        REQUIRE(s->insert_if_absent("replay", "hmac:k1:" + std::to_string(i), "1", std::chrono::milliseconds(30)).value());
    for (int i = 0; i < 500 && s->get("replay", "hmac:k1:255").value(); ++i) // all expired
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int i = 0; i < 256; ++i)
        REQUIRE(s->insert_if_absent("replay", "fresh:" + std::to_string(i), "1", std::chrono::seconds(10)).value());
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(d.path / "s" / "replay")) files += !e.path().filename().string().starts_with(".");
    CHECK(files == 256);
}
