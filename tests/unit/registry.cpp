#include <warden/mcp/registry.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

namespace {
struct greet_args {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(greet_args, (), (name))
struct sum {
    int total;
};
BOOST_DESCRIBE_STRUCT(sum, (), (total))
} // namespace

using boost::json::parse;
using warden::mcp::registry;

TEST_CASE("typed tool handlers imply their schemas", "[registry]") {
    auto typed = [](const greet_args& a) { return "hi " + a.name; };
    CHECK(warden::mcp::input_schema_for<decltype(typed)>().at("required") == parse(R"(["name"])"));
    CHECK_FALSE(warden::mcp::output_schema_for<decltype(typed)>());
    auto structured = [](const greet_args&, warden::call_context&) { return sum{1}; };
    CHECK(warden::mcp::output_schema_for<decltype(structured)>()->at("properties") ==
          parse(R"({"total":{"type":"integer"}})"));
    auto none = [] { return warden::tool_result::text("x"); };
    CHECK(warden::mcp::input_schema_for<decltype(none)>() == parse(R"({"type":"object","properties":{}})"));
    auto raw = [](const boost::json::object&) { return warden::tool_result::text("x"); };
    CHECK(warden::mcp::input_schema_for<decltype(raw)>() == parse(R"({"type":"object"})"));
}

TEST_CASE("tool names and duplicates are checked at registration", "[registry]") {
    registry r;
    auto handler = warden::mcp::make_tool_handler([] { return warden::tool_result::text("x"); });
    r.add_tool({.name = "ok.name-1_x"}, handler, {}, std::nullopt);
    CHECK_THROWS_AS(r.add_tool({.name = "ok.name-1_x"}, handler, {}, std::nullopt), std::invalid_argument);
    CHECK_THROWS_AS(r.add_tool({.name = "has space"}, handler, {}, std::nullopt), std::invalid_argument);
    CHECK_THROWS_AS(r.add_tool({.name = ""}, handler, {}, std::nullopt), std::invalid_argument);
    CHECK_THROWS_AS(r.add_tool({.name = std::string(129, 'a')}, handler, {}, std::nullopt), std::invalid_argument);
    CHECK(r.has_tools());
    CHECK_FALSE(r.has_prompts());
}

TEST_CASE("lists are paged in registration order", "[registry]") {
    registry r;
    auto handler = warden::mcp::make_tool_handler([] { return warden::tool_result::text("x"); });
    for (const char* n : {"c", "a", "b"}) r.add_tool({.name = n}, handler, {}, std::nullopt);
    auto first = r.list_tools(0, 2);
    REQUIRE(first.items.size() == 2);
    CHECK(first.items[0].at("name") == "c");
    CHECK(first.items[1].at("name") == "a");
    REQUIRE(first.next == std::optional<std::size_t>(2));
    auto second = r.list_tools(*first.next, 2);
    REQUIRE(second.items.size() == 1);
    CHECK(second.items[0].at("name") == "b");
    CHECK_FALSE(second.next);
    CHECK(r.list_tools(10, 2).items.empty());
}

TEST_CASE("URI templates match level-1 variables", "[registry]") {
    warden::mcp::uri_template t("test://template/{id}/data");
    auto m = t.match("test://template/123/data");
    REQUIRE(m);
    CHECK(m->at("id") == "123");
    CHECK_FALSE(t.match("test://template//data"));
    CHECK_FALSE(t.match("test://template/1/2/data"));
    CHECK_FALSE(t.match("test://template/1/data/extra"));
    CHECK_FALSE(t.match("other://template/1/data"));
    warden::mcp::uri_template two("file:///{dir}/{name}.txt");
    auto m2 = two.match("file:///docs/readme.txt");
    REQUIRE(m2);
    CHECK(m2->at("dir") == "docs");
    CHECK(m2->at("name") == "readme");
    CHECK_THROWS_AS(warden::mcp::uri_template("x://{+path}"), std::invalid_argument);
    CHECK_THROWS_AS(warden::mcp::uri_template("x://{a}{b}"), std::invalid_argument);
    CHECK_THROWS_AS(warden::mcp::uri_template("x://{a"), std::invalid_argument);
}

TEST_CASE("each registry finds its own tool, however lookups interleave (the per-thread memo)", "[registry]") {
    auto handler = warden::mcp::make_tool_handler([] { return warden::tool_result::text("x"); });
    registry a, b;
    a.add_tool({.name = "same", .description = "of a"}, handler, {}, std::nullopt);
    b.add_tool({.name = "same", .description = "of b"}, handler, {}, std::nullopt);
    for (int i = 0; i < 3; ++i) {
        CHECK(a.find_tool("same")->definition.at("description") == "of a");
        CHECK(b.find_tool("same")->definition.at("description") == "of b");
    }
    CHECK_FALSE(a.find_tool("other"));
    a.add_tool({.name = "other"}, handler, {}, std::nullopt); // added after a miss: found now
    CHECK(a.find_tool("other"));
    CHECK_FALSE(b.find_tool("other"));
    {
        registry gone;
        gone.add_tool({.name = "same", .description = "of gone"}, handler, {}, std::nullopt);
        CHECK(gone.find_tool("same")->definition.at("description") == "of gone");
    }
    registry fresh; // may sit where `gone` was: never handed its tool
    CHECK_FALSE(fresh.find_tool("same"));
}
