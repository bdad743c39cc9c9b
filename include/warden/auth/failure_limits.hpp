// warden/auth/failure_limits.hpp: brute-force defence for the HTTP auth gate.
//
// Failed authentications fill two kinds of bucket: one per client address (IPv6 clients
// share one per /64, the block a single customer usually holds) and one per presented
// credential identifier (a Basic user, an HMAC key id, a digest of a token or API key).
// Each bucket lets `burst` failures through at once and one more per `refill` interval
// (a GCRA: one stored number per bucket, the time at which it is full again). The gate asks
// before verifying anything, so a refused request costs no password hash, no signature
// check and no introspection call:
//
//   - an address whose bucket is empty gets 429 with Retry-After;
//   - a credential whose bucket is empty gets 429 from every address except one that has
//     authenticated with it before (within `remember_success`): a user coming back from
//     where they always work is never locked out by an attacker hammering the same user
//     name from elsewhere, and an attacker spreading guesses over many addresses (a /48
//     holds 65,536 buckets) still meets the credential's bucket on every one.
//
// Only failures fill buckets; a success leaves one marker per address and credential,
// written again at most once per half `remember_success` (a memo of this process's). The
// answer is the same whether the key or user exists, and 429 names neither bucket. The buckets live in the
// definition's store when it is shared across instances (Redis: the limits hold across a
// fleet), else in this process's memory (a file store is never written per failure). When
// the store cannot answer, the gate fails closed (503).
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/error.hpp>
#include <warden/storage/store.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace warden::auth {

/// What the limiter says before verification: refuse for `retry_after`, or go ahead.
struct limit_check {
    std::chrono::milliseconds retry_after{0};
    std::string_view by{}; ///< "address" or "credential" (metrics and logs only, never the client)
    bool limited() const noexcept { return retry_after.count() > 0; }
};

class failure_limiter {
public:
    /// Milliseconds since the epoch: wall time, so that instances sharing a store agree.
    using clock_fn = std::function<std::int64_t()>;
    static std::int64_t wall_ms() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    static constexpr std::string_view ns = "auth-failures";

    failure_limiter(std::shared_ptr<storage::store> store, failure_limit_settings s, clock_fn now = wall_ms)
        : store_(std::move(store)), settings_(std::move(s)), now_(std::move(now)) {}

    bool enabled() const noexcept { return settings_.enabled && store_; }
    bool may_block() const noexcept { return store_ && store_->may_block(); }
    const failure_limit_settings& settings() const noexcept { return settings_; }

    /// Before verification: may a request from `address` presenting `credential` (a bucket
    /// name from `credential_bucket`, empty when none) be verified? An error: the store
    /// could not answer.
    result<limit_check> check(std::string_view address, std::string_view credential) const {
        if (!enabled()) return limit_check{};
        const auto now = now_();
        // Every bucket is full when no failure recorded in this process still counts, and
        // the store is this process's alone: nothing to read.
        if (store_->private_to_process() && now >= failure_watermark().load(std::memory_order_acquire))
            return limit_check{};
        auto a = full_at(address_key(address));
        if (!a) return a.error();
        if (auto wait = wait_for(a.value(), now, settings_.per_address, settings_.address_refill); wait > 0)
            return limit_check{std::chrono::milliseconds(wait), "address"};
        if (credential.empty() || settings_.per_credential == 0) return limit_check{};
        auto c = full_at(credential_key(credential));
        if (!c) return c.error();
        const auto wait = wait_for(c.value(), now, settings_.per_credential, settings_.credential_refill);
        if (wait == 0) return limit_check{};
        auto known = store_->get(ns, success_key(address, credential));
        if (!known) return known.error();
        if (known.value()) return limit_check{}; // this address has authenticated with it before
        return limit_check{std::chrono::milliseconds(wait), "credential"};
    }

