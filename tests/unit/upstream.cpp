#include <warden/upstream/client.hpp>
#include <warden/auth/dpop.hpp>

#include <catch2/catch.hpp>

#include "redis_server.hpp"
#include "upstream_stub.hpp"

#include <warden/storage/memory.hpp>
#include <warden/storage/redis.hpp>

#include <boost/url/parse.hpp>

#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace wu = warden::upstream;
namespace ws = warden::storage;

namespace {
wu::oauth_client_settings settings_for(const warden_test::oauth_stub& as) {
    wu::oauth_client_settings s;
    s.name = "github";
    s.authorization_endpoint = as.base() + "/authorize";
    s.token_endpoint = as.base() + "/token";
    s.client_id = "warden-test";
    s.scopes = {"repo"};
    s.login_command = "upstream_api login --tenant acme";
    s.fetch.allow_loopback_http = true;
    s.fetch.timeout = 5s;
    return s;
}
/// A token set from `as`, expiring in `ttl` seconds.
wu::token_set issued(warden_test::oauth_stub& as, std::int64_t ttl) {
    auto [access, refresh] = as.issue();
    wu::token_set t;
    t.access_token = access;
    t.refresh_token = refresh;
    t.expires_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count() + ttl;
    return t;
}
/// Stores a token set for `tenant` as a login would (in a store that keeps them as they are).
void signed_in(ws::store& store, warden_test::oauth_stub& as, std::string_view tenant, std::int64_t ttl) {
    REQUIRE(store.put(tenant, "oauth/github", issued(as, ttl).serialize()));
}
/// A credential set holding a storage key (base64 of 32 bytes).
warden::credential_set storage_key(char fill) {
    warden::credential_set c;
    c.insert({"WARDEN_STORAGE_KEY", "", true, true}, warden::crypto::base64_encode(std::string(32, fill)));
    return c;
}
/// Calls `get()` from `n` threads at once; the distinct tokens they got, and how many failed.
template <class Get>
std::pair<std::set<std::string>, int> concurrently(int n, Get get) {
    std::vector<std::thread> callers;
    std::mutex m;
    std::set<std::string> seen;
    int failures = 0;
    for (int i = 0; i < n; ++i)
        callers.emplace_back([&, i] {
            auto t = get(i);
            std::lock_guard lock(m);
            if (t) seen.insert(t.value());
            else ++failures;
        });
    for (auto& c : callers) c.join();
    return {seen, failures};
}
wu::token_set stored(ws::store& store, std::string_view tenant) {
    auto raw = store.get(tenant, "oauth/github");
    REQUIRE(raw);
    REQUIRE(raw.value());
    return *wu::token_set::parse(*raw.value());
}
} // namespace

TEST_CASE("upstream oauth: a fresh token is used without refreshing", "[upstream][oauth]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    signed_in(*store, as, "acme", 3600);
    wu::token_manager tokens(settings_for(as), store, warden::credential_set{});
    const auto t = tokens.access_token("acme");
    REQUIRE(t);
    CHECK(t.value() == stored(*store, "acme").access_token);
    CHECK(as.refreshes == 0);
}

TEST_CASE("upstream oauth: 32 concurrent callers, one refresh; the rotated token is stored first",
          "[upstream][oauth][concurrency]") {
    warden_test::oauth_stub as;
    as.token_delay_ms = 200; // a slow authorization server widens the race
    auto store = std::make_shared<ws::memory_store>();
    signed_in(*store, as, "acme", 60); // inside the 5-minute refresh margin
    const auto old_refresh = stored(*store, "acme").refresh_token;
    wu::token_manager tokens(settings_for(as), store, warden::credential_set{});
    const auto [seen, failures] = concurrently(32, [&](int) { return tokens.access_token("acme"); });
    CHECK(failures == 0);
    CHECK(as.refreshes == 1);
    CHECK(tokens.refreshes() == 1);
    REQUIRE(seen.size() == 1);
    const auto now = stored(*store, "acme");
    CHECK(*seen.begin() == now.access_token);
    CHECK(now.refresh_token != old_refresh);
    CHECK(as.refresh_token_live(now.refresh_token));
    CHECK_FALSE(as.refresh_token_live(old_refresh));
    // Another tenant is independent.
    CHECK_FALSE(tokens.access_token("globex"));
}

