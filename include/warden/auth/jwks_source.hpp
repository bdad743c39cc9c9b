// warden/auth/jwks_source.hpp: an issuer's JWK set, fetched from its URL and kept fresh.
//
// A background thread (one per source) fetches the set (warden/detail/http_fetch.hpp),
// or first finds its URL in the issuer's metadata (RFC 8414
// `/.well-known/oauth-authorization-server` inserted before the issuer's path, else OpenID
// Connect discovery, `/.well-known/openid-configuration` appended to it), and refetches
// when the set's `Cache-Control: max-age` (kept within [min_ttl, max_ttl]) runs out.
//
// - A token naming an unknown `kid` may ask for an early refetch: single-flight (a caller
//   that arrives while a fetch runs waits for that fetch, at most `timeout`, and never asks
//   for another) and rate-limited (an early fetch starts no sooner than `refetch_interval`
//   after the previous fetch started; in between, the unknown kid is refused at once, so
//   random kids can neither hammer the issuer nor hold worker threads).
// - A failed fetch keeps the last good set and retries with backoff (1 s doubling to 60 s);
//   once the last good set is older than `max_stale` past its expiry, `keys()` is null and
//   the scheme refuses tokens (fail closed), with one log line when that starts and one when
//   the issuer is back.
//
// The thread holds only shared state, so dropping a source never waits for a fetch.
#pragma once

#include <warden/metrics.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/detail/http_fetch.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/log.hpp>

#include <boost/url/parse.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace warden::auth {

struct jwks_source_options {
    std::string issuer{};   ///< for discovery (and to check the metadata's `issuer`)
    std::string jwks_uri{}; ///< empty: discovered from the issuer's metadata
    warden::detail::fetch_options fetch{};
    std::chrono::seconds min_ttl{60};
    std::chrono::seconds max_ttl{24 * 3600};
    std::chrono::seconds default_ttl{600};      ///< when the response names no max-age
    std::chrono::seconds refetch_interval{10};  ///< at most one early refetch (unknown kid) per this
    std::chrono::seconds max_stale{3600};       ///< how long past expiry the last good set is used
    /// Fetches a URL: warden::detail::http_get unless set (a test's fake issuer).
    std::function<result<warden::detail::fetched>(const std::string& url, const warden::detail::fetch_options&)>
        fetcher{};
    /// The clock of every decision (expiry, staleness, the refetch interval): steady_clock
    /// unless set (a test's fake clock). Waits last the difference of its readings.
    std::function<std::chrono::steady_clock::time_point()> now{};
};

class jwks_source {
public:
    using clock = std::chrono::steady_clock;

    explicit jwks_source(jwks_source_options opt) : state_(std::make_shared<state>(std::move(opt))) {}
    jwks_source(const jwks_source&) = delete;
    jwks_source& operator=(const jwks_source&) = delete;
    /// Signals the thread and lets it finish alone: dropping a source never waits for a
    /// fetch (a scheme replaced on reload may be released by an I/O thread).
    ~jwks_source() {
        std::thread t;
        {
            std::lock_guard lock(state_->mutex);
            state_->stopping = true;
            state_->wake.notify_all();
            t = std::move(state_->thread);
        }
        if (t.joinable()) t.detach();
    }

    /// Stops the thread and waits for it (at most one fetch timeout): for server shutdown,
    /// so that nothing of it outlives the server.
    void stop() const {
        std::thread t;
        {
            std::lock_guard lock(state_->mutex);
            state_->stopping = true;
            state_->wake.notify_all();
            t = std::move(state_->thread);
        }
        if (t.joinable()) t.join();
    }

    /// Starts the background thread (once) and waits up to the fetch timeout for the first
    /// set, so that a server starting next to a healthy issuer has keys at once. `log`
    /// must outlive the source (the server's logger does).
    void start(const logger& log) {
        std::unique_lock lock(state_->mutex);
        if (state_->started) return;
        state_->started = true;
        state_->log = &log;
        state_->thread = std::thread([s = state_] {
            run(s);
            OPENSSL_thread_stop(); // its error queue and caches go with it
        });
        state_->changed.wait_for(lock, state_->opt.fetch.timeout + std::chrono::seconds(1),
                                 [&] { return state_->attempts > 0; });
    }

