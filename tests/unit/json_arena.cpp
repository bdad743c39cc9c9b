// A request body's JSON in one arena: what is parsed there lives as long as any value of it,
// large bodies stay out of it, and limits and errors are those of a plain parse.
#include <warden/detail/json_arena.hpp>

#include <boost/json/serialize.hpp>

#include <memory>
#include <string>

#include <catch2/catch.hpp>

using warden::detail::parse_request_json;

TEST_CASE("json arena: a small body's tree shares one resource, kept alive by any value of it", "[json]") {
    boost::system::error_code ec;
    std::unique_ptr<boost::json::value> kept;
    {
        auto v = parse_request_json(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a long tool name here","arguments":{"text":"some text that does not fit a short string"}}})", ec);
        REQUIRE_FALSE(ec);
        CHECK(v.storage().is_deallocate_trivial());
        // A copy constructed from a member keeps the arena; the parsed tree goes away.
        kept = std::make_unique<boost::json::value>(v.at("params").at("arguments"));
        CHECK(kept->storage().get() == v.storage().get());
    }
    CHECK(boost::json::serialize(*kept) == R"({"text":"some text that does not fit a short string"})");
    // Assigned into a container of the default resource, it is copied there.
    boost::json::object elsewhere;
    elsewhere["a"] = *kept;
    kept.reset();
    CHECK(elsewhere.at("a").at("text") == "some text that does not fit a short string");
}

TEST_CASE("json arena: a large body goes to the default resource", "[json]") {
    boost::system::error_code ec;
    const std::string big = R"({"text":")" + std::string(warden::detail::json_arena_limit, 'x') + R"("})";
    auto v = parse_request_json(big, ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(v.storage().is_deallocate_trivial());
    CHECK(v.at("text").as_string().size() == warden::detail::json_arena_limit);
}

TEST_CASE("json arena: depth limit and syntax errors as a plain parse", "[json]") {
    boost::system::error_code ec;
    parse_request_json(std::string(65, '[') + std::string(65, ']'), ec);
    CHECK(ec);
    ec = {};
    parse_request_json(std::string(64, '[') + std::string(64, ']'), ec);
    CHECK_FALSE(ec);
    parse_request_json(R"({"a":)", ec);
    CHECK(ec);
}

TEST_CASE("append_json_text writes what serialize writes, again and again on one thread", "[json]") {
    const auto doc = boost::json::parse(R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"x\"y\n"}],)"
                                        R"("deep":[[[[{"a":[1,2.5,null,true]}]]]],"big":")" + std::string(3000, 'z') + R"("}})")
                         .as_object();
    std::string out = "prefix:";
    warden::detail::append_json_text(out, doc);
    CHECK(out == "prefix:" + boost::json::serialize(doc));
    out.clear();
    warden::detail::append_json_text(out, boost::json::object{{"id", 1}});
    CHECK(out == R"({"id":1})");
}
