// Brute-force defence, the audit log and the metrics endpoint: the limiter on its own (a
// clock of our own), then through a running HTTP server.
#include <warden/auth/any_of.hpp>
#include <warden/auth/api_key.hpp>
#include <warden/auth/basic.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/metrics.hpp>
#include <warden/transport/streamable_http.hpp>

#include "auth_support.hpp"
#include "broken_store.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
namespace w = warden;

namespace {

using warden::test::broken_store;

struct fake_clock {
    std::int64_t now = 1'800'000'000'000;
    w::auth::failure_limiter::clock_fn fn() {
        return [this] { return now; };
    }
};

w::failure_limit_settings limits(unsigned per_address, unsigned per_credential) {
    w::failure_limit_settings s;
    s.per_address = per_address;
    s.address_refill = 1000ms;
    s.per_credential = per_credential;
    s.credential_refill = 10'000ms;
    return s;
}

/// Series of a Prometheus text exposition: "name{labels}" -> value. Checks the format on
/// the way: every sample belongs to a family announced by # TYPE.
std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, double> out;
    std::set<std::string> typed;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line.starts_with("# TYPE ")) {
            std::istringstream t(line.substr(7));
            std::string name, type;
            t >> name >> type;
            REQUIRE((type == "counter" || type == "gauge" || type == "histogram"));
            typed.insert(name);
            continue;
        }
        if (line.starts_with("# HELP ")) continue;
        REQUIRE(line.front() != '#');
        const auto space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        const std::string series = line.substr(0, space);
        const std::string name = series.substr(0, series.find('{'));
        std::string family = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (!typed.contains(family) && family.ends_with(suffix))
                family = family.substr(0, family.size() - std::string_view(suffix).size());
        INFO(line);
        REQUIRE(typed.contains(family));
        out[series] = std::stod(line.substr(space + 1));
    }
    return out;
}

const std::string initialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
const std::string good_token = "good-0123456789abcdef0123";

using bearer_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>,
                                           w::credentials::literal, w::auth::bearer, w::storage::memory,
                                           w::profile::test>;

w::settings bearer_settings() {
    w::settings s;
    s.log_threshold = w::log_level::error;
    s.http.port = 0;
    s.http.io_threads = 1;
    s.worker_threads = 2;
    s.literal_credentials = {{"MCP_TOKEN", good_token}};
    s.auth.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}, .scopes = {"read"}}};
    s.auth.failures = limits(3, 100);
    s.auth.failures.address_refill = 60'000ms; // nothing refills during the test
    return s;
}

std::string bearer(const std::string& t) { return "Authorization: Bearer " + t + "\r\n"; }

/// POSTs `body` with `headers` to the server on `port`.
test::reply send_to(std::uint16_t port, const std::string& body, const std::string& headers) {
    return test::exchange(port, test::with_port(test::post(body, headers), port));
}

/// One initialize refused (a wrong token), then a session: the headers its requests carry.
std::string refused_then_session(std::uint16_t port) {
    CHECK(send_to(port, initialize, bearer("wrong-0123456789abcdef")).status == 401);
    auto init = send_to(port, initialize, bearer(good_token));
    REQUIRE(init.status == 200);
    return "Mcp-Session-Id: " + std::string(init.message["Mcp-Session-Id"]) +
           "\r\nMCP-Protocol-Version: 2025-11-25\r\n" + bearer(good_token);
}

} // namespace

TEST_CASE("failure limits: a bucket per address lets a burst through, then one per interval", "[ops][limits]") {
    fake_clock clock;
    w::auth::failure_limiter l(std::make_shared<w::storage::memory_store>(), limits(3, 100), clock.fn());
    for (int i = 0; i < 3; ++i) {
        auto c = l.check("198.51.100.7", "");
        REQUIRE(c);
        CHECK_FALSE(c.value().limited());
        REQUIRE(l.record_failure("198.51.100.7", ""));
    }
    auto c = l.check("198.51.100.7", "");
    REQUIRE(c);
    REQUIRE(c.value().limited());
    CHECK(c.value().by == "address");
    CHECK(c.value().retry_after == 1000ms);
    // Another address is not affected.
    CHECK_FALSE(l.check("198.51.100.8", "").value().limited());
    // One interval later, one more failure fits; the bucket is full again after three.
    clock.now += 1000;
    CHECK_FALSE(l.check("198.51.100.7", "").value().limited());
    REQUIRE(l.record_failure("198.51.100.7", ""));
    CHECK(l.check("198.51.100.7", "").value().limited());
    clock.now += 3000;
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(l.check("198.51.100.7", "").value().limited());
        REQUIRE(l.record_failure("198.51.100.7", ""));
    }
    CHECK(l.check("198.51.100.7", "").value().limited());
    // Turned off: never limited, nothing stored.
    auto off = limits(3, 100);
    off.enabled = false;
    w::auth::failure_limiter none(std::make_shared<w::storage::memory_store>(), off, clock.fn());
    for (int i = 0; i < 10; ++i) REQUIRE(none.record_failure("198.51.100.7", "x"));
    CHECK_FALSE(none.check("198.51.100.7", "x").value().limited());
}

