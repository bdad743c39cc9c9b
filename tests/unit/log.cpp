#include <warden/log.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

TEST_CASE("log levels parse and order", "[log]") {
    CHECK(warden::parse_log_level("warning") == warden::log_level::warning);
    CHECK_FALSE(warden::parse_log_level("warn"));
    CHECK(warden::to_string(warden::log_level::emergency) == "emergency");
    CHECK(warden::log_level::debug < warden::log_level::error);
}

TEST_CASE("the logger writes whole lines above its threshold", "[log]") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    warden::logger log(warden::log_level::info, f);
    log.debug("hidden");
    log.warn("shown");
    std::rewind(f);
    char buf[256] = {};
    REQUIRE(std::fgets(buf, sizeof buf, f));
    std::string line(buf);
    CHECK(line.find("warden warning: shown\n") != std::string::npos);
    CHECK_FALSE(std::fgets(buf, sizeof buf, f));
    std::fclose(f);
}
