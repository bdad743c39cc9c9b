#include <warden/mcp/request_state.hpp>

#include <warden/storage/memory.hpp>

#include <catch2/catch.hpp>

#include <set>

namespace wm = warden::mcp;
using namespace std::chrono_literals;

namespace {
warden::principal ada() {
    warden::principal p;
    p.subject = "ada";
    p.scheme = "oauth";
    p.issuer = "https://as.example";
    p.tenant = "acme";
    return p;
}
boost::json::object params() {
    return boost::json::parse(R"({"name":"book_flight","arguments":{"to":"OSL","from":"LHR","seats":[1,2]}})").as_object();
}
wm::request_state_binding binding(const warden::principal& p = ada(), std::string method = "tools/call",
                                  const boost::json::object& ps = params()) {
    return {wm::caller_binding(p), std::move(method), wm::params_digest(ps)};
}
} // namespace

TEST_CASE("requestState: sealed for one caller, method and request", "[request_state]") {
    auto sealer = wm::request_state_sealer::from_key(warden::crypto::random_bytes(32), 60s).value();
    // Sealed at a fixed instant, so that the expiry checks below never straddle a second.
    const auto sealed_at = std::chrono::system_clock::now();
    const auto state = sealer.seal(binding(), "round-2:{\"seat\":\"12A\"}", sealed_at);
    // Opaque to the client: neither the text nor its bytes appear (a 3-letter probe would
    // match random base64url now and then, so probe with the whole text).
    CHECK(state.find("{\"seat\":\"12A\"}") == std::string::npos);
    CHECK(warden::crypto::base64url_decode(state).value().find("{\"seat\":\"12A\"}") == std::string::npos);
    CHECK(sealer.open(binding(), state).value() == "round-2:{\"seat\":\"12A\"}");

    // The retry's parameters in another order, with _meta, inputResponses and requestState: the same request.
    auto retry = boost::json::parse(R"({"arguments":{"seats":[1,2],"from":"LHR","to":"OSL"},"name":"book_flight",
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"inputResponses":{"q":{}},"requestState":"x"})")
                     .as_object();
    CHECK(sealer.open(binding(ada(), "tools/call", retry), state));

    std::set<std::string> messages;
    auto refused = [&](const warden::result<std::string>& r) {
        REQUIRE_FALSE(r);
        messages.insert(r.error().message());
    };
    auto bob = ada();
    bob.subject = "bob";
    refused(sealer.open(binding(bob), state));                                  // another principal
    auto other_tenant = ada();
    other_tenant.tenant = "globex";
    refused(sealer.open(binding(other_tenant), state));                         // another tenant
    refused(sealer.open(binding(ada(), "prompts/get"), state));                 // another method
    auto changed = params();
    changed["arguments"].as_object()["to"] = "NRT";
    refused(sealer.open(binding(ada(), "tools/call", changed), state));         // other arguments
    // Tampering: every byte of the decoded state.
    auto raw = warden::crypto::base64url_decode(state).value();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        auto t = raw;
        t[i] = static_cast<char>(t[i] ^ 0x01);
        refused(sealer.open(binding(), warden::crypto::base64url_encode(t)));
    }
    refused(sealer.open(binding(), state.substr(0, state.size() - 4)));
    refused(sealer.open(binding(), "not base64url!"));
    refused(sealer.open(binding(), ""));
    refused(sealer.open(binding(), std::string(70'000, 'A')));
    // Another server's key.
    auto other = wm::request_state_sealer::from_key(warden::crypto::random_bytes(32)).value();
    refused(other.open(binding(), state));
    // Expired.
    refused(sealer.open(binding(), state, sealed_at + 61s));
    CHECK(sealer.open(binding(), state, sealed_at + 59s));
    CHECK(messages.size() == 1);
    CHECK(*messages.begin() == "requestState is not valid for this request");
}

TEST_CASE("requestState: fresh nonces; keys are 32 bytes", "[request_state]") {
    auto sealer = wm::request_state_sealer::from_key(warden::crypto::random_bytes(32)).value();
    CHECK(sealer.seal(binding(), "same") != sealer.seal(binding(), "same"));
    CHECK_FALSE(wm::request_state_sealer::from_key("short"));
    CHECK_FALSE(wm::request_state_sealer::from_key(warden::crypto::random_bytes(32), 0s));
    // The caller binding cannot be forged by moving characters between fields.
    auto a = ada(), b = ada();
    a.subject = "ad";
    a.tenant = "aacme";
    CHECK(wm::caller_binding(a) != wm::caller_binding(b));
}

TEST_CASE("requestState: use_once refuses a second use of one state", "[request_state]") {
    warden::storage::memory_store store;
    auto sealer = wm::request_state_sealer::from_key(warden::crypto::random_bytes(32)).value();
    const auto state = sealer.seal(binding(), "x");
    CHECK(wm::use_once(store, ""));           // a first round presents none
    CHECK(wm::use_once(store, state));
    auto again = wm::use_once(store, state);
    REQUIRE_FALSE(again);
    CHECK(again.error().message() == "requestState was used before");
    CHECK(wm::use_once(store, sealer.seal(binding(), "x"))); // a new round's state is another state
}