TEST_CASE("failure limits: a credential's bucket stops a spread attack, never its owner's usual address",
          "[ops][limits]") {
    fake_clock clock;
    w::auth::failure_limiter l(std::make_shared<w::storage::memory_store>(), limits(100, 2), clock.fn());
    const std::string alice = "c0ffee"; // a credential bucket, as presented<A>() names it
    // Alice has worked from 192.0.2.50 before.
    REQUIRE(l.record_success("192.0.2.50", alice));
    REQUIRE(l.record_failure("203.0.113.1", alice));
    REQUIRE(l.record_failure("203.0.113.2", alice));
    // Alice's bucket is empty: it refuses the attacking addresses...
    for (const char* a : {"203.0.113.1", "203.0.113.2"}) {
        auto c = l.check(a, alice);
        REQUIRE(c);
        CHECK(c.value().limited());
        CHECK(c.value().by == "credential");
    }
    // ...and every other address that never authenticated as alice, however clean: one
    // guess each from many addresses (a /48 holds 65,536 /64 buckets) is no way around it.
    for (const char* a : {"198.51.100.1", "2001:db8:0:1::1", "2001:db8:0:2::1"}) {
        INFO(a);
        CHECK(l.check(a, alice).value().limited());
    }
    // Another credential from the same address is fine (its address bucket has room).
    CHECK_FALSE(l.check("203.0.113.1", "beef").value().limited());
    // Alice herself, from where she has authenticated before, is still verified.
    CHECK_FALSE(l.check("192.0.2.50", alice).value().limited());
    // The bucket refills: 2 intervals later there is room again.
    clock.now += 20'000;
    CHECK_FALSE(l.check("203.0.113.1", alice).value().limited());
}

TEST_CASE("failure limits: a success marker is written once per half its lifetime", "[ops][limits]") {
    fake_clock clock;
    auto store = std::make_shared<w::storage::memory_store>();
    auto s = limits(100, 2);
    s.remember_success = std::chrono::hours(2);
    w::auth::failure_limiter l(store, s, clock.fn());
    using L = w::auth::failure_limiter;
    const std::string marker = "s:192.0.2.50|c0ffee";
    const auto marked = [&] { return store->get(L::ns, marker).value().has_value(); };
    REQUIRE(l.record_success("192.0.2.50", "c0ffee"));
    CHECK(marked());
    REQUIRE(store->erase(L::ns, marker));
    for (int i = 0; i < 10; ++i) REQUIRE(l.record_success("192.0.2.50", "c0ffee"));
    CHECK_FALSE(marked()); // remembered in the process: no store write per successful request
    clock.now += 3'600'000; // half its lifetime later: written again
    REQUIRE(l.record_success("192.0.2.50", "c0ffee"));
    CHECK(marked());
    // Nothing to remember without a credential.
    REQUIRE(l.record_success("192.0.2.51", ""));
    CHECK_FALSE(store->get(L::ns, "s:192.0.2.51|").value());
}