TEST_CASE("upstream oauth: two managers (two processes) sharing one Redis refresh once", "[upstream][oauth][redis]") {
    warden_test::redis_server redis;
    warden_test::oauth_stub as;
    as.token_delay_ms = 200;
    warden::logger log;
    auto open = [&] {
        warden::storage_settings s;
        s.redis_url = redis.url();
        auto st = ws::redis::open({s, warden::credential_set{}, log, "upstream-test"});
        REQUIRE(st);
        return st.value();
    };
    auto store_a = open(), store_b = open();
    wu::token_manager a(settings_for(as), store_a, storage_key('k'));
    wu::token_manager b(settings_for(as), store_b, storage_key('k'));
    REQUIRE(a.import_tokens("acme", issued(as, 60)));
    const auto [seen, failures] =
        concurrently(32, [&](int i) { return (i % 2 ? a : b).access_token("acme"); });
    CHECK(failures == 0);
    CHECK(as.refreshes == 1);
    CHECK(a.refreshes() + b.refreshes() == 1);
    CHECK(seen.size() == 1);
}

TEST_CASE("upstream oauth: tokens in Redis are sealed under the storage key, bound to their slot", "[upstream][oauth][redis]") {
    warden_test::redis_server redis;
    warden_test::oauth_stub as;
    warden::logger log;
    warden::storage_settings rs;
    rs.redis_url = redis.url();
    auto opened = ws::redis::open({rs, warden::credential_set{}, log, "upstream-test"});
    REQUIRE(opened);
    const auto store = opened.value();
    // Without a key the manager refuses the store: the refresh tokens would lie in the clear.
    auto keyless = wu::token_manager::make(settings_for(as), store, warden::credential_set{});
    REQUIRE_FALSE(keyless);
    CHECK_THAT(keyless.error().message(), Catch::Contains("set WARDEN_STORAGE_KEY"));
    warden::credential_set short_key;
    short_key.insert({"WARDEN_STORAGE_KEY", "", true, true}, "c2hvcnQ=");
    CHECK_FALSE(wu::token_manager::make(settings_for(as), store, short_key));

    wu::token_manager tokens(settings_for(as), store, storage_key('k'));
    const auto t = issued(as, 3600);
    REQUIRE(tokens.import_tokens("acme", t));
    const auto raw = store->get("acme", "oauth/github").value();
    REQUIRE(raw);
    CHECK(raw->starts_with("WRDNAEAD"));
    CHECK(raw->find(t.refresh_token) == std::string::npos);
    CHECK(raw->find(t.access_token) == std::string::npos);
    CHECK(raw->find("refresh_token") == std::string::npos);
    auto got = tokens.access_token("acme");
    REQUIRE(got);
    CHECK(got.value() == t.access_token);
    // Another key, or the value copied into another tenant's slot, does not open.
    wu::token_manager other_key(settings_for(as), store, storage_key('x'));
    auto refused = other_key.access_token("acme");
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message(), Catch::Contains("cannot be opened with WARDEN_STORAGE_KEY"));
    REQUIRE(store->put("globex", "oauth/github", *raw));
    CHECK_FALSE(tokens.access_token("globex"));
    // A value written in the clear (before sealing) is refused, not trusted.
    REQUIRE(store->put("initech", "oauth/github", issued(as, 3600).serialize()));
    CHECK_FALSE(tokens.access_token("initech"));
    CHECK(as.refreshes == 0);
}

TEST_CASE("upstream oauth: invalid_grant asks for a new login, naming the command", "[upstream][oauth]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    signed_in(*store, as, "acme", 10);
    as.revoke_all();
    warden::logger log;
    wu::token_manager tokens(settings_for(as), store, warden::credential_set{}, &log);
    auto t = tokens.access_token("acme");
    REQUIRE_FALSE(t);
    const auto e = t.error().message();
    CHECK(e.find("needs a new login") != std::string::npos);
    CHECK(e.find("run: upstream_api login --tenant acme") != std::string::npos);
    CHECK(e.find("refresh-") == std::string::npos);
    CHECK(as.refreshes == 1);
    // Marked: later calls fail at once, without asking the authorization server again.
    CHECK_FALSE(tokens.access_token("acme"));
    CHECK(as.refreshes == 1);
    CHECK(stored(*store, "acme").needs_login);
    CHECK(stored(*store, "acme").refresh_token.empty());
    CHECK_FALSE(tokens.signed_in("acme").value());
}

