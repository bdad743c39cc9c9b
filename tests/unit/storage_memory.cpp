#include <warden/storage/memory.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using warden::storage::memory_store;

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
    memory_store s;
    REQUIRE(s.put("n", "k", "v", 30ms));
    CHECK(s.get("n", "k").value());
    std::this_thread::sleep_for(60ms);
    CHECK_FALSE(s.get("n", "k").value());
}

TEST_CASE("memory storage: insert_if_absent is atomic", "[storage]") {
    memory_store s;
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
    CHECK_FALSE(s.insert_if_absent("nonces", "short", "seen", 20ms).value());
    std::this_thread::sleep_for(40ms);
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
    memory_store s(2);
    REQUIRE(s.put("n", "a", "1"));
    REQUIRE(s.put("n", "b", "2", 10ms));
    auto full = s.put("n", "c", "3");
    REQUIRE_FALSE(full);
    CHECK(full.error() == warden::errc::storage_error);
    std::this_thread::sleep_for(20ms);
    CHECK(s.put("n", "c", "3")); // the expired entry made room
    STATIC_REQUIRE(warden::storage::memory::atomic_insert_with_expiry);
    STATIC_REQUIRE_FALSE(warden::storage::memory::shared_across_instances);
}