TEST_CASE("failure limits: IPv6 clients share a bucket per /64; mapped IPv4 is IPv4", "[ops][limits]") {
    using L = w::auth::failure_limiter;
    CHECK(L::address_bucket("2001:db8:1:2:aaaa::1") == L::address_bucket("2001:db8:1:2:bbbb:cccc:dddd:eeee"));
    CHECK(L::address_bucket("2001:db8:1:2::1") != L::address_bucket("2001:db8:1:3::1"));
    CHECK(L::address_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64");
    CHECK(L::address_bucket("2001:db8:1:2::1", 48) == L::address_bucket("2001:db8:1:3::1", 48));
    CHECK(L::address_bucket("::ffff:192.0.2.1") == "192.0.2.1");
    CHECK(L::address_bucket("192.0.2.1") == "192.0.2.1");
    // The same address asked again with another prefix (the last answer is remembered).
    CHECK(L::address_bucket("2001:db8:1:2::1", 48) == "2001:db8:1::/48");
    CHECK(L::address_bucket("2001:db8:1:2::1", 48) == "2001:db8:1::/48");
    CHECK(L::address_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64");
    CHECK(L::address_bucket("2001:db8:1:2::2") == "2001:db8:1:2::/64");

    fake_clock clock;
    L l(std::make_shared<w::storage::memory_store>(), limits(2, 100), clock.fn());
    REQUIRE(l.record_failure("2001:db8:1:2::1", ""));
    REQUIRE(l.record_failure("2001:db8:1:2::ffff", ""));
    CHECK(l.check("2001:db8:1:2:1234::9", "").value().limited());
    CHECK_FALSE(l.check("2001:db8:1:3::1", "").value().limited());
}

TEST_CASE("failure limits: a store that cannot answer is an error, never a pass", "[ops][limits]") {
    w::auth::failure_limiter l(std::make_shared<broken_store>(), limits(3, 3));
    CHECK_FALSE(l.check("198.51.100.7", "x"));
    CHECK_FALSE(l.record_failure("198.51.100.7", "x"));
}

TEST_CASE("failure limits: what a request presents is named by a digest of its identifier", "[ops][limits]") {
    using any = w::auth::any_of<w::auth::bearer, w::auth::api_key<"X-API-Key">>;
    auto of = [](std::initializer_list<std::pair<std::string, std::string>> h) {
        return w::auth::presented<any>(test::request(h).view());
    };
    const auto none = of({});
    CHECK(none.scheme == "none");
    CHECK(none.bucket.empty());
    const auto t1 = of({{"Authorization", "Bearer token-one-0123456789"}});
    const auto t2 = of({{"Authorization", "Bearer token-two-0123456789"}});
    CHECK(t1.scheme == "bearer");
    CHECK(t1.bucket.size() == 32);
    CHECK(t1.bucket != t2.bucket);
    CHECK(t1.bucket.find("token") == std::string::npos);
    CHECK(of({{"Authorization", "Bearer token-one-0123456789"}}).bucket == t1.bucket);
    {
        // A whole token: its digest is handed on to the scheme, with where the token lies.
        test::request r({{"Authorization", "bEaReR   token-one-0123456789"}});
        const auto v = r.view();
        const auto p = w::auth::presented<any>(v);
        CHECK(p.bucket == t1.bucket);
        CHECK(p.digest.token == "token-one-0123456789");
        CHECK(p.digest.token.data() == v.headers->find("Authorization")->value().end() - p.digest.token.size());
        CHECK(p.digest.sha256 == w::crypto::sha256(std::string_view("bearer:token-one-0123456789")));
        CHECK(w::auth::token_digest({}, "bearer", "token-one-0123456789") == p.digest.sha256);
    }
    // Basic: the user names the bucket, whatever password is tried.
    const auto a1 = of({{"Authorization", "Basic " + w::crypto::base64_encode(std::string_view("alice:guess1"))}});
    const auto a2 = of({{"Authorization", "Basic " + w::crypto::base64_encode(std::string_view("alice:guess2"))}});
    const auto b1 = of({{"Authorization", "Basic " + w::crypto::base64_encode(std::string_view("bob:guess1"))}});
    CHECK(a1.scheme == "basic");
    CHECK(a1.bucket == a2.bucket);
    CHECK(a1.bucket != b1.bucket);
    // HMAC: the key id, whatever the signature.
    const auto h1 = of({{"Authorization", R"(HMAC-SHA256 keyId="k1", ts="1", nonce="a", signature="00")"}});
    const auto h2 = of({{"Authorization", R"(HMAC-SHA256 keyId="k1", ts="2", nonce="b", signature="11")"}});
    CHECK(h1.scheme == "hmac-sha256");
    CHECK(h1.bucket == h2.bucket);
    CHECK(a1.digest.token.empty()); // an identifier, not a whole token: nothing to hand on
    CHECK(h1.digest.token.empty());
    CHECK(none.digest.token.empty());
    // A key in a header of its own.
    const auto k = of({{"X-API-Key", "key-0123456789"}});
    CHECK(k.scheme == "api_key");
    CHECK(k.bucket.size() == 32);
    // A scheme word that is not one keeps labels tidy.
    CHECK(of({{"Authorization", "Weird\"{} x"}}).scheme == "other");
}

TEST_CASE("brute-force defence over HTTP: 429 with Retry-After before verification, other addresses unaffected",
          "[ops][limits][http]") {
    w::server<bearer_server> server{{.name = "t", .version = "1"}, bearer_settings()};
    server.tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("r"); });
    test::running run(server);
    const auto port = run.port();
    auto send = [&](const std::string& headers, const char* from = nullptr) {
        return test::exchange(port, test::with_port(test::post(initialize, headers), port), 0ms, from);
    };
    const auto before = w::metrics::global().rate_limited.with({"address"}).value();
    // Requests without credentials are not failures (an OAuth client's first request).
    for (int i = 0; i < 5; ++i) CHECK(send("").status == 401);
    for (int i = 0; i < 3; ++i) {
        auto r = send(bearer("guess-" + std::to_string(i) + "-0123456789abcdef"));
        CHECK(r.status == 401);
        CHECK(r.message["X-Request-Id"].size() > 0);
    }
    auto limited = send(bearer("guess-9-0123456789abcdef"));
    CHECK(limited.status == 429);
    CHECK(limited.message[boost::beast::http::field::retry_after] == "60");
    CHECK(limited.message[boost::beast::http::field::www_authenticate].empty());
    auto body = boost::json::parse(limited.message.body()).as_object();
    CHECK(body.at("error") == "too_many_requests");
    // The attacker's address is refused even with the right token: nothing is verified.
    CHECK(send(bearer(good_token)).status == 429);
    // Another client (127.0.0.2) is served as usual.
    CHECK(send(bearer(good_token), "127.0.0.2").status == 200);
    CHECK(send(bearer("guess-0123456789abcdef"), "127.0.0.2").status == 401);
    CHECK(w::metrics::global().rate_limited.with({"address"}).value() >= before + 2);
}

