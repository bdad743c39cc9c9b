#include <warden/storage/redis.hpp>

#include <catch2/catch.hpp>

#include "captured_log.hpp"

#include "redis_server.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace ws = warden::storage;
using warden_test::captured_log;

namespace {
warden::result<std::shared_ptr<warden::storage::store>> open_redis(const std::string& url, const std::string& password,
                                                                     const warden::logger& log,
                                                                     std::chrono::milliseconds timeout = 1s,
                                                                     const std::string& ca_file = {}) {
    warden::storage_settings settings;
    settings.redis_url = url;
    settings.redis_ca_file = ca_file;
    settings.redis_timeout = timeout;
    settings.redis_max_backoff = 400ms;
    warden::credential_set c;
    if (!password.empty()) c.insert(ws::redis::variables(settings).front(), std::string(password));
    return ws::redis::open({settings, c, log, "test-server"});
}
std::string error_of(const auto& r) {
    REQUIRE_FALSE(r);
    return r.error().message();
}
} // namespace

TEST_CASE("redis storage: URLs", "[storage][redis]") {
    auto e = ws::parse_redis_url("rediss://cache.internal:6380/3").value();
    CHECK(e.host == "cache.internal");
    CHECK(e.port == "6380");
    CHECK(e.db == 3);
    CHECK(e.tls);
    CHECK(ws::parse_redis_url("redis://127.0.0.1").value().port == "6379");
    CHECK(error_of(ws::parse_redis_url("redis://:hunter2hunter2@127.0.0.1:6379")).find("hunter2") == std::string::npos);
    CHECK(error_of(ws::parse_redis_url("redis://u:p@127.0.0.1")).find("credential source") != std::string::npos);
    CHECK_FALSE(ws::parse_redis_url("http://127.0.0.1:6379"));
    CHECK_FALSE(ws::parse_redis_url("redis://127.0.0.1/x"));
    CHECK(ws::detail::redis_key("srv:", "a:b", "c") != ws::detail::redis_key("srv:", "a", "b:c"));
}

TEST_CASE("redis storage: plaintext beyond loopback needs the setting that says the network is private", "[storage][redis]") {
    captured_log cap;
    warden::storage_settings settings;
    settings.redis_url = "redis://192.0.2.10:6379"; // TEST-NET-1: never answers
    settings.redis_timeout = 100ms;
    settings.redis_max_backoff = 100ms;
    const warden::credential_set none;
    const auto refused = ws::redis::open({settings, none, cap.log, "test-server"});
    const auto message = error_of(refused);
    CHECK_THAT(message, Catch::StartsWith("redis://192.0.2.10:6379: Redis without TLS beyond this machine"));
    CHECK_THAT(message, Catch::Contains("rediss://"));
    CHECK_THAT(message, Catch::Contains("storage.redis_plaintext_network"));
    // Opted in, or over TLS, it starts (and connects when that Redis answers).
    settings.redis_plaintext_network = true;
    CHECK(ws::redis::open({settings, none, cap.log, "test-server"}));
    settings.redis_plaintext_network = false;
    settings.redis_url = "rediss://192.0.2.10:6379";
    CHECK(ws::redis::open({settings, none, cap.log, "test-server"}));
    // Loopback needs nothing.
    settings.redis_url = "redis://127.0.0.1:9";
    CHECK(ws::redis::open({settings, none, cap.log, "test-server"}));
    settings.redis_url = "redis://localhost:9";
    CHECK(ws::redis::open({settings, none, cap.log, "test-server"}));
}

