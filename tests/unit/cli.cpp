#include <warden/cli.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {
warden::result<warden::command_line> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "prog");
    return warden::parse_command_line(static_cast<int>(args.size()), args.data());
}
} // namespace

TEST_CASE("the shared example command line", "[cli]") {
    CHECK(parse({}).value().stdio);
    CHECK(parse({"--stdio", "--log-level", "debug"}).value().level == warden::log_level::debug);
    CHECK(parse({"--log-level=error"}).value().level == warden::log_level::error);
    CHECK(parse({"--help"}).value().help);
    CHECK(parse({"--log-level"}).error().message() == "--log-level needs a value");
    CHECK(parse({"--log-level", "chatty"}).error().message().find("chatty") != std::string::npos);
    CHECK(parse({"--listen"}).error().message() == "unknown option \"--listen\"");
    std::vector<warden::variable> vars = {{"TOKEN", "the token", true, true}, {"OPT", "", false, false}};
    auto text = warden::usage("prog", "Does things.", vars);
    CHECK(text.find("usage: prog") == 0);
    CHECK(text.find("TOKEN  the token") != std::string::npos);
    CHECK(text.find("OPT (optional)") != std::string::npos);
}