// A storage policy shared across instances whose store is down (Redis unreachable).
struct unreachable_shared {
    static constexpr bool durable = true;
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = true;
    using store_type = broken_store;
};

TEST_CASE("brute-force defence: buckets in a shared store that cannot answer fail closed with 503",
          "[ops][limits][http]") {
    using shared_server = w::server_definition<w::transport::streamable_http<w::transport::loopback>,
                                               w::credentials::literal, w::auth::bearer, unreachable_shared,
                                               w::profile::test>;
    w::server<shared_server> server{{.name = "t", .version = "1"}, bearer_settings()};
    test::running run(server);
    const auto port = run.port();
    auto r = test::exchange(port, test::with_port(test::post(initialize, bearer(good_token)), port));
    CHECK(r.status == 503);
    CHECK(r.message[boost::beast::http::field::retry_after] == "1");
    CHECK(boost::json::parse(r.message.body()).as_object().at("error") == "temporarily_unavailable");
    CHECK(r.message.body().find("connection refused") == std::string::npos); // the log says why, not the client
    // Turned off, the limiter asks nothing of the store.
    auto s = bearer_settings();
    s.auth.failures.enabled = false;
    w::server<shared_server> open{{.name = "t", .version = "1"}, std::move(s)};
    test::running run2(open);
    const auto port2 = run2.port();
    CHECK(test::exchange(port2, test::with_port(test::post(initialize, bearer(good_token)), port2)).status == 200);
}

namespace {

/// The audit lines of one session: a refused initialize, then initialize, the initialized
/// notification, and three calls: "reader" (worker pool) and "quick" (inline) allowed,
/// "writer" refused for its scope. Also the text, to look for the tokens in.
std::vector<boost::json::object> audited_session(bool one_line_per_allowed_call, std::string* text = nullptr) {
    warden_test::temp_dir dir;
    const std::string file = dir / "audit.log";
    {
        auto s = bearer_settings();
        s.audit.enabled = true;
        s.audit.file = file;
        s.audit.one_line_per_allowed_call = one_line_per_allowed_call;
        s.auth.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}, .scopes = {"read"}}};
        w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
        server.tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("r"); });
        server.tool(w::tool_spec{.name = "quick", .scopes = {"read"}, .run_inline = true},
                    [](w::call_context&) { return w::tool_result::text("q"); });
        server.tool(w::tool_spec{.name = "writer", .scopes = {"write"}}, [](w::call_context&) { return w::tool_result::text("w"); });
        test::running run(server);
        const auto port = run.port();
        auto send = [&](const std::string& body, const std::string& headers) { return send_to(port, body, headers); };
        const std::string h = refused_then_session(port);
        CHECK(send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h).status == 202);
        CHECK(send(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"reader"}})", h).status == 200);
        CHECK(send(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"quick"}})", h).status == 200);
        CHECK(send(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"writer"}})", h).status == 403);
    } // the server is gone: its audit log is flushed and closed
    std::ifstream in(file);
    std::vector<boost::json::object> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (text) *text += line + "\n";
        lines.push_back(boost::json::parse(line).as_object());
    }
    return lines;
}

} // namespace