TEST_CASE("upstream oauth: an unreachable authorization server", "[upstream][oauth][fault]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    warden::logger log;
    wu::token_manager tokens(settings_for(as), store, warden::credential_set{}, &log);
    as.down = true;
    SECTION("the current token, while it is still valid") {
        signed_in(*store, as, "acme", 120);
        const auto before = stored(*store, "acme").access_token;
        CHECK(tokens.access_token("acme").value() == before);
    }
    SECTION("an error once it has expired, and recovery") {
        signed_in(*store, as, "acme", 2);
        auto t = tokens.access_token("acme");
        REQUIRE_FALSE(t);
        CHECK(t.error().message().find("temporarily_unavailable") != std::string::npos);
        as.down = false;
        CHECK(tokens.access_token("acme"));
    }
}

TEST_CASE("upstream client: a 401 triggers one refresh and one retry", "[upstream][client]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    signed_in(*store, as, "acme", 3600);
    auto tokens = std::make_shared<wu::token_manager>(settings_for(as), store, warden::credential_set{});
    auto api = wu::client::make({.base_url = as.base(), .fetch = {.allow_loopback_http = true}},
                                std::make_shared<wu::oauth_bearer>(tokens));
    REQUIRE(api);
    auto r = api.value().send({.path = "/api/repos"}, "acme");
    REQUIRE(r);
    CHECK(r.value().status == 200);
    CHECK(as.refreshes == 0);

    as.refuse_next_api = true;
    r = api.value().send({.path = "/api/repos"}, "acme");
    REQUIRE(r);
    CHECK(r.value().status == 200);
    CHECK(as.refreshes == 1);
    CHECK(as.api_calls == 3);

    // Refused even after the refresh: the 401 is returned, no loop.
    as.revoke_all();
    r = api.value().send({.path = "/api/repos"}, "acme");
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("needs a new login") != std::string::npos);
    CHECK(as.api_calls == 4);
}

TEST_CASE("upstream client: static credentials, https only, no redirects followed", "[upstream][client]") {
    warden_test::oauth_stub as;
    warden::credential_set creds;
    creds.insert({.name = "PROD_WEATHER_API_KEY"}, "wk_live_0123456789");
    auto key = wu::static_header::from(creds, "PROD_WEATHER_API_KEY", "X-API-Key", "");
    REQUIRE(key);
    CHECK(key.value()->header("t", "").value() == std::pair<std::string, std::string>{"X-API-Key", "wk_live_0123456789"});
    CHECK(wu::static_header::from(creds, "STAGING_WEATHER_API_KEY").error().message() ==
          "STAGING_WEATHER_API_KEY is not set");
    // Plain http to anything but loopback, or without the test allowance, is refused.
    CHECK_FALSE(wu::client::make({.base_url = "http://api.example.com"}, key));
    CHECK_FALSE(wu::client::make({.base_url = as.base()}, key));
    CHECK_FALSE(wu::client::make({.base_url = "https://user:pw@api.example.com"}, key));
    CHECK(wu::client::make({.base_url = "https://api.example.com"}, key));
    auto c = wu::client::make({.base_url = as.base(), .fetch = {.allow_loopback_http = true}}, key).value();
    CHECK_FALSE(c.send({.path = "//evil.example/x"}));
    auto r = c.send({.path = "/api/x"});
    REQUIRE(r);
    CHECK(r.value().status == 401); // a static key is not retried
    CHECK(as.api_calls == 1);
}

TEST_CASE("upstream oauth: redirect URIs are loopback http or https", "[upstream][oauth]") {
    CHECK(wu::check_redirect_uri("http://127.0.0.1:8765/callback"));
    CHECK(wu::check_redirect_uri("http://[::1]:8765/callback"));
    CHECK(wu::check_redirect_uri("https://app.example.com/oauth/callback"));
    CHECK_FALSE(wu::check_redirect_uri("http://app.example.com/callback"));
    CHECK_FALSE(wu::check_redirect_uri("http://localhost:8765/callback")); // a name can resolve elsewhere
    CHECK_FALSE(wu::check_redirect_uri("myapp:/callback"));
}

