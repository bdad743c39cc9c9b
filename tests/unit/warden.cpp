#include <warden/warden.hpp>

#include <catch2/catch.hpp>

TEST_CASE("the umbrella header declares a working local server", "[warden]") {
    STATIC_REQUIRE(warden::definition<warden::local_stdio_server>);
    warden::server<warden::local_stdio_server> s{{.name = "umbrella", .version = "0"}};
    s.tool("noop", "does nothing", [] { return warden::tool_result::text(""); });
    SUCCEED();
}
