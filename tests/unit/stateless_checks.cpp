#include <warden/transport/http/stateless_checks.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

// The checks of a stateless-era POST, without a socket: each failure in the revision's
// order, its code and HTTP status, and a request that passes them all.
namespace w = warden;
namespace td = warden::transport::detail;
namespace modern = warden::mcp::modern;

namespace {

/// A server with tools/* and one tool, "lookup", that mirrors its "region" argument.
class one_tool final : public w::mcp::dispatcher {
public:
    bool offers(std::string_view method) const override {
        return method.starts_with("tools/") || method == "ping";
    }
    std::optional<w::mcp::tool_denial> deny_tool(std::string_view, const w::principal&) const override {
        return std::nullopt;
    }
    std::vector<modern::mirrored_param> mirrored_params(std::string_view name) const override {
        if (name == "lookup") return {modern::mirrored_param{{"region"}, "Region"}};
        return {};
    }
    std::vector<std::string> tool_scopes() const override { return {}; }
    std::vector<std::string> advertised_scopes() const override { return {}; }
};

const std::vector<std::string> served{"2026-07-28"};

boost::json::object params_with(std::string_view version, boost::json::object rest = {}) {
    rest["_meta"] = boost::json::object{{std::string(modern::meta_protocol_version), version},
                                        {std::string(modern::meta_client_capabilities), boost::json::object{}}};
    return rest;
}

boost::beast::http::fields headers(std::initializer_list<std::pair<const char*, const char*>> fields) {
    boost::beast::http::fields f;
    for (auto [name, value] : fields) f.insert(name, value);
    return f;
}

std::optional<modern::rejection> check(const boost::beast::http::fields& h, std::string_view method,
                                       const boost::json::object& params) {
    return td::check_stateless_request(h, td::mcp_fields(h), method, params, served, one_tool{});
}

} // namespace

