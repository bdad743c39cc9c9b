// warden/storage/memory.hpp: in-process storage.
//
// The runtime requirements every store meets are in warden/storage/store.hpp.
#pragma once

#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>
#include <warden/storage/store.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace warden::storage {

/// A bounded map in this process's memory, safe to use from many threads. Lost on exit;
/// not shared between instances.
class memory_store final : public store {
public:
    using clock = std::chrono::steady_clock;

    /// `now`: the clock of expiries, steady_clock unless set (a test's fake clock).
    explicit memory_store(std::size_t max_entries = 1'000'000, std::function<clock::time_point()> now = {})
        : max_entries_(max_entries), now_(now ? std::move(now) : [] { return clock::now(); }) {}
    ~memory_store() {
        for (auto& [k, e] : entries_) wipe(e.value);
    }

    bool private_to_process() const noexcept override { return true; }

    /// Live entries (expired ones may still be counted until the next sweep).
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    result<std::optional<std::string>> do_get(std::string_view ns, std::string_view key) override {
        std::lock_guard lock(mutex_);
        auto it = live(ns, key);
        if (it == entries_.end()) return std::optional<std::string>{};
        return std::optional<std::string>(it->second.value);
    }

    result<void> do_put(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) override {
        std::lock_guard lock(mutex_);
        auto it = live(ns, key);
        if (it != entries_.end()) {
            wipe(it->second.value);
            it->second = entry{std::move(value), expiry(ttl)};
            return success();
        }
        return emplace(ns, key, std::move(value), ttl);
    }

    result<bool> do_erase(std::string_view ns, std::string_view key) override {
        std::lock_guard lock(mutex_);
        auto it = live(ns, key);
        if (it == entries_.end()) return false;
        wipe(it->second.value);
        entries_.erase(it);
        return true;
    }

    result<bool> do_insert_if_absent(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) override {
        std::lock_guard lock(mutex_);
        if (live(ns, key) != entries_.end()) return false;
        if (auto r = emplace(ns, key, std::move(value), ttl); !r) return r.error();
        return true;
    }

    result<bool> do_compare_and_swap(std::string_view ns, std::string_view key,
                                     const std::optional<std::string>& expected, std::string desired,
                                     ttl_type ttl) override {
        std::lock_guard lock(mutex_);
        auto it = live(ns, key);
        if (it == entries_.end()) {
            if (expected) return false;
            if (auto r = emplace(ns, key, std::move(desired), ttl); !r) return r.error();
            return true;
        }
        if (!expected || !crypto::equal_secrets(it->second.value, *expected)) return false;
        wipe(it->second.value);
        it->second = entry{std::move(desired), expiry(ttl)};
        return true;
    }

    struct entry {
        std::string value;
        std::optional<clock::time_point> expires;
    };
    using map_type = std::map<std::string, entry, std::less<>>;

    static std::string compose(std::string_view ns, std::string_view key) {
        std::string k;
        k.reserve(ns.size() + key.size() + 1);
        k.append(ns).push_back('\0');
        k.append(key);
        return k;
    }
    std::optional<clock::time_point> expiry(ttl_type ttl) const {
        if (ttl <= ttl_type::zero()) return std::nullopt;
        return now_() + ttl;
    }
    static void wipe(std::string& s) noexcept { crypto::cleanse(s.data(), s.capacity()); }

    map_type::iterator live(std::string_view ns, std::string_view key) {
        auto it = entries_.find(compose(ns, key));
        if (it != entries_.end() && it->second.expires && *it->second.expires <= now_()) {
            wipe(it->second.value);
            entries_.erase(it);
            return entries_.end();
        }
        return it;
    }

    result<void> emplace(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) {
        if (entries_.size() >= max_entries_) sweep();
        if (entries_.size() >= max_entries_)
            return failure(errc::storage_error, "memory storage is full (" + std::to_string(max_entries_) + " entries)");
        entries_.emplace(compose(ns, key), entry{std::move(value), expiry(ttl)});
        return success();
    }

    void sweep() {
        const auto now = now_();
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->second.expires && *it->second.expires <= now) {
                wipe(it->second.value);
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
    }

    mutable std::mutex mutex_;
    map_type entries_;
    std::size_t max_entries_;
    std::function<clock::time_point()> now_;
};

/// The storage policy for memory_store.
struct memory {
    static constexpr bool durable = false;
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = false;
    using store_type = memory_store;
};

} // namespace warden::storage
