#include <warden/mcp/content.hpp>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

using boost::json::parse;

TEST_CASE("content blocks have the protocol's shape", "[content]") {
    CHECK(warden::content::text("hi").to_json() == parse(R"({"type":"text","text":"hi"})"));
    const unsigned char bytes[] = {'f', 'o', 'o'};
    CHECK(warden::content::image(std::span(bytes), "image/png").to_json() ==
          parse(R"({"type":"image","data":"Zm9v","mimeType":"image/png"})"));
    CHECK(warden::content::audio(std::string_view("Zm9v"), "audio/wav").to_json() ==
          parse(R"({"type":"audio","data":"Zm9v","mimeType":"audio/wav"})"));
    CHECK(warden::content::embedded(warden::resource_contents::text("test://x", "text/plain", "body")).to_json() ==
          parse(R"({"type":"resource","resource":{"uri":"test://x","mimeType":"text/plain","text":"body"}})"));
    CHECK(warden::content::resource_link("test://y", "y", "a y").to_json() ==
          parse(R"({"type":"resource_link","uri":"test://y","name":"y","description":"a y"})"));
    CHECK(warden::content::text("a").with_annotations({{"priority", 1}}).to_json().at("annotations") ==
          parse(R"({"priority":1})"));
    CHECK(warden::resource_contents::blob("test://b", "application/octet-stream", std::span(bytes)).to_json() ==
          parse(R"({"uri":"test://b","mimeType":"application/octet-stream","blob":"Zm9v"})"));
}

TEST_CASE("tool results: content, structured content, isError", "[content]") {
    CHECK(warden::tool_result::text("ok").to_json() == parse(R"({"content":[{"type":"text","text":"ok"}]})"));
    CHECK(warden::tool_result::error("bad").to_json() ==
          parse(R"({"content":[{"type":"text","text":"bad"}],"isError":true})"));
    warden::tool_result r;
    r.structured = boost::json::object{{"sum", 3}};
    CHECK(r.to_json() == parse(R"({"content":[],"structuredContent":{"sum":3}})"));
}

TEST_CASE("tool results given up (rvalues) convert by moving, to the same JSON", "[content]") {
    warden::tool_result r;
    r.contents.push_back(warden::content::text("one"));
    r.contents.push_back(warden::content::image("Zm9v", "image/png"));
    r.structured = boost::json::object{{"sum", 3}};
    r.is_error = true;
    const auto copied = r.to_json(); // r stays as it was
    CHECK(r.contents.size() == 2);
    CHECK(r.contents[0].to_json().at("text") == "one");
    CHECK(copied == parse(R"({"content":[{"type":"text","text":"one"},{"type":"image","data":"Zm9v","mimeType":"image/png"}],)"
                          R"("structuredContent":{"sum":3},"isError":true})"));
    CHECK(std::move(r).to_json() == copied);
    CHECK(warden::content::text("t").to_json() == parse(R"({"type":"text","text":"t"})")); // a temporary: by value
}

TEST_CASE("prompt results", "[content]") {
    warden::prompt_result p{"d", {warden::prompt_message::user(warden::content::text("q")),
                                  warden::prompt_message::assistant(warden::content::text("a"))}};
    CHECK(p.to_json() == parse(R"({"description":"d","messages":[
        {"role":"user","content":{"type":"text","text":"q"}},
        {"role":"assistant","content":{"type":"text","text":"a"}}]})"));
}