TEST_CASE("audit log: one JSON line per decision, with a digest of the credential and never the credential",
          "[ops][audit][http]") {
    std::string text;
    const auto lines = audited_session(false, &text);
    CHECK(text.find(good_token) == std::string::npos);
    CHECK(text.find("wrong-0123456789abcdef") == std::string::npos);
    // Six authentications (one refused); two calls authorized, the writer's refused.
    REQUIRE(lines.size() == 9);
    const auto& denied = lines[0];
    CHECK(denied.at("event") == "authentication");
    CHECK(denied.at("decision") == "deny");
    CHECK(denied.at("reason") == "invalid_token");
    CHECK(denied.at("status") == 401);
    CHECK(denied.at("scheme") == "bearer");
    CHECK(denied.at("address") == "127.0.0.1");
    CHECK(denied.at("http") == "POST /mcp");
    CHECK(denied.at("credential").as_string().starts_with("fp:"));
    CHECK(denied.at("time").as_string().ends_with("Z"));
    CHECK_FALSE(denied.contains("subject"));
    const auto& allowed = lines[1];
    CHECK(allowed.at("decision") == "allow");
    CHECK(allowed.at("subject") == "ci");
    CHECK(allowed.at("credential") != denied.at("credential"));
    CHECK(lines[2].at("credential") == allowed.at("credential")); // the same token, the same digest
    CHECK(allowed.at("request_id") != lines[2].at("request_id"));
    const auto& reader = lines[4];
    CHECK(reader.at("event") == "authorization");
    CHECK(reader.at("decision") == "allow");
    CHECK(reader.at("tool") == "reader");
    CHECK(reader.at("rpc_id") == 7);
    CHECK(reader.at("subject") == "ci");
    CHECK(reader.at("request_id") == lines[3].at("request_id")); // the HTTP request that carried the call
    CHECK(lines[6].at("tool") == "quick");
    CHECK(lines[7].at("event") == "authentication");
    const auto& writer = lines[8];
    CHECK(writer.at("event") == "authorization");
    CHECK(writer.at("decision") == "deny");
    CHECK(writer.at("reason") == "insufficient_scope");
    CHECK(writer.at("tool") == "writer");
    CHECK(writer.at("status") == 403);
}

TEST_CASE("audit log: one_line_per_allowed_call gives an allowed tools/call one line over HTTP", "[ops][audit][http]") {
    const auto lines = audited_session(true);
    // Refused; initialize and the notification (no call: alone); two calls (one line
    // each, whether the tool ran on the worker pool or inline); the writer: its
    // authentication, then the refused authorization.
    REQUIRE(lines.size() == 7);
    CHECK(lines[0].at("decision") == "deny");
    CHECK(lines[1].at("event") == "authentication");
    CHECK(lines[2].at("event") == "authentication");
    for (int i : {3, 4}) {
        INFO("line " << i);
        CHECK(lines[i].at("event") == "call");
        CHECK(lines[i].at("decision") == "allow");
        CHECK(lines[i].at("subject") == "ci");
        CHECK(lines[i].at("http") == "POST /mcp");
        CHECK(lines[i].at("credential") == lines[1].at("credential"));
        CHECK(lines[i].at("request_id") != lines[1].at("request_id"));
    }
    CHECK(lines[3].at("tool") == "reader");
    CHECK(lines[3].at("rpc_id") == 7);
    CHECK(lines[4].at("tool") == "quick");
    CHECK(lines[5].at("event") == "authentication");
    CHECK(lines[6].at("event") == "authorization");
    CHECK(lines[6].at("decision") == "deny");
    CHECK(lines[6].at("request_id") == lines[5].at("request_id"));
}

