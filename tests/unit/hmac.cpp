#include <warden/auth/hmac.hpp>

#include "auth_support.hpp"

#include <warden/storage/memory.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <thread>

namespace w = warden;

namespace {
const std::string key = "hmac-key-0123456789abcdef0123456789abcdef";
const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";

w::auth_settings settings() {
    w::auth_settings s;
    s.hmac.keys = {{.id = "k1", .credential = "HMAC_K1", .client = "billing", .scopes = {"invoices"}},
                   {.id = "k2", .credential = "HMAC_K2", .client = "billing", .scopes = {"invoices"}, .required = false}};
    return s;
}
std::shared_ptr<w::auth::replay_store> memory_replay() {
    return std::make_shared<w::auth::storage_replay_store>(
        std::make_shared<w::storage::memory_store>());
}
struct unavailable final : w::auth::replay_store {
    w::result<bool> remember(std::string_view, std::chrono::milliseconds) override {
        return w::failure(w::errc::storage_error, "redis: connection refused");
    }
};
std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
struct signed_request {
    test::request req;
    signed_request(const std::string& authorization, std::string target = "/mcp", std::string host = "127.0.0.1:8080")
        : req({{"Host", host}, {"Authorization", authorization}}, std::move(target)) {}
    w::http_request_view view(std::string_view b = body) const {
        auto v = req.view();
        v.body = b;
        return v;
    }
};
} // namespace

TEST_CASE("hmac: signed requests, the hostile input table", "[auth][hmac]") {
    auto h = w::auth::hmac::configure(test::credentials({{"HMAC_K1", key}}), settings(), memory_replay());
    REQUIRE(h);
    const auto& scheme = h.value();
    const w::secret k(key);
    const w::auth::hmac_signer signer("k1", k);
    const w::auth::hmac_signer wrong_key("k1", w::secret(std::string_view("another-key-0123456789abcdef0123456789")));
    const w::auth::hmac_signer unknown_id("k9", k);
    int n = 0;
    auto nonce = [&] { return "nonce-0123456789-" + std::to_string(++n); };
    auto sign = [&](std::string_view target = "/mcp", std::string_view host = "127.0.0.1:8080",
                    std::string_view b = body, std::int64_t ts = now()) {
        return signer.authorization("POST", target, host, b, ts, nonce());
    };

    auto ok = scheme.authenticate(signed_request(sign()).view());
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->subject == "billing");
    CHECK(test::admitted(ok)->scheme == "hmac");
    CHECK(test::admitted(ok)->claims.at("key_id") == "k1");
    // The random-nonce signer works too, and the host is compared case-insensitively.
    CHECK(test::admitted(scheme.authenticate(
        signed_request(signer.authorization("POST", "/mcp", "127.0.0.1:8080", body), "/mcp", "127.0.0.1:8080").view())));

    struct row {
        const char* what;
        signed_request req;
        std::string body_sent;
        unsigned status;
    };
    const std::string good = sign();
    const std::string replayed = sign();
    REQUIRE(test::admitted(scheme.authenticate(signed_request(replayed).view())));
    std::string upper = sign();
    for (auto at = upper.find("signature=\"") + 11; at < upper.size() - 1; ++at)
        upper[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[at])));
    const row rows[] = {
        {"a replayed request", signed_request(replayed), body, 401},
        {"a different body", signed_request(sign()), R"({"jsonrpc":"2.0","id":2,"method":"ping"})", 401},
        {"one byte more of body", signed_request(sign()), body.substr(0, body.size() - 1), 401},
        {"another target", signed_request(sign("/mcp"), "/mcp?x=1"), body, 401},
        {"another host", signed_request(sign(), "/mcp", "evil.example.com"), body, 401},
        {"the wrong key", signed_request(wrong_key.authorization("POST", "/mcp", "127.0.0.1:8080", body, now(), nonce())),
         body, 401},
        {"an unknown key id", signed_request(unknown_id.authorization("POST", "/mcp", "127.0.0.1:8080", body, now(), nonce())),
         body, 401},
        {"a stale timestamp", signed_request(sign("/mcp", "127.0.0.1:8080", body, now() - 301)), body, 401},
        {"a future timestamp", signed_request(sign("/mcp", "127.0.0.1:8080", body, now() + 301)), body, 401},
        {"a timestamp with a sign", signed_request(std::string(good).replace(good.find("ts=\"") + 4, 0, "+")), body, 401},
        {"upper-case hex", signed_request(upper), body, 401},
        {"a short nonce", signed_request(signer.authorization("POST", "/mcp", "127.0.0.1:8080", body, now(), "short")), body,
         401},
        {"a repeated parameter", signed_request(good + ", nonce=\"nonce-0123456789-xx\""), body, 401},
        {"an unknown parameter", signed_request(good + ", extra=\"1\""), body, 401},
        {"no parameters", signed_request("HMAC-SHA256"), body, 401},
        {"a truncated signature", signed_request(good.substr(0, good.size() - 3) + "\""), body, 401},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = scheme.authenticate(r.req.view(r.body_sent));
        REQUIRE(test::refused(g));
        CHECK(test::refused(g)->status == r.status);
        CHECK(test::refused(g)->error == "invalid_token");
    }
    auto none = scheme.authenticate(test::request({{"Host", "127.0.0.1:8080"}}).view());
    REQUIRE(test::refused(none));
    CHECK(test::refused(none)->www_authenticate == R"(HMAC-SHA256 realm="mcp")");
}

