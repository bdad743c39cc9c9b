#include <warden/mcp/schema.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

namespace shapes {
BOOST_DEFINE_ENUM_CLASS(color, red, green, blue)
struct point {
    int x;
    int y;
    bool operator==(const point&) const = default;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))
struct drawing {
    std::string title;
    std::vector<point> points;
    std::optional<color> fill{};
    int width = 3;
    double scale = 1.5;
    std::optional<std::map<std::string, std::string>> tags{};
    std::uint8_t alpha = 255;
};
BOOST_DESCRIBE_STRUCT(drawing, (), (title, points, fill, width, scale, tags, alpha))
inline warden::field_docs warden_field_docs(const drawing*) { return {{"title", "What the drawing shows"}}; }
} // namespace shapes

using boost::json::parse;
using warden::mcp::from_json;
using warden::mcp::schema_for;

TEST_CASE("schemas from described structs: required, defaults, nesting", "[schema]") {
    auto s = schema_for<shapes::drawing>();
    INFO(boost::json::serialize(s));
    CHECK(s.at("type") == "object");
    CHECK(s.at("additionalProperties") == false);
    CHECK(s.at("required") == parse(R"(["title","points"])"));
    const auto& p = s.at("properties").as_object();
    CHECK(p.at("title") == parse(R"({"type":"string","description":"What the drawing shows"})"));
    CHECK(p.at("points").at("items").at("required") == parse(R"(["x","y"])"));
    CHECK(p.at("fill") == parse(R"({"type":"string","enum":["red","green","blue"]})"));
    CHECK(p.at("width") == parse(R"({"type":"integer","default":3})"));
    CHECK(p.at("scale").at("default") == 1.5);
    CHECK(p.at("tags").at("additionalProperties") == parse(R"({"type":"string"})"));
    CHECK(p.at("alpha").at("minimum") == 0);
}

TEST_CASE("from_json converts valid arguments and fills defaults", "[schema]") {
    auto r = from_json<shapes::drawing>(
        parse(R"({"title":"t","points":[{"x":1,"y":2},{"x":-3,"y":4.0}],"fill":"green","tags":{"a":"b"}})"));
    REQUIRE(r);
    const auto& d = r.value();
    CHECK(d.title == "t");
    CHECK(d.points == std::vector<shapes::point>{{1, 2}, {-3, 4}});
    CHECK(d.fill == shapes::color::green);
    CHECK(d.width == 3);
    CHECK(d.alpha == 255);
    CHECK(d.tags->at("a") == "b");
    auto with_null = from_json<shapes::drawing>(parse(R"({"title":"t","points":[],"fill":null})"));
    REQUIRE(with_null);
    CHECK_FALSE(with_null.value().fill);
}

TEST_CASE("from_json names the path of what is wrong", "[schema]") {
    auto message = [](const char* text) {
        auto r = from_json<shapes::drawing>(parse(text), "arguments");
        REQUIRE_FALSE(r);
        CHECK(r.error() == warden::errc::invalid_params);
        return r.error().message();
    };
    CHECK(message(R"({"points":[]})") == "missing required argument \"arguments.title\"");
    CHECK(message(R"({"title":1,"points":[]})") == "arguments.title: expected a string");
    CHECK(message(R"({"title":"t","points":[{"x":1}]})") == "missing required argument \"arguments.points[0].y\"");
    CHECK(message(R"({"title":"t","points":[],"fill":"purple"})") ==
          "arguments.fill: expected one of red, green, blue");
    CHECK(message(R"({"title":"t","points":[],"alpha":256})") ==
          "arguments.alpha: expected an integer from 0 to 255");
    CHECK(message(R"({"title":"t","points":[],"width":1.5})").find("expected an integer") != std::string::npos);
    CHECK(message(R"({"title":"t","points":[],"width":1e300})").find("expected an integer") != std::string::npos);
    CHECK(message(R"({"title":"t","points":[],"extra":1})") == "unknown argument \"arguments.extra\"");
    CHECK(message(R"([1])") == "arguments: expected an object");
}

TEST_CASE("from_json reads a described struct from an object as from the same value", "[schema]") {
    for (const char* text : {R"({"title":"t","points":[{"x":1,"y":2}],"fill":"blue"})", R"({"points":[]})",
                             R"({"title":"t","points":[],"extra":1})", R"({"title":"t","points":[{"x":"1","y":2}]})"}) {
        INFO(text);
        const auto v = parse(text);
        const auto from_value = from_json<shapes::drawing>(v, "arguments");
        const auto from_object = from_json<shapes::drawing>(v.as_object(), "arguments");
        REQUIRE(bool(from_value) == bool(from_object));
        if (from_value)
            CHECK(warden::mcp::to_json(from_value.value()) == warden::mcp::to_json(from_object.value()));
        else
            CHECK(from_value.error().message() == from_object.error().message());
    }
    // Types other than described structs take the object as a value.
    const auto map = from_json<std::map<std::string, int>>(parse(R"({"a":1})").as_object());
    REQUIRE(map);
    CHECK(map.value().at("a") == 1);
}

TEST_CASE("to_json mirrors from_json", "[schema]") {
    shapes::drawing d{"t", {{1, 2}}, shapes::color::blue};
    auto j = warden::mcp::to_json(d);
    auto back = from_json<shapes::drawing>(j);
    REQUIRE(back);
    CHECK(back.value().points == d.points);
    CHECK(back.value().fill == shapes::color::blue);
    shapes::drawing no_fill{"t", {}};
    CHECK_FALSE(warden::mcp::to_json(no_fill).as_object().contains("fill"));
}
