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

TEST_CASE("client text cannot forge log lines", "[log]") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    warden::logger log(warden::log_level::debug, f);
    log.info("method x\n2026-01-01T00:00:00Z warden error: forged\x1b[31m");
    std::rewind(f);
    char buf[512] = {};
    REQUIRE(std::fgets(buf, sizeof buf, f));
    CHECK(std::string(buf).find("method x\\x0a2026-01-01T00:00:00Z warden error: forged\\x1b[31m\n") !=
          std::string::npos);
    CHECK_FALSE(std::fgets(buf, sizeof buf, f)); // still one line
    std::fclose(f);
}

TEST_CASE("the logger redacts every loaded credential value from every line", "[log]") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    warden::logger log(warden::log_level::debug, f);
    log.redact({"tok-0123456789abcdef", "abc", "tok-0123456789abcdef-long-version"});
    log.info("header was Bearer tok-0123456789abcdef and tok-0123456789abcdef-long-version; abc stays");
    std::rewind(f);
    char buf[512] = {};
    REQUIRE(std::fgets(buf, sizeof buf, f));
    const std::string line = buf;
    CHECK(line.find("tok-0123456789abcdef") == std::string::npos);
    CHECK(line.find("Bearer [redacted " + warden::crypto::fingerprint("tok-0123456789abcdef") + "]") !=
          std::string::npos);
    CHECK(line.find("[redacted " + warden::crypto::fingerprint("tok-0123456789abcdef-long-version") + "]") !=
          std::string::npos);
    CHECK(line.find("abc stays") != std::string::npos); // too short to redact
    std::fclose(f);
}