TEST_CASE("audit log: whatever a value holds, each decision is one line of JSON", "[ops][audit]") {
    warden_test::temp_dir dir;
    const std::string file = dir / "audit.log";
    const w::principal who{.subject = "ev\"il\n{\"decision\":\"allow\"}\\", .tenant = std::string("t\x01\x7f", 3)};
    const boost::json::value id = "req-\"1\"";
    {
        auto log = w::audit_log::open({.enabled = true, .file = file}, false).value();
        log->record({.event = "authorization", .decision = "deny", .reason = "insufficient_scope", .status = 403,
                     .scheme = "bearer", .who = &who, .tool = "t\r\nx", .rpc_id = &id, .address = "2001:db8::1"});
    }
    std::ifstream in(file);
    std::string line, more;
    REQUIRE(std::getline(in, line));
    CHECK_FALSE(std::getline(in, more));
    const auto o = boost::json::parse(line).as_object();
    CHECK(o.at("subject").as_string() == who.subject);
    CHECK(o.at("tenant").as_string() == who.tenant);
    CHECK(o.at("tool") == "t\r\nx");
    CHECK(o.at("decision") == "deny");
    CHECK(o.at("rpc_id") == id);
    CHECK(o.at("status") == 403);
    CHECK_FALSE(o.contains("client")); // empty values are left out
}

TEST_CASE("audit log: on by default in production, off in development and test", "[ops][audit]") {
    STATIC_REQUIRE(w::profile::audits_by_default<w::profile::production>);
    STATIC_REQUIRE(w::profile::audits_by_default<w::profile::replicated<>>);
    STATIC_REQUIRE_FALSE(w::profile::audits_by_default<w::profile::development>);
    STATIC_REQUIRE_FALSE(w::profile::audits_by_default<w::profile::test>);
    CHECK(w::audit_log::open({}, true).value() != nullptr);
    CHECK(w::audit_log::open({}, false).value() == nullptr);
    CHECK(w::audit_log::open({.enabled = false}, true).value() == nullptr);
    // A file that cannot be opened stops the server instead of auditing nothing.
    auto bad = w::audit_log::open({.enabled = true, .file = "/nonexistent-dir/audit.log"}, false);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message().find("/nonexistent-dir/audit.log") != std::string::npos);
}