TEST_CASE("stateless checks: a request whose headers mirror its body passes", "[stateless]") {
    auto p = params_with("2026-07-28", {{"name", "lookup"}, {"arguments", {{"region", "eu-west"}}}});
    CHECK_FALSE(check(headers({{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"},
                                {"Mcp-Name", "lookup"}, {"Mcp-Param-Region", "eu-west"}}),
                      "tools/call", p));
    // Surrounding whitespace of a field value is not part of it.
    CHECK_FALSE(check(headers({{"MCP-Protocol-Version", " 2026-07-28 "}, {"Mcp-Method", "ping"}}), "ping",
                      params_with("2026-07-28")));
}

TEST_CASE("stateless checks: a malformed envelope is -32602 before any header is read", "[stateless]") {
    auto r = check(headers({}), "ping", boost::json::object{});
    REQUIRE(r);
    CHECK(r->code == -32602);
    CHECK(r->http_status == 400);
}

TEST_CASE("stateless checks: the protocol version header", "[stateless]") {
    auto p = params_with("2026-07-28");
    auto missing = check(headers({{"Mcp-Method", "ping"}}), "ping", p);
    REQUIRE(missing);
    CHECK(missing->code == modern::header_mismatch);
    CHECK(missing->message.find("MCP-Protocol-Version header is required") != std::string::npos);

    auto differs = check(headers({{"MCP-Protocol-Version", "2025-11-25"}, {"Mcp-Method", "ping"}}), "ping", p);
    REQUIRE(differs);
    CHECK(differs->code == modern::header_mismatch);

    auto twice = check(headers({{"MCP-Protocol-Version", "2026-07-28"}, {"MCP-Protocol-Version", "2026-07-28"},
                                {"Mcp-Method", "ping"}}),
                       "ping", p);
    REQUIRE(twice);
    CHECK(twice->message.find("more than once") != std::string::npos);

    // A version the server does not serve, consistently declared: -32022 naming what is served.
    auto old = check(headers({{"MCP-Protocol-Version", "2031-01-01"}, {"Mcp-Method", "ping"}}), "ping",
                     params_with("2031-01-01"));
    REQUIRE(old);
    CHECK(old->code == modern::unsupported_protocol_version);
    CHECK(old->http_status == 400);
    CHECK(boost::json::serialize(old->data).find("2026-07-28") != std::string::npos);
}

TEST_CASE("stateless checks: Mcp-Method, then whether the server offers the method", "[stateless]") {
    auto p = params_with("2026-07-28");
    auto missing = check(headers({{"MCP-Protocol-Version", "2026-07-28"}}), "ping", p);
    REQUIRE(missing);
    CHECK(missing->code == modern::header_mismatch);
    auto differs = check(headers({{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"}}), "ping", p);
    REQUIRE(differs);
    CHECK(differs->message.find("Mcp-Method does not match") != std::string::npos);
    // A method of a feature the server does not offer: 404, after the headers agreed.
    auto absent = check(headers({{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "prompts/list"}}),
                        "prompts/list", p);
    REQUIRE(absent);
    CHECK(absent->code == -32601);
    CHECK(absent->http_status == 404);
}

TEST_CASE("stateless checks: Mcp-Name and the Mcp-Param-* headers a tool mirrors", "[stateless]") {
    auto call = [](boost::json::object arguments) {
        return params_with("2026-07-28", {{"name", "lookup"}, {"arguments", std::move(arguments)}});
    };
    auto base = {std::pair{"MCP-Protocol-Version", "2026-07-28"}, std::pair{"Mcp-Method", "tools/call"}};
    auto with = [&](std::initializer_list<std::pair<const char*, const char*>> more) {
        auto f = headers(base);
        for (auto [name, value] : more) f.insert(name, value);
        return f;
    };
    auto no_name = check(with({{"Mcp-Param-Region", "eu"}}), "tools/call", call({{"region", "eu"}}));
    REQUIRE(no_name);
    CHECK(no_name->message.find("Mcp-Name header is required") != std::string::npos);
    auto other_name = check(with({{"Mcp-Name", "delete"}, {"Mcp-Param-Region", "eu"}}), "tools/call",
                            call({{"region", "eu"}}));
    REQUIRE(other_name);
    CHECK(other_name->message.find("Mcp-Name does not match params.name") != std::string::npos);

    auto missing = check(with({{"Mcp-Name", "lookup"}}), "tools/call", call({{"region", "eu"}}));
    REQUIRE(missing);
    CHECK(missing->message == "Header mismatch: Mcp-Param-Region is missing");
    auto differs = check(with({{"Mcp-Name", "lookup"}, {"Mcp-Param-Region", "us"}}), "tools/call",
                         call({{"region", "eu"}}));
    REQUIRE(differs);
    CHECK(differs->message == "Header mismatch: Mcp-Param-Region does not match the body");
    auto twice = check(with({{"Mcp-Name", "lookup"}, {"Mcp-Param-Region", "eu"}, {"Mcp-Param-Region", "eu"}}),
                       "tools/call", call({{"region", "eu"}}));
    REQUIRE(twice);
    // A header for an argument the body leaves null tells an intermediary what the tool never sees.
    auto unasked = check(with({{"Mcp-Name", "lookup"}, {"Mcp-Param-Region", "eu"}}), "tools/call",
                         call({{"region", nullptr}}));
    REQUIRE(unasked);
    CHECK(unasked->message == "Header mismatch: Mcp-Param-Region has no value in the body");
    for (const auto& r : {missing, differs, twice, unasked}) {
        CHECK(r->code == modern::header_mismatch);
        CHECK(r->http_status == 400);
    }
    // A tool that mirrors nothing needs no Mcp-Param-* header.
    CHECK_FALSE(check(with({{"Mcp-Name", "other"}}), "tools/call",
                      params_with("2026-07-28", {{"name", "other"}, {"arguments", {{"region", "eu"}}}})));
}

TEST_CASE("mcp_fields: one pass finds the MCP and media-type fields in any case, first value and copies", "[stateless]") {
    namespace http = boost::beast::http;
    http::fields h;
    h.insert("mcp-METHOD", "tools/call");
    h.insert(http::field::accept, "application/json, text/event-stream");
    h.insert("MCP-Protocol-Version", "2026-07-28");
    h.insert("Mcp-Method", "prompts/get"); // a second copy: counted, its value not taken
    h.insert("Mcp-Named", "echo");         // neither Mcp-Name
    h.insert("X-Mcp-Name", "echo");        // nor this
    h.insert("mcp-session-id", "s1");
    const td::mcp_fields f(h);
    CHECK(f.method.count == 2);
    CHECK(f.method.value == h.find("mcp-method")->value()); // what a lookup gives: the first
    CHECK(f.method.value == "tools/call");
    CHECK(f.protocol_version.value == "2026-07-28");
    CHECK(f.protocol_version.count == 1);
    CHECK_FALSE(f.name.present());
    CHECK(f.session_id.value == "s1");
    CHECK(f.accept.value == "application/json, text/event-stream");
    CHECK_FALSE(f.content_type.present());
    CHECK(f.content_type.value.empty());
}