TEST_CASE("redis storage: the store contract against a real redis-server with a password", "[storage][redis]") {
    warden_test::redis_server redis("correct-horse-battery-staple");
    captured_log cap;
    auto opened = open_redis(redis.url(), "correct-horse-battery-staple", cap.log);
    REQUIRE(opened);
    auto s = opened.value();
    CHECK(s->may_block());
    CHECK_FALSE(s->get("tenant-a", "github").value());
    REQUIRE(s->put("tenant-a", "github", std::string("v1\0binary", 9)));
    CHECK(s->get("tenant-a", "github").value() == std::optional<std::string>(std::string("v1\0binary", 9)));
    CHECK_FALSE(s->get("tenant-b", "github").value());
    CHECK_FALSE(s->get("tenant-a:github", "").value());
    CHECK(s->erase("tenant-a", "github").value());
    CHECK_FALSE(s->erase("tenant-a", "github").value());

    CHECK(s->insert_if_absent("replay", "n1", "1", 300ms).value());
    CHECK_FALSE(s->insert_if_absent("replay", "n1", "1", 300ms).value());
    std::this_thread::sleep_for(400ms);
    CHECK(s->insert_if_absent("replay", "n1", "1", 300ms).value()); // expired: usable again

    CHECK(s->compare_and_swap("t", "refresh", std::nullopt, "r1").value());
    CHECK_FALSE(s->compare_and_swap("t", "refresh", std::nullopt, "r1b").value());
    CHECK_FALSE(s->compare_and_swap("t", "refresh", std::string("r0"), "r2").value());
    CHECK(s->compare_and_swap("t", "refresh", std::string("r1"), "r2", 5s).value());
    CHECK(s->get("t", "refresh").value() == std::optional<std::string>("r2"));

    // Many threads, one nonce: one winner. Many threads rotating one value: no lost update.
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    REQUIRE(s->put("t", "counter", "0"));
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            if (s->insert_if_absent("replay", "same", "1", 10s).value()) ++winners;
            for (int n = 0; n < 25;) {
                auto cur = s->get("t", "counter").value();
                if (s->compare_and_swap("t", "counter", cur, std::to_string(std::stoi(*cur) + 1)).value()) ++n;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(winners == 1);
    CHECK(s->get("t", "counter").value() == std::optional<std::string>("200"));
    CHECK(cap.text().find("correct-horse") == std::string::npos);
}

TEST_CASE("redis storage: a wrong or missing password stops start-up, without the password", "[storage][redis]") {
    warden_test::redis_server redis("correct-horse-battery-staple");
    captured_log cap;
    const auto wrong = error_of(open_redis(redis.url(), "not-the-password-at-all", cap.log));
    CHECK(wrong.find("not-the-password") == std::string::npos);
    CHECK(wrong.find("Redis") != std::string::npos);
    CHECK_FALSE(open_redis(redis.url(), "", cap.log));
    CHECK(cap.text().find("not-the-password") == std::string::npos);
}

TEST_CASE("redis storage: an outage fails closed, fast, and recovers by itself", "[storage][redis][fault]") {
    warden_test::redis_server redis;
    captured_log cap;
    auto s = open_redis(redis.url(), "", cap.log, 500ms).value();
    REQUIRE(s->put("t", "k", "before"));
    redis.stop();
    // The first call notices; later calls fail at once during the backoff.
    const auto e = error_of(s->get("t", "k"));
    CHECK(e.find("unavailable") != std::string::npos);
    CHECK(e.find(redis.url().substr(8)) != std::string::npos);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) CHECK_FALSE(s->insert_if_absent("replay", "n" + std::to_string(i), "1", 10s));
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    const auto log = cap.text();
    CHECK(log.find("unreachable") != std::string::npos);
    CHECK(log.find("unreachable") == log.rfind("unreachable")); // one line per outage
    redis.start(); // an empty Redis (no persistence in this test)
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    bool back = false;
    while (!back && std::chrono::steady_clock::now() < deadline) {
        back = static_cast<bool>(s->put("t", "k", "after"));
        if (!back) std::this_thread::sleep_for(50ms);
    }
    REQUIRE(back);
    CHECK(s->get("t", "k").value() == std::optional<std::string>("after"));
    CHECK(cap.text().find("reachable again") != std::string::npos);
}

TEST_CASE("redis storage: unreachable at start-up is not fatal; the store connects when Redis comes", "[storage][redis][fault]") {
    const int port = warden_test::free_loopback_port();
    captured_log cap;
    auto s = open_redis("redis://127.0.0.1:" + std::to_string(port), "", cap.log, 300ms);
    REQUIRE(s);
    CHECK(error_of(s.value()->get("t", "k")).find("unavailable") != std::string::npos);
    CHECK(cap.text().find("unreachable") != std::string::npos);
}

TEST_CASE("redis storage: rediss:// verifies the server's certificate and name", "[storage][redis][tls]") {
    warden_test::temp_dir d("warden-redis-tls");
    const std::string cmd = "cd " + d.str() +
                            " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "
                            "'/CN=test CA' 2>/dev/null && openssl req -newkey rsa:2048 -nodes -keyout server.key -out "
                            "server.csr -subj /CN=127.0.0.1 2>/dev/null && printf 'subjectAltName=IP:127.0.0.1\\n' > ext "
                            "&& openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
                            "-days 2 -extfile ext 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    warden_test::redis_server redis("tls-password-0123456789", d.str(), d.str());
    captured_log cap;
    SECTION("with the right CA: the store works over TLS") {
        auto s = open_redis(redis.url(), "tls-password-0123456789", cap.log, 2s, d / "ca.pem");
        REQUIRE(s);
        REQUIRE(s.value()->put("t", "k", "over tls"));
        CHECK(s.value()->get("t", "k").value() == std::optional<std::string>("over tls"));
    }
    SECTION("an unknown CA is refused") {
        auto s = open_redis(redis.url(), "tls-password-0123456789", cap.log, 2s);
        REQUIRE(s); // unreachable is not fatal at start-up...
        const auto e = error_of(s.value()->get("t", "k"));
        CHECK(e.find("unavailable") != std::string::npos); // ...but nothing is served
        CHECK(cap.text().find("certificate verify failed") != std::string::npos);
    }
    SECTION("a certificate for another name is refused") {
        auto s = open_redis("rediss://localhost:" + std::to_string(redis.port()), "tls-password-0123456789", cap.log,
                            2s, d / "ca.pem");
        REQUIRE(s);
        CHECK_FALSE(s.value()->get("t", "k"));
        CHECK(cap.text().find("certificate verify failed") != std::string::npos);
    }
}
