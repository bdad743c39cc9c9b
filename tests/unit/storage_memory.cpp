#include <warden/storage/memory.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using warden::storage::memory_store;

namespace {
/// A clock the test moves by hand: expiries to the millisecond, whatever the machine's load.
struct fake_clock {
    std::shared_ptr<memory_store::clock::time_point> t =
        std::make_shared<memory_store::clock::time_point>(memory_store::clock::time_point{} + 1h);
    std::function<memory_store::clock::time_point()> fn() const {
        return [t = t] { return *t; };
    }
    void advance(std::chrono::milliseconds d) const { *t += d; }
};
} // namespace

TEST_CASE("memory storage: get, put, erase, namespaced", "[storage]") {
    memory_store s;
    CHECK_FALSE(s.get("tenant-a", "k").value());
    REQUIRE(s.put("tenant-a", "k", "v1"));
    CHECK(s.get("tenant-a", "k").value() == std::optional<std::string>("v1"));
    CHECK_FALSE(s.get("tenant-b", "k").value());
    REQUIRE(s.put("tenant-a", "k", "v2"));
    CHECK(s.get("tenant-a", "k").value() == std::optional<std::string>("v2"));
    CHECK(s.erase("tenant-a", "k").value());
    CHECK_FALSE(s.erase("tenant-a", "k").value());
    // The separator cannot be forged by a key that contains the namespace's text.
    REQUIRE(s.put("a", "b\0c", "x"));
    CHECK_FALSE(s.get("a\0b", "c").value());
}

TEST_CASE("memory storage: values expire", "[storage]") {
    fake_clock clock;
    memory_store s(1000, clock.fn());
    REQUIRE(s.put("n", "k", "v", 30ms));
    clock.advance(29ms);
    CHECK(s.get("n", "k").value());
    clock.advance(1ms); // due at exactly its expiry
    CHECK_FALSE(s.get("n", "k").value());
    REQUIRE(s.put("n", "forever", "v"));
    clock.advance(24h * 365);
    CHECK(s.get("n", "forever").value());
}

TEST_CASE("memory storage: insert_if_absent is atomic", "[storage]") {
    fake_clock clock;
    memory_store s(1'000'000, clock.fn());
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 200; ++k)
                if (s.insert_if_absent("nonces", "n" + std::to_string(k), "seen", 10s).value()) ++winners;
        });
    for (auto& t : threads) t.join();
    CHECK(winners == 200);
    // An expired nonce may be inserted again.
    REQUIRE(s.insert_if_absent("nonces", "short", "seen", 20ms).value());
    clock.advance(19ms);
    CHECK_FALSE(s.insert_if_absent("nonces", "short", "seen", 20ms).value());
    clock.advance(1ms);
    CHECK(s.insert_if_absent("nonces", "short", "seen", 20ms).value());
}

TEST_CASE("memory storage: compare_and_swap", "[storage]") {
    memory_store s;
    CHECK(s.compare_and_swap("t", "refresh", std::nullopt, "r1").value());
    CHECK_FALSE(s.compare_and_swap("t", "refresh", std::nullopt, "r2").value());
    CHECK_FALSE(s.compare_and_swap("t", "refresh", std::string("wrong"), "r2").value());
    CHECK(s.compare_and_swap("t", "refresh", std::string("r1"), "r2").value());
    CHECK(s.get("t", "refresh").value() == std::optional<std::string>("r2"));
}

TEST_CASE("memory storage: bounded, with a clear error when full", "[storage]") {
    fake_clock clock;
    memory_store s(2, clock.fn());
    REQUIRE(s.put("n", "a", "1"));
    REQUIRE(s.put("n", "b", "2", 10ms));
    auto full = s.put("n", "c", "3");
    REQUIRE_FALSE(full);
    CHECK(full.error() == warden::errc::storage_error);
    clock.advance(10ms);
    CHECK(s.put("n", "c", "3")); // the expired entry made room
    STATIC_REQUIRE(warden::storage::memory::atomic_insert_with_expiry);
    STATIC_REQUIRE_FALSE(warden::storage::memory::shared_across_instances);
}
