#include <warden/mcp/context.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {
// A request_link that records notifications and answers client requests from a script.
struct fake_link final : warden::mcp::detail::request_link {
    std::vector<boost::json::object> sent;
    boost::json::object caps;
    warden::log_level level = warden::log_level::info;
    void notify(boost::json::object m, const boost::json::value&) override { sent.push_back(std::move(m)); }
    std::vector<std::string> keys; // of every request asked for
    warden::result<std::vector<boost::json::object>> client_requests(std::vector<warden::mcp::input_request> rs,
                                                                     std::optional<std::chrono::milliseconds>,
                                                                     std::stop_token, const boost::json::value&) override {
        std::vector<boost::json::object> out;
        for (const auto& r : rs) {
            keys.push_back(r.key);
            if (!r.capability.empty() && !caps.contains(r.capability))
                return warden::failure(warden::errc::capability_missing, "no " + r.capability);
            if (r.method == "elicitation/create")
                out.push_back({{"action", "accept"}, {"content", {{"a", 1}}}});
            else if (r.method == "roots/list")
                out.push_back({{"roots", boost::json::array{}}});
            else
                out.push_back({{"no", "action"}});
        }
        return out;
    }
    warden::log_level client_log_level() const override { return level; }
    const boost::json::object& client_capabilities() const override { return caps; }
    std::string_view protocol_version() const override { return "2025-11-25"; }
};
} // namespace

TEST_CASE("call_context: progress only with a token, and only increasing", "[context]") {
    fake_link link;
    warden::principal who;
    warden::credential_set creds;
    warden::call_context without(link, who, creds, 1, nullptr, {});
    CHECK_FALSE(without.progress(1));
    warden::call_context with(link, who, creds, 1, "tok", {});
    CHECK(with.progress(0));
    CHECK(with.progress(0.5, 1.0));
    CHECK_FALSE(with.progress(0.25));
    REQUIRE(link.sent.size() == 2);
    CHECK(link.sent[1].at("params").at("progressToken") == "tok");
    CHECK(link.sent[1].at("params").at("total") == 1.0);
}

TEST_CASE("call_context: log threshold and client capabilities", "[context]") {
    fake_link link;
    warden::principal who;
    warden::credential_set creds;
    warden::call_context ctx(link, who, creds, 1, nullptr, {});
    ctx.log(warden::log_level::debug, "below");
    ctx.log(warden::log_level::error, "above");
    REQUIRE(link.sent.size() == 1);
    CHECK(link.sent[0].at("params").at("data") == "above");

    auto refused = ctx.elicit("?", {});
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == warden::errc::capability_missing);
    link.caps = {{"elicitation", boost::json::object{}}, {"roots", boost::json::object{}}, {"sampling", boost::json::object{}}};
    auto accepted = ctx.elicit("?", {});
    REQUIRE(accepted);
    CHECK(accepted.value().accepted());
    CHECK(accepted.value().content.at("a") == 1);
    CHECK(ctx.list_roots().value().empty());
    CHECK(ctx.sample_text("x").value().contains("no"));
    // Keys name each request by its kind and its place in the run (the same on a rerun),
    // unless the handler names it.
    CHECK(ctx.elicit("?", {}, "user_name"));
    auto both = ctx.gather({{"", "roots/list", {}, "roots"}, {"mine", "elicitation/create", {}, "elicitation"}});
    REQUIRE(both);
    CHECK(both.value().size() == 2);
    CHECK(link.keys == std::vector<std::string>{"elicitation-1", "elicitation-2", "roots-3", "sampling-4", "user_name",
                                                "roots-5", "mine"});
}