TEST_CASE("metrics: the exposition parses, and a scrape of the listener counts what happened", "[ops][metrics][http]") {
    auto s = bearer_settings();
    s.http.metrics_port = 0;
    w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
    server.tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("r"); });
    test::running run(server);
    const auto port = run.port();
    for (int i = 0; i < 200 && server.metrics_port() == 0; ++i) std::this_thread::sleep_for(10ms);
    const auto mport = server.metrics_port();
    REQUIRE(mport != 0);
    REQUIRE(mport != port);
    auto scrape = [&] {
        auto r = test::exchange(mport, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        REQUIRE(r.status == 200);
        CHECK(r.message[boost::beast::http::field::content_type].starts_with("text/plain; version=0.0.4"));
        return parse_exposition(r.message.body());
    };
    const auto before = scrape();
    auto value = [](const std::map<std::string, double>& m, const std::string& k) {
        auto it = m.find(k);
        return it == m.end() ? 0.0 : it->second;
    };
    auto send = [&](const std::string& body, const std::string& headers) { return send_to(port, body, headers); };
    const std::string h = refused_then_session(port);
    for (int i = 0; i < 3; ++i)
        CHECK(send(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"reader"}})", h).status == 200);
    CHECK(send(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"made-up"}})", h).status == 200);
    const auto after = scrape();

    const std::string deny = R"(warden_auth_decisions_total{scheme="bearer",decision="deny",reason="invalid_token"})";
    const std::string allow = R"(warden_auth_decisions_total{scheme="bearer",decision="allow",reason="ok"})";
    CHECK(value(after, deny) - value(before, deny) == 1);
    CHECK(value(after, allow) - value(before, allow) == 5);
    const std::string calls = R"(warden_requests_total{method="tools/call",tool="reader",outcome="ok"})";
    CHECK(value(after, calls) - value(before, calls) == 3);
    // A tool name the client made up is no label.
    for (const auto& [k, v] : after) CHECK(k.find("made-up") == std::string::npos);
    const std::string count = R"(warden_request_duration_seconds_count{method="tools/call",tool="reader"})";
    const std::string inf = R"(warden_request_duration_seconds_bucket{method="tools/call",tool="reader",le="+Inf"})";
    CHECK(value(after, count) - value(before, count) == 3);
    CHECK(value(after, inf) == value(after, count));
    CHECK(value(after, "warden_sessions") >= 1);
    CHECK(after.contains("warden_streams"));
    CHECK(value(after, R"(warden_authorization_decisions_total{decision="allow",reason="ok"})") >= 3);

    // Only /metrics, only GET; the MCP port does not serve it.
    CHECK(test::exchange(mport, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n").status == 404);
    CHECK(test::exchange(mport, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status == 405);
    CHECK(test::exchange(port, test::with_port("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n", port)).status ==
          404);
}

TEST_CASE("metrics: the listener refuses an address beyond loopback", "[ops][metrics][http]") {
    auto s = bearer_settings();
    s.http.metrics_port = 0;
    s.http.metrics_address = "0.0.0.0";
    w::server<bearer_server> server{{.name = "t", .version = "1"}, std::move(s)};
    CHECK(server.run() == w::exit_config_error);
}

TEST_CASE("metrics: families with the same label values keep their own series", "[ops][metrics]") {
    w::metrics::family<w::metrics::counter> a{"t_a_total", "test", {"x"}};
    w::metrics::family<w::metrics::counter> b{"t_b_total", "test", {"x"}};
    for (int i = 0; i < 3; ++i) {
        a.with({"v"}).inc();
        b.with({"v"}).inc(10);
        a.with({"w"}).inc(100);
    }
    CHECK(a.with({"v"}).value() == 3);
    CHECK(b.with({"v"}).value() == 30);
    CHECK(a.with({"w"}).value() == 300);
    CHECK(b.with({"w"}).value() == 0);
    {
        w::metrics::family<w::metrics::counter> gone{"t_gone_total", "test", {"x"}};
        gone.with({"v"}).inc(7);
    }
    w::metrics::family<w::metrics::counter> fresh{"t_fresh_total", "test", {"x"}}; // perhaps where `gone` was
    CHECK(fresh.with({"v"}).value() == 0);
}

TEST_CASE("failure limits: limiters sharing one memory store see each other's failures", "[ops][limits]") {
    // Two servers of one process may share a store: the second must not skip reading the
    // buckets the first filled. (A clock later than any other test's: no failure recorded
    // before counts, so the second limiter starts on its no-read path.)
    fake_clock clock{.now = 4'000'000'000'000};
    auto store = std::make_shared<w::storage::memory_store>();
    w::auth::failure_limiter first(store, limits(3, 100), clock.fn());
    w::auth::failure_limiter second(store, limits(3, 100), clock.fn());
    CHECK_FALSE(second.check("198.51.100.9", "").value().limited());
    for (int i = 0; i < 3; ++i) REQUIRE(first.record_failure("198.51.100.9", ""));
    const auto c = second.check("198.51.100.9", "");
    REQUIRE(c);
    CHECK(c.value().limited());
    CHECK(c.value().by == "address");
}

TEST_CASE("metrics: histogram buckets are cumulative and label values are escaped", "[ops][metrics]") {
    w::metrics::family<w::metrics::histogram> h{"t_seconds", "test", {"method"}};
    h.with({"a\"b\\c\nd"}).observe(0.0003);
    h.with({"a\"b\\c\nd"}).observe(2);
    std::string out;
    h.render(out);
    CHECK(out.find(R"(t_seconds_bucket{method="a\"b\\c\nd",le="0.0001"} 0)") != std::string::npos);
    CHECK(out.find(R"(t_seconds_bucket{method="a\"b\\c\nd",le="0.0005"} 1)") != std::string::npos);
    CHECK(out.find(R"(t_seconds_bucket{method="a\"b\\c\nd",le="10"} 2)") != std::string::npos);
    CHECK(out.find(R"(t_seconds_bucket{method="a\"b\\c\nd",le="+Inf"} 2)") != std::string::npos);
    CHECK(out.find(R"(t_seconds_count{method="a\"b\\c\nd"} 2)") != std::string::npos);
    const auto parsed = parse_exposition(out);
    CHECK(parsed.size() == 17);
}

TEST_CASE("faults: clients that vanish mid-stream: every handler ends, every stream closes, the server serves on",
          "[ops][faults][http]") {
    w::server<bearer_server> server{{.name = "t", .version = "1"}, bearer_settings()};
    std::atomic<int> finished{0};
    server.tool(w::tool_spec{.name = "ticker", .scopes = {"read"}}, [&finished](w::call_context& ctx) {
        for (int i = 0; i < 10 && !ctx.cancelled(); ++i) {
            ctx.log(w::log_level::info, boost::json::string("tick " + std::to_string(i)));
            std::this_thread::sleep_for(10ms);
        }
        ++finished;
        return w::tool_result::text("done");
    });
    server.tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("r"); });
    test::running run(server);
    const auto port = run.port();
    auto init = send_to(port, initialize, bearer(good_token));
    REQUIRE(init.status == 200);
    const std::string h = "Mcp-Session-Id: " + std::string(init.message["Mcp-Session-Id"]) +
                          "\r\nMCP-Protocol-Version: 2025-11-25\r\n" + bearer(good_token);
    REQUIRE(send_to(port, R"({"jsonrpc":"2.0","method":"logging/setLevel","id":0,"params":{"level":"info"}})", h).status ==
            200);
    auto& streams = w::metrics::global().streams.with({});
    const auto sessions_before = w::metrics::global().sessions.with({}).value();
    const auto streams_before = streams.value();

    // 16 calls whose clients read the first event and vanish: half close, half reset.
    constexpr int drops = 16;
    for (int i = 0; i < drops; ++i) {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        const std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(100 + i) +
                                 R"(,"method":"tools/call","params":{"name":"ticker"}})";
        boost::asio::write(socket, boost::asio::buffer(test::with_port(test::post(body, h), port)));
        std::string seen;
        char buf[4096];
        while (seen.find("tick 0") == std::string::npos) {
            boost::system::error_code ec;
            const auto n = socket.read_some(boost::asio::buffer(buf), ec);
            REQUIRE_FALSE(ec);
            seen.append(buf, n);
        }
        CHECK(seen.find("text/event-stream") != std::string::npos);
        if (i % 2) socket.set_option(boost::asio::socket_base::linger(true, 0)); // RST instead of FIN
        socket.close();
    }
    // Every handler runs to its end (a dropped stream is no cancellation: the client may
    // resume it), and every stream the server held is closed.
    for (int i = 0; i < 1000 && (finished < drops || streams.value() != streams_before); ++i) std::this_thread::sleep_for(10ms);
    CHECK(finished == drops);
    CHECK(streams.value() == streams_before);
    // The session and the server serve on.
    auto after = send_to(port, R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"reader"}})", h);
    CHECK(after.status == 200);
    CHECK(after.message.body().find(R"("text":"r")") != std::string::npos);
    CHECK(send_to(port, initialize, bearer(good_token)).status == 200);
    CHECK(w::metrics::global().sessions.with({}).value() == sessions_before + 1);
}

