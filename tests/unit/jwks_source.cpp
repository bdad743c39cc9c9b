// jwks_source against a fake issuer and a fake clock: single flight, the refetch interval,
// stale keys, recovery, discovery.
#include <warden/auth/jwks_source.hpp>

#include "jose_support.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace wa = warden::auth;
using namespace std::chrono_literals;

namespace {

/// An issuer whose answers the test sets, that counts its fetches, and can hold one until
/// the test lets it go.
struct fake_issuer {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> urls;   // every URL fetched, in order
    std::string kid = "a";           // the kid its set has
    bool failing = false;            // answer 503
    bool hold = false;               // block the next fetches until released
    bool held = false;               // a fetch is blocked now
    std::string metadata_issuer{};   // discovery: the issuer its metadata names
    std::string metadata_at{};       // discovery: the one URL that serves it (others are 404)
    std::chrono::steady_clock::time_point clock{};

    std::size_t fetches() {
        std::lock_guard l(m);
        return urls.size();
    }
    bool wait_for_fetches(std::size_t n, std::chrono::milliseconds at_most = 5000ms) {
        std::unique_lock l(m);
        return cv.wait_for(l, at_most, [&] { return urls.size() >= n; });
    }
    bool wait_until_held() {
        std::unique_lock l(m);
        return cv.wait_for(l, 5000ms, [&] { return held; });
    }
    void release() {
        std::lock_guard l(m);
        hold = false;
        cv.notify_all();
    }
    void advance(std::chrono::seconds by) {
        std::lock_guard l(m);
        clock += by;
    }

    wa::jwks_source_options options(std::string issuer = "https://issuer.example") {
        wa::jwks_source_options o;
        o.issuer = std::move(issuer);
        o.jwks_uri = "https://issuer.example/jwks";
        o.fetch.timeout = 3000ms;
        o.refetch_interval = 10s;
        o.min_ttl = 60s;
        o.max_stale = 600s;
        o.fetcher = [this](const std::string& url, const warden::detail::fetch_options&)
            -> warden::result<warden::detail::fetched> {
            std::unique_lock l(m);
            urls.push_back(url);
            cv.notify_all();
            if (hold) {
                held = true;
                cv.notify_all();
                cv.wait(l, [&] { return !hold; });
                held = false;
            }
            if (failing) return warden::detail::fetched{503, "", {}, "", ""};
            if (url.find("/.well-known/") != std::string::npos) {
                if (url != metadata_at) return warden::detail::fetched{404, "", {}, "", ""};
                boost::json::object doc{{"issuer", metadata_issuer}, {"jwks_uri", "https://issuer.example/jwks"}};
                return warden::detail::fetched{200, boost::json::serialize(doc), {}, "application/json", ""};
            }
            boost::json::object set{{"keys", boost::json::array{key.jwk(kid)}}};
            return warden::detail::fetched{200, boost::json::serialize(set), 120s, "application/json", ""};
        };
        o.now = [this] {
            std::lock_guard l(m);
            return clock;
        };
        return o;
    }

    test::signing_key key = test::signing_key::ec();
};

/// A started source, stopped (its thread joined) before the issuer it calls goes away,
/// whatever the test's outcome.
struct running_source {
    fake_issuer& issuer;
    warden::logger log{warden::log_level::critical};
    wa::jwks_source source;
    running_source(fake_issuer& i, wa::jwks_source_options o) : issuer(i), source(std::move(o)) { source.start(log); }
    ~running_source() {
        issuer.release();
        source.stop();
    }
};

bool has_kid(const std::shared_ptr<const warden::crypto::jwk_set>& set, std::string_view kid) {
    if (!set) return false;
    for (const auto& k : set->keys)
        if (k.kid == kid) return true;
    return false;
}

} // namespace