TEST_CASE("upstream oauth: login with PKCE S256 and state on a loopback listener", "[upstream][oauth][login]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    wu::token_manager tokens(settings_for(as), store, warden::credential_set{});
    std::thread browser;
    std::string shown;
    std::vector<std::pair<unsigned, std::string>> answers;
    auto get = [](const std::string& url) {
        warden::detail::fetch_options o;
        o.allow_loopback_http = true;
        return warden::detail::http_get(url, o);
    };
    auto r = tokens.login("acme", [&](std::string_view url) {
        shown = std::string(url);
        auto u = boost::urls::parse_absolute_uri(url).value();
        std::string redirect, state, challenge, method;
        for (auto p : u.params()) {
            if (p.key == "redirect_uri") redirect = p.value;
            if (p.key == "state") state = p.value;
            if (p.key == "code_challenge") challenge = p.value;
            if (p.key == "code_challenge_method") method = p.value;
        }
        CHECK(method == "S256");
        CHECK(challenge.size() == 43);
        CHECK(state.size() == 43);
        CHECK(redirect.starts_with("http://127.0.0.1:"));
        as.expect_code("the-code", challenge);
        // Catch2 assertions stay on this thread: the browser only records what it saw.
        browser = std::thread([=, &answers] {
            // A forged redirect first: refused, and the login goes on.
            auto forged = get(redirect + "?code=the-code&state=" + std::string(43, 'A'));
            auto other = get(redirect.substr(0, redirect.rfind('/')) + "/other?code=x");
            auto real = get(redirect + "?code=the-code&state=" + state);
            for (auto* a : {&forged, &other, &real})
                answers.emplace_back(*a ? a->value().status : 0u, *a ? a->value().body : a->error().message());
        });
    });
    browser.join();
    REQUIRE(answers.size() == 3);
    CHECK(answers[0].first == 400);
    CHECK(answers[1].first == 404);
    CHECK(answers[2].first == 200);
    CHECK(answers[2].second.find("Signed in") != std::string::npos);
    REQUIRE(r);
    CHECK(shown.starts_with(as.base() + "/authorize?response_type=code&client_id=warden-test"));
    CHECK(as.code_exchanges == 1);
    CHECK(tokens.signed_in("acme").value());
    CHECK(tokens.access_token("acme"));
}

TEST_CASE("upstream oauth: a refresher that died holding the lock delays the refresh until the lock lapses",
          "[upstream][oauth][fault]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    signed_in(*store, as, "acme", 60);
    const auto before = stored(*store, "acme").access_token;
    REQUIRE(store->insert_if_absent("acme", "oauth-refresh-lock/github", "a-crashed-process", 400ms).value());
    auto s = settings_for(as);
    s.refresh_wait = 3s;
    wu::token_manager tokens(s, store, warden::credential_set{});
    const auto t0 = std::chrono::steady_clock::now();
    auto t = tokens.access_token("acme");
    REQUIRE(t);
    CHECK(std::chrono::steady_clock::now() - t0 >= 350ms);
    CHECK(t.value() != before);
    CHECK(as.refreshes == 1);
    // A caller that gives up waiting uses the current token while it is valid.
    std::this_thread::sleep_for(5ms); // the released lock lingers for 1 ms
    REQUIRE(store->insert_if_absent("acme", "oauth-refresh-lock/github", "another", 10s).value());
    signed_in(*store, as, "acme", 60);
    s.refresh_wait = 200ms;
    wu::token_manager impatient(s, store, warden::credential_set{});
    CHECK(impatient.access_token("acme").value() == stored(*store, "acme").access_token);
    CHECK(as.refreshes == 1);
}

TEST_CASE("upstream oauth: settings that cannot work are refused up front", "[upstream][oauth]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    auto s = settings_for(as);
    s.client_secret_variable = "NOTES_CLIENT_SECRET";
    auto missing = wu::token_manager::make(s, store, warden::credential_set{});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message().find("NOTES_CLIENT_SECRET is not loaded") != std::string::npos);
    warden::credential_set creds;
    creds.insert({.name = "NOTES_CLIENT_SECRET"}, "s3cret-value-0123");
    CHECK(wu::token_manager::make(s, store, creds));
    s.refresh_lock_ttl = s.fetch.timeout; // shorter than a refresh may take
    CHECK_FALSE(wu::token_manager::make(s, store, creds));
    s.refresh_lock_ttl = 0ms;
    s.redirect_uri = "http://127.0.0.1/callback";
    auto m = wu::token_manager::make(s, store, creds).value();
    const auto r = m->login("acme", [](std::string_view) {});
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("must name its port") != std::string::npos);
}

