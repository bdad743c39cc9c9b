#include <warden/auth/basic.hpp>
#include <warden/transport/http/gate.hpp>

#include "auth_support.hpp"

#include <warden/crypto/base64.hpp>

#include <catch2/catch.hpp>

namespace w = warden;

namespace {
std::string users() {
    return "# users\nalice:" + w::crypto::hash_password("wonder land", {.log2_n = 10}).value() + "\n" +
           "bob:" + w::crypto::hash_password("b:u:i:l:d", {.log2_n = 10}).value() + "\n";
}
std::string basic_header(std::string_view user_pass) { return "Basic " + w::crypto::base64_encode(user_pass); }
w::auth_settings settings() {
    w::auth_settings s;
    s.basic.scopes = {{"alice", {"admin"}}, {"*", {"read"}}};
    s.basic.accept_weak_hashes = true; // cheap hashes (ln=10), as profile::test accepts
    return s;
}
} // namespace

TEST_CASE("basic: the hostile input table", "[auth][basic]") {
    auto b = w::auth::basic::configure(test::credentials({{"MCP_BASIC_USERS", users()}}), settings());
    REQUIRE(b);
    // Credentials of exactly `length` base64 characters, "alice:" and a wrong password that
    // decode cleanly: past the cap only the cap can refuse them.
    auto sized = [](std::size_t length) {
        return "Basic " + w::crypto::base64_encode("alice:" + std::string(length / 4 * 3 - 6, 'x'));
    };
    REQUIRE(sized(1024).size() == 6 + 1024);
    REQUIRE(sized(1028).size() == 6 + 1028);
    const std::string no_match = "unknown user or wrong password", malformed = "malformed Basic credentials";
    struct row {
        const char* what;
        test::request req;
        unsigned status; // 0 = admitted
        const char* error;
        std::string description; // why it is refused ("" for the bare challenge)
    };
    const row rows[] = {
        {"alice", {{"Authorization", basic_header("alice:wonder land")}}, 0, "", ""},
        {"a password with colons: split at the first", {{"Authorization", basic_header("bob:b:u:i:l:d")}}, 0, "", ""},
        {"scheme in lower case", {{"Authorization", "basic " + w::crypto::base64_encode("alice:wonder land")}}, 0, "", ""},
        {"wrong password", {{"Authorization", basic_header("alice:wonder lanD")}}, 401, "invalid_token", no_match},
        {"unknown user, alice's password", {{"Authorization", basic_header("mallory:wonder land")}}, 401, "invalid_token", no_match},
        {"a password prefix", {{"Authorization", basic_header("alice:wonder")}}, 401, "invalid_token", no_match},
        {"a password suffix", {{"Authorization", basic_header("alice:wonder land!")}}, 401, "invalid_token", no_match},
        // Alice's password and a NUL: scrypt and PBKDF2 key HMAC with the password, and HMAC pads
        // short keys with zeros, so the hash alone would take it; only the text check refuses it.
        {"embedded NUL", {{"Authorization", basic_header(std::string("alice:wonder land\0", 18))}}, 401, "invalid_token",
         malformed},
        {"a control character in the user", {{"Authorization", basic_header("al\tice:wonder land")}}, 401, "invalid_token",
         malformed},
        {"a control character in the password", {{"Authorization", basic_header("alice:wonder\x7fland")}}, 401,
         "invalid_token", malformed},
        {"not UTF-8", {{"Authorization", basic_header("alice:\xff\xfe")}}, 401, "invalid_token", malformed},
        {"no colon", {{"Authorization", basic_header("alice")}}, 401, "invalid_token", malformed},
        {"empty user", {{"Authorization", basic_header(":wonder land")}}, 401, "invalid_token", malformed},
        {"not base64", {{"Authorization", "Basic alice:wonder land"}}, 401, "invalid_token", malformed},
        {"base64 without padding", {{"Authorization", "Basic YWxpY2U6d29uZGVyIGxhbmQ"}}, 401, "invalid_token", malformed},
        {"empty", {{"Authorization", "Basic "}}, 401, "invalid_token", malformed},
        {"at the size cap", {{"Authorization", sized(1024)}}, 401, "invalid_token", no_match},
        {"oversize", {{"Authorization", sized(1028)}}, 401, "invalid_token", malformed},
        {"no Authorization", {}, 401, "", ""},
        {"a bearer token", {{"Authorization", "Bearer abc"}}, 401, "", ""},
        {"two fields", {{"Authorization", basic_header("alice:wonder land")}, {"Authorization", basic_header("bob:x")}}, 400,
         "invalid_request", "more than one Authorization field"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = b.value().authenticate(r.req.view());
        if (r.status == 0) {
            REQUIRE(test::admitted(g));
            CHECK(test::admitted(g)->scheme == "basic");
            continue;
        }
        const auto* c = test::refused(g);
        CHECK(c);
        if (!c) continue;
        CHECK(c->status == r.status);
        CHECK(c->error == r.error);
        CHECK(c->description == r.description);
        CHECK(c->www_authenticate.starts_with("Basic realm=\"mcp\""));
        CHECK(c->www_authenticate.ends_with("charset=\"UTF-8\""));
    }
    auto alice = b.value().authenticate(test::request({{"Authorization", basic_header("alice:wonder land")}}).view());
    CHECK(test::admitted(alice)->has_scope("admin"));
    auto bob = b.value().authenticate(test::request({{"Authorization", basic_header("bob:b:u:i:l:d")}}).view());
    CHECK(test::admitted(bob)->has_scope("read"));
    CHECK_FALSE(test::admitted(bob)->has_scope("admin"));
    // The unknown user and the wrong password get the very same refusal.
    auto unknown = b.value().authenticate(test::request({{"Authorization", basic_header("mallory:x")}}).view());
    auto wrong = b.value().authenticate(test::request({{"Authorization", basic_header("alice:x")}}).view());
    CHECK(test::refused(unknown)->description == test::refused(wrong)->description);
    CHECK(test::refused(unknown)->www_authenticate == test::refused(wrong)->www_authenticate);
    // Password checks run on the worker pool: the HTTP gate asks the scheme, and Basic says
    // it may block (a memory-hard hash would stall an I/O thread and every connection on it).
    const warden::transport::detail::scheme_gate<w::auth::basic> gate(std::move(b).value());
    CHECK(gate.may_block());
}

TEST_CASE("basic: the users credential is checked at start-up", "[auth][basic]") {
    const auto s = settings();
    auto none = w::auth::basic::configure(test::credentials({}), s);
    REQUIRE_FALSE(none);
    CHECK(none.error().message() == "no Basic users: set MCP_BASIC_USERS");
    auto plain = w::auth::basic::configure(test::credentials({{"MCP_BASIC_USERS", "alice:wonder land\n"}}), s);
    REQUIRE_FALSE(plain);
    CHECK(plain.error().message().starts_with("MCP_BASIC_USERS line 1 (alice): password hash:"));
    CHECK(plain.error().message().find("wonder") == std::string::npos);
    const auto h = w::crypto::hash_password("x", {.log2_n = 10}).value();
    auto twice = w::auth::basic::configure(test::credentials({{"MCP_BASIC_USERS", "a:" + h + "\na:" + h}}), s);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message().find("appears twice") != std::string::npos);
    auto no_colon = w::auth::basic::configure(test::credentials({{"MCP_BASIC_USERS", "# only a comment\nalice\n"}}), s);
    REQUIRE_FALSE(no_colon);
    CHECK(no_colon.error().message() == "MCP_BASIC_USERS line 2: expected user:hash");
}

TEST_CASE("basic: user names and passwords are UTF-8 in its shortest form, without controls", "[auth][basic]") {
    using b = w::auth::basic;
    for (const char* ok : {"alice", "Zo\xc3\xab", "\xe2\x82\xac", "\xf0\x9f\x94\x91", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
        INFO(ok);
        CHECK(b::valid_text(ok));
    }
    for (const char* bad : {
             "\xc0\xaf",             // overlong '/'
             "\xc1\xbf",             // overlong
             "\xe0\x80\xaf",         // overlong '/' in three bytes
             "\xe0\x9f\xbf",         // overlong U+07FF
             "\xf0\x80\x80\xaf",     // overlong '/' in four bytes
             "\xf0\x8f\xbf\xbf",     // overlong U+FFFF
             "\xed\xa0\x80",         // U+D800, a surrogate
             "\xed\xbf\xbf",         // U+DFFF
             "\xf4\x90\x80\x80",     // past U+10FFFF
             "\xc2\x85",             // U+0085, a C1 control
             "\x7f", "a\tb",          // DEL, a C0 control
             "\xe2\x82",             // truncated
             "\x80", "\xff",          // no lead byte
         }) {
        INFO(bad);
        CHECK_FALSE(b::valid_text(bad));
    }
}