TEST_CASE("jwks_source: callers during a fetch wait for it, and never ask for another", "[auth][jwks]") {
    fake_issuer issuer;
    running_source running(issuer, issuer.options());
    auto& source = running.source;
    REQUIRE(issuer.fetches() == 1);
    REQUIRE(has_kid(source.keys(), "a"));

    issuer.advance(11s); // past the refetch interval
    {
        std::lock_guard l(issuer.m);
        issuer.hold = true;
        issuer.kid = "b";
    }
    auto first = std::async(std::launch::async, [&] { return source.refresh_for_unknown_kid(); });
    REQUIRE(issuer.wait_until_held());
    // More callers with unknown kids while that fetch runs: they wait for it.
    std::vector<std::future<bool>> more;
    for (int i = 0; i < 4; ++i)
        more.push_back(std::async(std::launch::async, [&] { return source.refresh_for_unknown_kid(); }));
    // All five inside their wait before the fetch ends (signalled, not slept for).
    for (int i = 0; i < 5000 && source.callers_waiting() < 5; ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(source.callers_waiting() == 5);
    issuer.release();
    CHECK(first.get());
    for (auto& f : more) f.get();
    CHECK(has_kid(source.keys(), "b"));
    // One fetch served them all, and none follows it: the interval counts from its start.
    CHECK_FALSE(issuer.wait_for_fetches(3, 300ms));
    CHECK(issuer.fetches() == 2);
}

TEST_CASE("jwks_source: at most one early fetch per refetch_interval", "[auth][jwks]") {
    fake_issuer issuer;
    running_source running(issuer, issuer.options());
    auto& source = running.source;
    REQUIRE(issuer.fetches() == 1);
    // Within the interval of the first fetch: refused at once, no fetch.
    for (int i = 0; i < 20; ++i) CHECK_FALSE(source.refresh_for_unknown_kid());
    CHECK(issuer.fetches() == 1);
    issuer.advance(9s);
    CHECK_FALSE(source.refresh_for_unknown_kid());
    CHECK(issuer.fetches() == 1);
    // Past it: one fetch (the set is the same, so nothing new is reported).
    issuer.advance(1s);
    CHECK_FALSE(source.refresh_for_unknown_kid());
    CHECK(issuer.fetches() == 2);
    // And then the interval again, from that fetch's start.
    issuer.advance(5s);
    {
        std::lock_guard l(issuer.m);
        issuer.kid = "c";
    }
    CHECK_FALSE(source.refresh_for_unknown_kid());
    CHECK(issuer.fetches() == 2);
    issuer.advance(5s);
    CHECK(source.refresh_for_unknown_kid()); // a rotated key arrives
    CHECK(has_kid(source.keys(), "c"));
    CHECK(issuer.fetches() == 3);
}

TEST_CASE("jwks_source: an outage keeps the last good set for max_stale, then fails closed, then recovers",
          "[auth][jwks]") {
    fake_issuer issuer;
    running_source running(issuer, issuer.options());
    auto& source = running.source;
    REQUIRE(has_kid(source.keys(), "a"));
    {
        std::lock_guard l(issuer.m);
        issuer.failing = true;
    }
    issuer.advance(11s);
    CHECK_FALSE(source.refresh_for_unknown_kid()); // the fetch failed
    CHECK(issuer.fetches() == 2);
    // Its expiry (120 s) and max_stale (600 s) not yet passed: the last good set stands.
    issuer.advance(700s);
    CHECK(has_kid(source.keys(), "a"));
    issuer.advance(20s); // 731 s after it was fetched: stale past max_stale
    CHECK(source.keys() == nullptr);
    // The issuer is back: the retry (after the backoff) restores the keys.
    {
        std::lock_guard l(issuer.m);
        issuer.failing = false;
        issuer.kid = "d";
    }
    REQUIRE(issuer.wait_for_fetches(3));
    for (int i = 0; i < 50 && !has_kid(source.keys(), "d"); ++i) std::this_thread::sleep_for(20ms);
    CHECK(has_kid(source.keys(), "d"));
}

TEST_CASE("jwks_source: discovery for issuers with a path tries RFC 8414, then OpenID Connect", "[auth][jwks]") {
    CHECK(wa::jwks_source::metadata_urls("https://idp.example/realms/acme") ==
          std::vector<std::string>{"https://idp.example/.well-known/oauth-authorization-server/realms/acme",
                                   "https://idp.example/realms/acme/.well-known/openid-configuration"});
    CHECK(wa::jwks_source::metadata_urls("https://idp.example/") ==
          std::vector<std::string>{"https://idp.example/.well-known/oauth-authorization-server",
                                   "https://idp.example/.well-known/openid-configuration"});
    // OpenID Connect's form found after RFC 8414's 404: the set is fetched from its jwks_uri.
    fake_issuer issuer;
    issuer.metadata_issuer = "https://idp.example/realms/acme";
    issuer.metadata_at = "https://idp.example/realms/acme/.well-known/openid-configuration";
    auto opt = issuer.options("https://idp.example/realms/acme");
    opt.jwks_uri.clear();
    running_source running(issuer, std::move(opt));
    CHECK(has_kid(running.source.keys(), "a"));
    std::lock_guard l(issuer.m);
    CHECK(issuer.urls == std::vector<std::string>{"https://idp.example/.well-known/oauth-authorization-server/realms/acme",
                                                  "https://idp.example/realms/acme/.well-known/openid-configuration",
                                                  "https://issuer.example/jwks"});
}

TEST_CASE("jwks_source: metadata that names another issuer is refused", "[auth][jwks]") {
    fake_issuer issuer;
    issuer.metadata_issuer = "https://evil.example";
    issuer.metadata_at = "https://idp.example/.well-known/oauth-authorization-server";
    auto opt = issuer.options("https://idp.example");
    opt.jwks_uri.clear();
    running_source running(issuer, std::move(opt));
    CHECK(running.source.keys() == nullptr);
    std::lock_guard l(issuer.m);
    // The metadata's issuer was wrong: its jwks_uri was not fetched.
    REQUIRE_FALSE(issuer.urls.empty());
    CHECK(issuer.urls.front() == "https://idp.example/.well-known/oauth-authorization-server");
    CHECK(std::find(issuer.urls.begin(), issuer.urls.end(), "https://issuer.example/jwks") == issuer.urls.end());
}