    /// After a successful verification: remembers that `address` authenticated with
    /// `credential`, so that the credential's bucket never refuses it (see the top).
    result<void> record_success(std::string_view address, std::string_view credential) {
        if (!enabled() || credential.empty() || settings_.per_credential == 0) return success();
        const auto now = now_();
        const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.remember_success).count();
        // A thread's requests mostly repeat its last caller: that answer without a lock.
        struct last_success {
            std::uint64_t limiter = 0;
            std::string address, credential;
            std::int64_t written = 0;
        };
        thread_local last_success last;
        if (last.limiter == memo_->id && now - last.written < ttl / 2 && now >= last.written &&
            last.address == address && last.credential == credential)
            return success();
        const auto key = success_key(address, credential);
        {
            std::lock_guard lock(memo_->mutex);
            auto it = memo_->written.find(key);
            if (it != memo_->written.end() && now - it->second < ttl / 2) return success();
        }
        if (auto r = store_->put(ns, key, "1", std::chrono::milliseconds(ttl)); !r) return r;
        {
            std::lock_guard lock(memo_->mutex);
            if (memo_->written.size() >= max_memo) memo_->written.clear(); // bounded: at worst, markers are rewritten
            memo_->written[key] = now;
        }
        last.limiter = memo_->id;
        last.address.assign(address);
        last.credential.assign(credential);
        last.written = now;
        return success();
    }

    /// After a failed verification: one failure more for the address and the credential.
    result<void> record_failure(std::string_view address, std::string_view credential) {
        if (!enabled()) return success();
        if (settings_.per_address > 0)
            if (auto r = add(address_key(address), settings_.address_refill); !r) return r;
        if (!credential.empty() && settings_.per_credential > 0)
            if (auto r = add(credential_key(credential), settings_.credential_refill); !r) return r;
        return success();
    }

    /// The bucket of a client address: IPv4 whole, IPv6 by its first `prefix` bits
    /// (an IPv4-mapped IPv6 address counts as the IPv4 one).
    static std::string address_bucket(std::string_view address, unsigned prefix = 64) {
        // Every request asks (before verification and after it), and a thread's requests
        // mostly come from the address it asked about last: remember that one answer.
        struct last_answer {
            std::string address, bucket;
            unsigned prefix = 0;
        };
        thread_local last_answer last;
        if (!last.address.empty() && last.prefix == prefix && last.address == address) return last.bucket;
        auto bucket = compute_address_bucket(address, prefix);
        last.address.assign(address);
        last.bucket = bucket;
        last.prefix = prefix;
        return bucket;
    }

private:
    static std::string compute_address_bucket(std::string_view address, unsigned prefix) {
        boost::system::error_code ec;
        auto a = boost::asio::ip::make_address(std::string(address), ec);
        if (ec) return std::string(address);
        if (a.is_v6() && a.to_v6().is_v4_mapped())
            a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
        if (a.is_v4()) return a.to_string();
        auto bytes = a.to_v6().to_bytes();
        prefix = std::min(prefix, 128u);
        for (unsigned bit = prefix; bit < 128; ++bit)
            bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
        return boost::asio::ip::make_address_v6(bytes).to_string() + "/" + std::to_string(prefix);
    }

    std::string address_key(std::string_view address) const {
        return "a:" + address_bucket(address, settings_.ipv6_prefix);
    }
    static std::string credential_key(std::string_view credential) { return "c:" + std::string(credential); }
    std::string success_key(std::string_view address, std::string_view credential) const {
        return "s:" + address_bucket(address, settings_.ipv6_prefix) + "|" + std::string(credential);
    }

    /// Milliseconds until a failure more fits into a bucket that is full again at `full`
    /// (0: it fits now).
    static std::int64_t wait_for(std::int64_t full, std::int64_t now, unsigned burst, std::chrono::milliseconds refill) {
        if (burst == 0) return 0;
        const std::int64_t allowance = static_cast<std::int64_t>(burst - 1) * refill.count();
        return std::max<std::int64_t>(0, full - allowance - now);
    }

    /// When the bucket `key` is full again (0: it is full, nothing is stored).
    result<std::int64_t> full_at(const std::string& key) const {
        auto v = store_->get(ns, key);
        if (!v) return v.error();
        if (!v.value()) return std::int64_t{0};
        std::int64_t t = 0;
        const auto& s = *v.value();
        if (std::from_chars(s.data(), s.data() + s.size(), t).ec != std::errc()) return std::int64_t{0};
        return t;
    }

    /// Adds one failure to bucket `key` (compare-and-swap, retried under contention).
    result<void> add(const std::string& key, std::chrono::milliseconds refill) {
        for (int attempt = 0; attempt < 16; ++attempt) {
            auto v = store_->get(ns, key);
            if (!v) return v.error();
            std::int64_t full = 0;
            if (v.value()) std::from_chars(v.value()->data(), v.value()->data() + v.value()->size(), full);
            const auto now = now_();
            const std::int64_t next = std::max(full, now) + refill.count();
            auto swapped = store_->compare_and_swap(ns, key, v.value(), std::to_string(next),
                                                    std::chrono::milliseconds(next - now));
            if (!swapped) return swapped.error();
            if (swapped.value()) {
                auto& mark = failure_watermark();
                for (auto seen = mark.load(std::memory_order_relaxed);
                     seen < next && !mark.compare_exchange_weak(seen, next, std::memory_order_release);) {
                }
                return success();
            }
        }
        return success(); // under that much contention the bucket is full of failures anyway
    }

    /// The latest time any limiter of this process has a bucket full again (a failure it
    /// recorded still counts until then), across limiters and clocks: only ever raised.
    static std::atomic<std::int64_t>& failure_watermark() {
        static std::atomic<std::int64_t> mark{0};
        return mark;
    }

    static constexpr std::size_t max_memo = 65536;
    struct memo {
        static std::uint64_t next_id() {
            static std::atomic<std::uint64_t> n{0};
            return ++n;
        }
        const std::uint64_t id = next_id(); ///< never reused: tells this limiter's thread memos apart
        std::mutex mutex;
        std::unordered_map<std::string, std::int64_t> written; ///< success key -> when written
    };

    std::shared_ptr<storage::store> store_;
    failure_limit_settings settings_;
    clock_fn now_;
    std::shared_ptr<memo> memo_ = std::make_shared<memo>();
};