TEST_CASE("upstream client: redirects are not followed and bodies are capped", "[upstream][client]") {
    warden_test::oauth_stub as;
    warden::credential_set creds;
    creds.insert({.name = "KEY"}, "k_0123456789abcdef");
    auto c = wu::client::make({.name = "weather", .base_url = as.base(), .fetch = {.allow_loopback_http = true}},
                              wu::static_header::from(creds, "KEY", "X-API-Key", ""))
                 .value();
    auto r = c.send({.path = "/redirect"});
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("upstream weather") != std::string::npos);
    CHECK(r.error().message().find("redirect refused (HTTP 302)") != std::string::npos);
    CHECK(r.error().message().find("k_0123456789abcdef") == std::string::npos);
    auto big = c.send({.path = "/huge"});
    REQUIRE_FALSE(big);
    CHECK(big.error().message().find("larger than") != std::string::npos);
}

TEST_CASE("upstream oauth: DPoP-bound tokens: a refresh proves the stored key and keeps it; API calls carry proofs",
          "[upstream][oauth][dpop]") {
    warden_test::oauth_stub as;
    auto store = std::make_shared<ws::memory_store>();
    auto s = settings_for(as);
    s.dpop = true;
    auto key = warden::crypto::ec_signing_key::generate();
    REQUIRE(key);
    auto t = issued(as, 10); // expires within refresh_ahead: the first use refreshes
    t.dpop_key = key.value().private_jwk();
    REQUIRE(store->put("acme", "oauth/github", t.serialize()));
    auto made = wu::token_manager::make(s, store, {});
    REQUIRE(made);
    auto m = made.value();
    const std::string url = as.base() + "/api/items";
    auto a = m->authorization("acme", "", "GET", url);
    REQUIRE(a);
    CHECK(m->refreshes() == 1);
    REQUIRE(a.value().first.starts_with("DPoP "));
    const std::string token = a.value().first.substr(5);
    const auto jkt = warden::auth::jwk_thumbprint(key.value().public_jwk());
    // The refresh carried a proof for POST to the token endpoint, signed with the stored key.
    const auto& proof = as.last_token_dpop;
    REQUIRE(proof.find('.') != std::string::npos);
    auto header = boost::json::parse(warden::crypto::base64url_decode(proof.substr(0, proof.find('.'))).value()).as_object();
    CHECK(warden::auth::jwk_thumbprint(header.at("jwk").as_object()) == jkt);
    auto claims = boost::json::parse(warden::crypto::base64url_decode(
                                         proof.substr(proof.find('.') + 1, proof.rfind('.') - proof.find('.') - 1)).value())
                      .as_object();
    CHECK(claims.at("htm") == "POST");
    CHECK(claims.at("htu").as_string() == s.token_endpoint);
    // The refreshed set keeps the key its refresh token is bound to.
    CHECK(stored(*store, "acme").dpop_key == t.dpop_key);
    CHECK(stored(*store, "acme").access_token == token);
    // The API proof passes a resource server's checks for this request and this token.
    warden::auth::dpop_expectations want;
    want.method = "GET";
    want.uris = {*warden::auth::dpop_uri(url)};
    want.access_token = token;
    want.now = std::chrono::system_clock::now();
    want.algorithms = {warden::crypto::jws_alg::ES256};
    auto checked = warden::auth::check_dpop_proof(a.value().second, want);
    REQUIRE(std::holds_alternative<warden::auth::dpop_proof>(checked));
    CHECK(std::get<warden::auth::dpop_proof>(checked).jkt == jkt);
    // Through the client: Authorization: DPoP and a proof on the request itself.
    auto c = wu::client::make({.base_url = as.base(), .fetch = s.fetch}, std::make_shared<wu::oauth_bearer>(m));
    REQUIRE(c);
    auto r = c.value().send({.path = "/api/items"}, "acme");
    REQUIRE(r);
    CHECK(r.value().status == 200);
    CHECK(as.last_api_authorization == "DPoP " + token);
    CHECK(!as.last_api_dpop.empty());
    // A token set without a key cannot be used with DPoP: a new login is asked for.
    auto bare = issued(as, 3600);
    REQUIRE(store->put("globex", "oauth/github", bare.serialize()));
    auto refused = m->authorization("globex", "", "GET", url);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message(), Catch::Contains("no DPoP key"));
}
