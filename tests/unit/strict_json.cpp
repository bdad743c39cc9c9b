#include <warden/detail/strict_json.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace {
using warden::detail::parse_strict_json;

/// The error message of a refused parse ("" when the text was accepted, so that a CHECK on
/// the message fails for a text that should have been refused).
std::string refusal(std::string_view text, warden::detail::strict_json_limits limits = {}) {
    auto v = parse_strict_json(text, limits);
    if (v) return {};
    CHECK(v.error() == warden::errc::parse_error);
    return v.error().message();
}
} // namespace

TEST_CASE("strict JSON: a duplicate member is refused wherever it is", "[strict_json][hostile]") {
    // In every row the value that would pass comes last, where a parser that keeps the last
    // of duplicates (Boost.JSON's own) would take it: only the duplicate check refuses it.
    struct row {
        const char* what;
        std::string_view text;
        const char* name;
    };
    const row rows[] = {
        {"top level", R"({"role":"admin","role":"user"})", "role"},
        {"top level, apart", R"({"iss":"evil","sub":"ada","iss":"good"})", "iss"},
        {"nested object", R"({"cnf":{"x5t#S256":"evil","x5t#S256":"good"}})", "x5t#S256"},
        {"deeper", R"({"a":{"b":{"c":1,"c":2}}})", "c"},
        {"object in an array", R"({"keys":[{"kid":"a"},{"kid":"b","kid":"c"}]})", "kid"},
        {"top level, after a nested object closed", R"({"a":{"x":1},"b":2,"a":3})", "a"},
        {"escaped first", R"({"\u0061lg":"none","alg":"ES256"})", "alg"},
        {"escaped last", R"({"alg":"none","\u0061\u006c\u0067":"ES256"})", "alg"},
        {"escaped solidus", R"({"a/b":1,"a\/b":2})", "a/b"},
        {"empty name", R"({"":1,"":2})", ""},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto why = refusal(r.text);
        INFO(why);
        CHECK(why == "duplicate member \"" + std::string(r.name) + "\"");
        // Boost.JSON alone keeps the last value: the row would be accepted without the check.
        boost::system::error_code ec;
        boost::json::parse(r.text, ec);
        CHECK_FALSE(ec);
    }
}

TEST_CASE("strict JSON: names apart, objects apart, and values are accepted", "[strict_json]") {
    for (const char* ok : {
             R"({"a":1,"A":2})",                                  // names are case-sensitive
             R"({"a":1,"a ":2,"\u00e9":3,"e\u0301":4})",           // different names, however alike
             R"({"a":{"a":1},"b":{"a":2}})",                       // one name in sibling objects
             R"({"x":{"y":1},"y":2})",                             // an inner name is not the outer one's
             R"([{"k":1},{"k":2},{"k":{"k":3}}])",                 // objects in an array, each its own
             R"({"dup":"dup","v":["dup","dup"]})",                 // repeated values, not names
             R"({})", "[]", "0", R"("text")", "null", "true",
             "1e308", "-1e308", "18446744073709551615", "-9223372036854775808",
         }) {
        INFO(ok);
        CHECK(parse_strict_json(ok));
    }
    // What is accepted is the value Boost.JSON reads.
    const std::string_view doc =
        R"({"s":"x\u00e9","i":-1,"u":18446744073709551615,"d":1.5,"b":true,"z":null,"a":[1,{"k":"v"}],"o":{}})";
    auto v = parse_strict_json(doc);
    REQUIRE(v);
    CHECK(v.value() == boost::json::parse(doc));
    CHECK(v.value().at("s") == "x\xc3\xa9");
}

TEST_CASE("strict JSON: what else is refused, and the limits", "[strict_json][hostile]") {
    CHECK(refusal("1e400") == "a number out of range");
    CHECK(refusal(R"({"exp":-1e400})") == "a number out of range");
    CHECK(refusal(R"([1,2,3e999])") == "a number out of range");
    for (const char* bad : {
             "", " ", "{", R"({"a":1,})", "[1,]", R"({"a":1} {})", "[1] 2", R"({"a":1 /* c */})", "// c\n1",
             "NaN", "Infinity", "-Infinity", "'a'", R"({a:1})", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
             "\"a\tb\"", "01",
         }) {
        INFO(bad);
        CHECK(refusal(bad).starts_with("malformed JSON: "));
    }
    // Nesting: max_depth levels pass, one more does not.
    CHECK(parse_strict_json("[[1]]", {.max_depth = 2}));
    CHECK(parse_strict_json(R"({"a":{"b":1}})", {.max_depth = 2}));
    CHECK(refusal("[[[1]]]", {.max_depth = 2}).starts_with("malformed JSON: "));
    CHECK(refusal(R"({"a":{"b":{"c":1}}})", {.max_depth = 2}).starts_with("malformed JSON: "));
    CHECK(parse_strict_json(std::string(16, '[') + std::string(16, ']')));
    CHECK_FALSE(parse_strict_json(std::string(17, '[') + std::string(17, ']')));
    // Size: max_bytes passes, one byte more does not, whatever the text.
    const std::string sized = "\"" + std::string(14, 'x') + "\"";
    CHECK(parse_strict_json(sized, {.max_bytes = 16}));
    CHECK(refusal(sized + " ", {.max_bytes = 16}) == "JSON text too large");
    CHECK(refusal(std::string(64 * 1024 + 1, ' ')) == "JSON text too large");
}

TEST_CASE("strict JSON: a refusal never quotes the text", "[strict_json]") {
    // Only a duplicate name appears, cut to 64 bytes; values never.
    const auto why = refusal(R"({"token":"s3cr3t-value","token":"other"})");
    CHECK(why == "duplicate member \"token\"");
    const std::string long_name(200, 'n');
    const auto cut = refusal("{\"" + long_name + "\":1,\"" + long_name + "\":2}");
    CHECK(cut == "duplicate member \"" + long_name.substr(0, 64) + "\"");
    CHECK(refusal(R"({"k":"s3cr3t-value")").find("s3cr3t") == std::string::npos);
}