    /// The set in force, or null: never fetched, or stale past `max_stale`.
    std::shared_ptr<const crypto::jwk_set> keys() const {
        std::lock_guard lock(state_->mutex);
        return usable(*state_, state_->now()) ? state_->keys : nullptr;
    }

    /// A token named a kid the set lacks: waits for the fetch in progress, if any, or starts
    /// one unless the previous one started within `refetch_interval`; true when a set with
    /// other keys arrived.
    bool refresh_for_unknown_kid() {
        std::unique_lock lock(state_->mutex);
        if (!state_->started || state_->stopping) return false;
        const auto generation = state_->generation;
        const auto attempts = state_->attempts;
        if (!state_->fetching) {
            if (state_->last_attempt && state_->now() - *state_->last_attempt < state_->opt.refetch_interval)
                return false;
            state_->early = true;
            state_->wake.notify_all();
        }
        ++state_->waiting;
        state_->changed.wait_for(lock, state_->opt.fetch.timeout + std::chrono::seconds(1),
                                 [&] { return state_->attempts > attempts || state_->stopping; });
        --state_->waiting;
        return state_->generation != generation;
    }

    /// Callers of `refresh_for_unknown_kid` waiting for a fetch now (metrics, tests).
    std::size_t callers_waiting() const {
        std::lock_guard lock(state_->mutex);
        return state_->waiting;
    }

private:
    struct state {
        explicit state(jwks_source_options o) : opt(std::move(o)) {
            if (!opt.fetcher) opt.fetcher = [](const std::string& url, const warden::detail::fetch_options& f) {
                return warden::detail::http_get(url, f);
            };
            if (!opt.now) opt.now = [] { return clock::now(); };
        }
        clock::time_point now() const { return opt.now(); }
        jwks_source_options opt;
        std::mutex mutex;
        std::condition_variable wake, changed;
        bool started = false, stopping = false, early = false, fetching = false, failing = false;
        std::size_t waiting = 0; ///< callers of refresh_for_unknown_kid inside their wait
        const logger* log = nullptr;
        std::shared_ptr<const crypto::jwk_set> keys;
        clock::time_point expires{};
        std::optional<clock::time_point> last_attempt;
        unsigned long attempts = 0, generation = 0;
        std::string jwks_uri;
        std::set<std::string> skipped_logged; ///< keys skipped in a fetched set, each logged once
        std::thread thread;
    };

    static bool usable(const state& s, clock::time_point now) {
        return s.keys && now < s.expires + s.opt.max_stale;
    }

public:
    /// Where an issuer's metadata may be, in the order tried: RFC 8414 §3 puts its well-known
    /// segment between the host and the issuer's path; OpenID Connect Discovery §4 appends
    /// its own to the issuer (with its path, as Keycloak's realms and Entra's tenants have).
    static std::vector<std::string> metadata_urls(const std::string& issuer) {
        auto u = boost::urls::parse_absolute_uri(issuer);
        if (!u) return {};
        std::string path(u->encoded_path());
        while (path.ends_with('/')) path.pop_back();
        const std::string origin = std::string(u->scheme()) + "://" + std::string(u->encoded_authority());
        return {origin + "/.well-known/oauth-authorization-server" + path,
                origin + path + "/.well-known/openid-configuration"};
    }

private:
    static result<std::string> discover(const state& s) {
        std::string last_error;
        for (const auto& url : metadata_urls(s.opt.issuer)) {
            auto got = s.opt.fetcher(url, s.opt.fetch);
            if (!got) {
                last_error = got.error().message();
                continue;
            }
            if (got.value().status != 200) {
                last_error = "GET " + warden::detail::redacted_url(url) + ": HTTP " + std::to_string(got.value().status);
                continue;
            }
            auto doc = warden::detail::parse_strict_json(got.value().body);
            const std::string shown = warden::detail::redacted_url(url);
            if (!doc || !doc.value().is_object()) return failure(errc::invalid_credentials, shown + ": not a JSON object");
            const auto& o = doc.value().get_object();
            const auto* iss = o.if_contains("issuer");
            if (!iss || !iss->is_string() || iss->get_string() != s.opt.issuer)
                return failure(errc::invalid_credentials, shown + ": its \"issuer\" is not " + s.opt.issuer);
            const auto* jwks = o.if_contains("jwks_uri");
            if (!jwks || !jwks->is_string()) return failure(errc::invalid_credentials, shown + ": no \"jwks_uri\"");
            return std::string(jwks->get_string());
        }
        return failure(errc::closed, "no metadata for issuer " + s.opt.issuer + ": " + last_error);
    }