TEST_CASE("hmac: key rotation, and failing closed without a replay store", "[auth][hmac]") {
    const std::string key2 = "second-key-0123456789abcdef0123456789abcd";
    auto both = w::auth::hmac::configure(test::credentials({{"HMAC_K1", key}, {"HMAC_K2", key2}}), settings(),
                                         memory_replay());
    REQUIRE(both);
    const w::secret k2(key2);
    const w::auth::hmac_signer by_k2("k2", k2);
    CHECK(test::admitted(both.value().authenticate(
        signed_request(by_k2.authorization("POST", "/mcp", "127.0.0.1:8080", body)).view())));

    auto down = w::auth::hmac::configure(test::credentials({{"HMAC_K1", key}}), settings(), std::make_shared<unavailable>());
    REQUIRE(down);
    const w::secret k(key);
    auto g = down.value().authenticate(
        signed_request(w::auth::hmac_signer("k1", k).authorization("POST", "/mcp", "127.0.0.1:8080", body)).view());
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 503);
    CHECK(test::refused(g)->description.find("redis") == std::string::npos);

    auto short_key = w::auth::hmac::configure(test::credentials({{"HMAC_K1", "too-short"}}), settings(), memory_replay());
    REQUIRE_FALSE(short_key);
    CHECK(short_key.error().message().starts_with("HMAC_K1: shorter than 32 bytes"));
    auto none = w::auth::hmac::configure(test::credentials({}), settings(), memory_replay());
    REQUIRE_FALSE(none);
    CHECK(none.error().message() == "no HMAC key is configured: set HMAC_K1, HMAC_K2");
    CHECK_FALSE(w::auth::hmac::configure(test::credentials({{"HMAC_K1", key}}), settings(), nullptr));
}

TEST_CASE("hmac: a nonce is remembered for as long as its signature could be accepted", "[auth][hmac]") {
    // Timestamps are whole seconds, accepted within the window either side of now: with a
    // 1 s window, one signed for the next second is still accepted a little under three
    // seconds after it was first used (from the end of one second to the start of the third
    // after it). Its nonce must still be remembered then. Both clocks are the test's.
    auto seconds = std::make_shared<std::int64_t>(1'800'000'000);
    auto steady = std::make_shared<w::storage::memory_store::clock::time_point>();
    auto s = settings();
    s.hmac.window = std::chrono::seconds(1);
    s.hmac.clock = [seconds] { return *seconds; };
    auto store = std::make_shared<w::storage::memory_store>(1000, [steady] { return *steady; });
    auto h = w::auth::hmac::configure(test::credentials({{"HMAC_K1", key}}), s,
                                      std::make_shared<w::auth::storage_replay_store>(store));
    REQUIRE(h);
    const w::secret k(key);
    const w::auth::hmac_signer signer("k1", k);
    const auto first = *seconds;
    const std::string auth = signer.authorization("POST", "/mcp", "127.0.0.1:8080", body, first + 1, "nonce-0123456789-late");
    REQUIRE(test::admitted(h.value().authenticate(signed_request(auth).view())));
    // Used at the very start of second `first`; replayed at the very end of `first + 2`,
    // 2.999 s later, when its timestamp is still inside the window.
    *seconds = first + 2;
    *steady += std::chrono::milliseconds(2999);
    auto again = h.value().authenticate(signed_request(auth).view());
    REQUIRE(test::refused(again));
    CHECK(test::refused(again)->description == "replayed request");
    *seconds = first + 3; // and a moment later the timestamp itself is refused
    CHECK(test::refused(h.value().authenticate(signed_request(auth).view()))->description == "stale or future timestamp");
    CHECK(w::auth::nonce_lifetime(std::chrono::seconds(1)) >= std::chrono::seconds(3));
    CHECK(w::auth::nonce_lifetime(std::chrono::seconds(300)) > std::chrono::seconds(601));
}
