#include <warden/transport/http/gate.hpp>

#include <warden/storage/memory.hpp>

#include <boost/json/serialize.hpp>

#include "broken_store.hpp"

#include <catch2/catch.hpp>

// The gate decision and its refusal, without a socket: the order of the brute-force
// buckets and the scheme, what fills a bucket, and what a refused client is told.
namespace w = warden;
namespace td = warden::transport::detail;
using namespace std::chrono_literals;

namespace {

/// A scheme that answers what it is told and counts how often it is asked.
class scripted_gate final : public td::http_gate {
public:
    mutable int asked = 0;
    w::gate_result answer = w::principal{};

    w::auth::presented_credential presented(const w::http_request_view&) const override { return {}; }
    w::gate_result authenticate(const w::http_request_view&) const override {
        ++asked;
        return answer;
    }
    bool may_block() const override { return false; }
    bool is_metadata_path(std::string_view) const override { return false; }
    boost::json::object resource_metadata(const std::vector<std::string>&) const override { return {}; }
    std::optional<std::string> step_up(std::string_view, std::string_view) const override { return std::nullopt; }
    void stop_background() const override {}
};

w::failure_limit_settings two_failures() {
    w::failure_limit_settings s;
    s.per_address = 2;
    s.address_refill = 60s;
    s.per_credential = 100;
    return s;
}

w::challenge bad_token() {
    return w::challenge{401, R"(Bearer realm="mcp", error="invalid_token")", "invalid_token", "the token is not valid",
                        "signature does not verify with key k1"};
}

} // namespace

TEST_CASE("gate: a caller the scheme lets in is not refused and fills no bucket", "[gate]") {
    scripted_gate scheme;
    w::auth::failure_limiter limiter(std::make_shared<w::storage::memory_store>(), two_failures());
    w::http_request_view view{.remote_address = "198.51.100.7"};
    for (int i = 0; i < 5; ++i) {
        auto d = td::decide_gate(scheme, limiter, view, "bucket-of-token");
        REQUIRE(d.gate);
        CHECK(std::holds_alternative<w::principal>(*d.gate));
        CHECK_FALSE(td::refusal_of(d));
    }
    CHECK(scheme.asked == 5);
}

TEST_CASE("gate: failures fill the address bucket, then the scheme is not asked at all", "[gate]") {
    scripted_gate scheme;
    scheme.answer = bad_token();
    w::auth::failure_limiter limiter(std::make_shared<w::storage::memory_store>(), two_failures());
    w::http_request_view view{.remote_address = "198.51.100.7"};
    for (int i = 0; i < 2; ++i) {
        auto d = td::decide_gate(scheme, limiter, view, "bucket-of-token");
        auto r = td::refusal_of(d);
        REQUIRE(r);
        CHECK(r->status == 401);
        CHECK(r->reason == "invalid_token");
        CHECK(r->www_authenticate == R"(Bearer realm="mcp", error="invalid_token")");
        CHECK(r->body == boost::json::object{{"error", "invalid_token"}, {"error_description", "the token is not valid"}});
        CHECK_FALSE(r->retry_after);
    }
    CHECK(scheme.asked == 2);
    auto d = td::decide_gate(scheme, limiter, view, "bucket-of-token");
    CHECK(scheme.asked == 2); // a limited caller never reaches verification
    CHECK_FALSE(d.gate);
    CHECK(d.limit.by == "address");
    auto r = td::refusal_of(d);
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(r->reason == "rate_limited");
    CHECK(r->body.at("error") == "too_many_requests");
    REQUIRE(r->retry_after);
    CHECK(*r->retry_after > 0s);
    CHECK(*r->retry_after <= 60s);
    // The scheme's log detail never reaches the client.
    CHECK(boost::json::serialize(r->body).find("k1") == std::string::npos);

    // Another address is not limited by this one's failures.
    w::http_request_view other{.remote_address = "203.0.113.9"};
    CHECK(td::decide_gate(scheme, limiter, other, "another-token").gate);
}

TEST_CASE("gate: a refusal without a presented credential fills no bucket", "[gate]") {
    scripted_gate scheme;
    scheme.answer = w::challenge{401, R"(Bearer realm="mcp")"};
    w::auth::failure_limiter limiter(std::make_shared<w::storage::memory_store>(), two_failures());
    w::http_request_view view{.remote_address = "198.51.100.7"};
    for (int i = 0; i < 5; ++i) {
        auto r = td::refusal_of(td::decide_gate(scheme, limiter, view, ""));
        REQUIRE(r);
        CHECK(r->status == 401);
        CHECK(r->reason == "no_credentials");
        CHECK(r->body == boost::json::object{{"error", "unauthorized"}});
    }
    CHECK(scheme.asked == 5); // a client discovering the challenge is never limited
}

TEST_CASE("gate: a 403 from the scheme fills no bucket", "[gate]") {
    scripted_gate scheme;
    scheme.answer = w::challenge{403, "", "insufficient_scope", "needs scope: admin"};
    w::auth::failure_limiter limiter(std::make_shared<w::storage::memory_store>(), two_failures());
    w::http_request_view view{.remote_address = "198.51.100.7"};
    for (int i = 0; i < 4; ++i) {
        auto r = td::refusal_of(td::decide_gate(scheme, limiter, view, "bucket-of-token"));
        REQUIRE(r);
        CHECK(r->status == 403);
    }
    CHECK(scheme.asked == 4);
}

TEST_CASE("gate: without its buckets' store the gate fails closed", "[gate]") {
    scripted_gate scheme; // would let anyone in
    w::auth::failure_limiter limiter(std::make_shared<w::test::broken_store>(), two_failures());
    w::http_request_view view{.remote_address = "198.51.100.7"};
    auto d = td::decide_gate(scheme, limiter, view, "bucket-of-token");
    CHECK(scheme.asked == 0);
    CHECK_FALSE(d.gate);
    CHECK(d.store_error.find("connection refused") != std::string::npos);
    auto r = td::refusal_of(d);
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->reason == "unavailable");
    CHECK(r->body.at("error") == "temporarily_unavailable");
    CHECK(r->retry_after == std::optional<std::chrono::seconds>(1s));
    CHECK(boost::json::serialize(r->body).find("refused") == std::string::npos);
}