    static void say(const state& s, log_level level, const std::string& line) {
        if (s.log) s.log->log(level, line);
    }

    /// One fetch; on success the new set and its expiry. Runs without the lock.
    static result<std::pair<crypto::jwk_set, clock::duration>> fetch(state& s, std::string& uri) {
        if (uri.empty()) {
            auto found = discover(s);
            if (!found) return found.error();
            uri = std::move(found).value();
        }
        auto got = s.opt.fetcher(uri, s.opt.fetch);
        if (!got) return got.error();
        if (got.value().status != 200)
            return failure(errc::closed, "GET " + warden::detail::redacted_url(uri) + ": HTTP " +
                                             std::to_string(got.value().status));
        auto keys = crypto::parse_jwk_set(got.value().body);
        if (!keys) return failure(errc::invalid_credentials, warden::detail::redacted_url(uri) + ": " + keys.error().message());
        auto ttl = got.value().max_age.value_or(s.opt.default_ttl);
        ttl = std::clamp(ttl, s.opt.min_ttl, s.opt.max_ttl);
        return std::pair{std::move(keys).value(), clock::duration(ttl)};
    }

    static void run(std::shared_ptr<state> s) {
        std::chrono::seconds backoff{1};
        std::string uri = s->opt.jwks_uri;
        for (;;) {
            {
                std::lock_guard lock(s->mutex);
                if (s->stopping) return;
                s->fetching = true;
                s->early = false;
                s->last_attempt = s->now();
            }
            auto got = fetch(*s, uri);
            metrics::global().jwks_fetches.with({got ? "ok" : "failed"}).inc();
            clock::time_point next;
            {
                std::lock_guard lock(s->mutex);
                s->fetching = false;
                ++s->attempts;
                const auto now = s->now();
                if (got) {
                    const bool same = s->keys && s->keys->keys.size() == got.value().first.keys.size() &&
                                      std::equal(s->keys->keys.begin(), s->keys->keys.end(), got.value().first.keys.begin(),
                                                 [](const auto& a, const auto& b) { return a.kid == b.kid; });
                    for (const auto& why : got.value().first.skipped)
                        if (s->skipped_logged.insert(why).second)
                            say(*s, log_level::notice, "JWK set of " + s->opt.issuer + ": a key skipped: " + why);
                    s->keys = std::make_shared<const crypto::jwk_set>(std::move(got.value().first));
                    s->expires = now + got.value().second;
                    if (!same) ++s->generation;
                    if (s->failing) say(*s, log_level::notice, "JWK set of " + s->opt.issuer + " fetched again from " +
                                                                  warden::detail::redacted_url(uri));
                    s->failing = false;
                    backoff = std::chrono::seconds(1);
                    next = s->expires;
                } else {
                    const bool usable_now = usable(*s, now);
                    say(*s, usable_now ? log_level::warning : log_level::error,
                        "JWK set of " + s->opt.issuer + " not fetched: " + got.error().message() +
                            (usable_now ? "; the last good set is kept for now"
                                        : "; no usable keys: its tokens are refused until it is back"));
                    s->failing = true;
                    next = now + backoff;
                    backoff = std::min(backoff * 2, std::chrono::seconds(60));
                }
                s->changed.notify_all();
            }
            std::unique_lock lock(s->mutex);
            s->wake.wait_for(lock, next - s->now(), [&] { return s->stopping || s->early; });
            if (s->stopping) return;
        }
    }

    std::shared_ptr<state> state_;
};

} // namespace warden::auth