TEST_CASE("instances: session ids name their instance, another instance's session is 404, a bad name stops start-up",
          "[ops][http]") {
    auto named = [](std::string instance) {
        auto s = bearer_settings();
        s.http.instance = std::move(instance);
        return s;
    };
    w::server<bearer_server> a{{.name = "t", .version = "1"}, named("a")};
    w::server<bearer_server> b{{.name = "t", .version = "1"}, named("b")};
    for (auto* s : {&a, &b})
        s->tool(w::tool_spec{.name = "reader", .scopes = {"read"}}, [](w::call_context&) { return w::tool_result::text("r"); });
    test::running run_a(a), run_b(b);
    auto init = send_to(run_a.port(), initialize, bearer(good_token));
    REQUIRE(init.status == 200);
    const std::string id(init.message["Mcp-Session-Id"]);
    CHECK(id.starts_with("a."));
    const std::string h = "Mcp-Session-Id: " + id + "\r\nMCP-Protocol-Version: 2025-11-25\r\n" + bearer(good_token);
    const std::string call = R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"reader"}})";
    CHECK(send_to(run_a.port(), call, h).status == 200);
    auto elsewhere = send_to(run_b.port(), call, h);
    CHECK(elsewhere.status == 404);
    CHECK(elsewhere.message.body().find("session not found") != std::string::npos);
    CHECK(elsewhere.message.body().find("\"result\"") == std::string::npos);
    CHECK(send_to(run_a.port(), call, h).status == 200); // and A still serves it

    for (const char* bad : {"a.b", "with space", "x\n", "0123456789abcdef0123456789abcdef0"}) {
        w::server<bearer_server> server{{.name = "t", .version = "1"}, named(bad)};
        CHECK(server.run() == w::exit_config_error);
    }
}