/// What a request presents to the gate, for the limiter, the audit log and the metrics.
struct presented_credential {
    std::string scheme{}; ///< "bearer", "basic", "hmac-sha256", "api_key"... or "none"
    std::string bucket{}; ///< a digest of its identifier (never the credential); empty: none
    /// When the identifier is a whole token after the scheme: its SHA-256, which the gate
    /// hands to the scheme (`http_request_view::digest`). Empty `token` otherwise.
    presented_digest digest{};
};

/// The SHA-256 of `scheme` (a lower-case scheme name), ':' and `token`: what the gate takes of
/// a presented token for its brute-force bucket (`presented`). Taken from `r.digest` when the
/// gate took it of this very token (the same bytes of the request), else computed.
inline crypto::sha256_digest token_digest(const http_request_view& r, std::string_view scheme, std::string_view token) {
    if (r.digest && r.digest->token.data() == token.data() && r.digest->token.size() == token.size())
        return r.digest->sha256;
    return crypto::sha256({scheme, ":", token});
}

/// What `r` presents to scheme `A`: the bucket is a digest of a Basic user name, an HMAC key
/// id, or the whole token or key.
template <class A>
presented_credential presented(const http_request_view& r) {
    presented_credential out{"none", {}};
    if (!r.headers) return out;
    // The identifier is built in a buffer the thread keeps (wiped after each use): no
    // allocation per request.
    thread_local std::string id;
    id.clear();
    if (auto it = r.headers->find(boost::beast::http::field::authorization); it != r.headers->end()) {
        const std::string_view value = it->value();
        const auto space = value.find(' ');
        out.scheme = warden::detail::lower_ascii(value.substr(0, std::min<std::size_t>(space, 32)));
        std::string_view rest = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        id.append(out.scheme).push_back(':');
        if (out.scheme == "basic") {
            auto decoded = crypto::base64_decode(rest);
            if (decoded) {
                const std::string_view pair(reinterpret_cast<const char*>(decoded.value().data()),
                                            decoded.value().size());
                const auto colon = pair.find(':');
                id += colon == std::string_view::npos ? rest : pair.substr(0, colon);
                crypto::cleanse(decoded.value().data(), decoded.value().size());
            } else {
                id += rest;
            }
        } else if (out.scheme == "hmac-sha256") {
            const auto at = rest.find("keyId=\"");
            const auto end = at == std::string_view::npos ? at : rest.find('"', at + 7);
            id += end == std::string_view::npos ? rest : rest.substr(at + 7, end - at - 7);
        } else if (!rest.empty()) {
            // A whole token: hashed where it lies, and handed on to the scheme.
            out.digest.sha256 = token_digest({}, out.scheme, rest);
            out.digest.token = rest;
            out.bucket = crypto::to_hex(out.digest.sha256.data(), 16);
        }
        // Only letters, digits and a few marks: the name ends up in metrics labels.
        if (out.scheme.empty() || !std::all_of(out.scheme.begin(), out.scheme.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            }))
            out.scheme = "other";
    } else {
        for (std::string_view h : detail::credential_headers_of<A>())
            if (auto f = r.headers->find(h); f != r.headers->end()) {
                out.scheme = "api_key";
                id.append(h).append(":").append(f->value()).push_back('\n');
            }
    }
    if (!out.bucket.empty() || id.empty()) return out;
    const auto d = crypto::sha256(id);
    crypto::cleanse(id.data(), id.size());
    out.bucket = crypto::to_hex(d.data(), 16);
    return out;
}

} // namespace warden::auth
