// What auth::basic's password checks cost: bounded at both ends at start-up, and the same
// for an unknown user as for the costliest real one.
#include <warden/auth/basic.hpp>
#include <warden/credentials/env.hpp>
#include <warden/crypto/password.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/streamable_http.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace w = warden;
namespace wc = warden::crypto;

namespace {
std::string line(const std::string& user, const std::string& password, wc::scrypt_params p) {
    return user + ":" + wc::hash_password(password, p).value() + "\n";
}
w::result<w::auth::basic> configure(const std::string& users, bool accept_weak) {
    w::auth_settings s;
    s.basic.accept_weak_hashes = accept_weak;
    return w::auth::basic::configure(test::credentials({{"MCP_BASIC_USERS", users}}), s);
}
std::string basic_header(std::string_view user_pass) { return "Basic " + wc::base64_encode(user_pass); }
} // namespace

TEST_CASE("password hashes: the parser refuses what a server cannot afford", "[crypto][password]") {
    const std::string salt_key = "$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5";
    // Memory: 128·r·N bytes, at most 256 MiB; work: N·r·p at most 2^22.
    CHECK(wc::parse_password_hash("$scrypt$ln=18,r=8,p=1" + salt_key));  // 256 MiB, 2^21
    CHECK(wc::parse_password_hash("$scrypt$ln=16,r=8,p=8" + salt_key));  // 64 MiB, 2^22
    for (const char* costly : {"$scrypt$ln=19,r=8,p=1", "$scrypt$ln=18,r=16,p=1", "$scrypt$ln=16,r=8,p=9",
                               "$scrypt$ln=21,r=1,p=16"}) {
        INFO(costly);
        auto h = wc::parse_password_hash(costly + salt_key);
        REQUIRE_FALSE(h);
        CHECK_THAT(h.error().message(), Catch::Contains("more than a server can afford"));
    }
    CHECK(wc::parse_password_hash("$pbkdf2-sha256$i=2400000" + salt_key));
    auto pbkdf2 = wc::parse_password_hash("$pbkdf2-sha256$i=2400001" + salt_key);
    REQUIRE_FALSE(pbkdf2);
    CHECK_THAT(pbkdf2.error().message(), Catch::Contains("out of range (100000-2400000)"));
}

TEST_CASE("password hashes: OWASP's minimum", "[crypto][password]") {
    const std::string salt_key = "$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5";
    for (const char* strong : {"$scrypt$ln=17,r=8,p=1", "$scrypt$ln=16,r=8,p=2", "$scrypt$ln=15,r=8,p=3",
                               "$scrypt$ln=14,r=8,p=5", "$scrypt$ln=13,r=8,p=10", "$pbkdf2-sha256$i=600000"}) {
        INFO(strong);
        CHECK_FALSE(wc::below_guidance(wc::parse_password_hash(strong + salt_key).value()));
    }
    for (const char* weak : {"$scrypt$ln=16,r=8,p=1", "$scrypt$ln=14,r=8,p=4", "$scrypt$ln=10,r=8,p=1",
                             "$pbkdf2-sha256$i=599999"}) {
        INFO(weak);
        const auto why = wc::below_guidance(wc::parse_password_hash(weak + salt_key).value());
        REQUIRE(why);
        CHECK_THAT(*why, Catch::Contains("below OWASP's minimum"));
    }
    // The default of hash_password (and tools/hash_password) meets it.
    const auto made = wc::hash_password("correct horse");
    REQUIRE(made);
    CHECK(made.value().starts_with("$scrypt$ln=15,r=8,p=3$"));
    CHECK_FALSE(wc::below_guidance(wc::parse_password_hash(made.value()).value()));
}

TEST_CASE("basic: a weak hash stops start-up unless the settings accept it", "[auth][basic]") {
    const std::string users = "# users\n" + line("alice", "wonder land", {.log2_n = 15, .r = 8, .p = 3}) +
                              line("bob", "b:u:i:l:d", {.log2_n = 10, .r = 8, .p = 1});
    auto strict = configure(users, false);
    REQUIRE_FALSE(strict);
    const auto message = strict.error().message();
    CHECK_THAT(message, Catch::StartsWith("MCP_BASIC_USERS line 3 (bob): scrypt ln=10,r=8,p=1 is below OWASP's minimum"));
    CHECK_THAT(message, Catch::Contains("rehash it with tools/hash_password"));
    CHECK(message.find("b:u:i:l:d") == std::string::npos);
    CHECK(configure(users, true)); // profile::development and profile::test
}

TEST_CASE("the profile decides what it relaxes, whatever the settings said", "[auth][basic][profile]") {
    w::settings s;
    s.auth.basic.accept_weak_hashes = true;
    using http = w::transport::streamable_http<w::transport::loopback>;
    using production = w::server_definition<http, w::credentials::env, w::auth::basic, w::storage::memory>;
    using development = w::server_definition<http, w::credentials::env, w::auth::basic, w::storage::memory,
                                             w::profile::development>;
    using testing = w::server_definition<http, w::credentials::env, w::auth::basic, w::storage::memory, w::profile::test>;
    CHECK_FALSE(w::server<production>::from_profile(s).auth.basic.accept_weak_hashes);
    CHECK(w::server<development>::from_profile(s).auth.basic.accept_weak_hashes);
    s.auth.basic.accept_weak_hashes = false;
    CHECK(w::server<testing>::from_profile(s).auth.basic.accept_weak_hashes);
    // Plain redis:// beyond loopback: an opt-in under production, granted under development and test.
    CHECK_FALSE(w::server<production>::from_profile(s).storage.redis_plaintext_network);
    CHECK(w::server<development>::from_profile(s).storage.redis_plaintext_network);
    CHECK(w::server<testing>::from_profile(s).storage.redis_plaintext_network);
    s.storage.redis_plaintext_network = true;
    CHECK(w::server<production>::from_profile(s).storage.redis_plaintext_network); // the user's own opt-in stays
}

TEST_CASE("basic: an unknown user costs as much as the costliest user", "[auth][basic][timing]") {
    // The weaker hash is listed (and sorted) first: a decoy taken from the first user would
    // answer an unknown user sixteen times sooner than bob's wrong password.
    const std::string users = line("alice", "wonder land", {.log2_n = 10, .r = 8, .p = 1}) +
                              line("bob", "b:u:i:l:d", {.log2_n = 14, .r = 8, .p = 1});
    auto b = configure(users, true);
    REQUIRE(b);
    CHECK(b.value().decoy_work() == wc::password_work(wc::parse_password_hash(users.substr(users.find("bob:") + 4,
                                                                                       users.size() - users.find("bob:") - 5))
                                                          .value()));
    // And in time: medians of alternating attempts (bounded: 9 of each, about a second).
    using clock = std::chrono::steady_clock;
    auto time_one = [&](const std::string& user_pass) {
        test::request r({{"Authorization", basic_header(user_pass)}});
        const auto start = clock::now();
        const auto g = b.value().authenticate(r.view());
        const auto took = std::chrono::duration<double, std::milli>(clock::now() - start).count();
        REQUIRE(test::refused(g));
        return took;
    };
    std::vector<double> unknown, wrong;
    for (int i = 0; i < 9; ++i) {
        unknown.push_back(time_one("mallory:guess " + std::to_string(i)));
        wrong.push_back(time_one("bob:guess " + std::to_string(i)));
    }
    auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    };
    const double u = median(unknown), k = median(wrong);
    INFO("unknown user " << u << " ms, bob's wrong password " << k << " ms");
    CHECK(u > 0.5 * k);
    CHECK(u < 2.0 * k);
}
