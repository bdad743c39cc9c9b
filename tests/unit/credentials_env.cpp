#include <warden/credentials/env.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>

TEST_CASE("credentials::env reads declared variables from the environment", "[credentials]") {
    ::setenv("WARDEN_TEST_PRESENT", "value-1", 1);
    ::unsetenv("WARDEN_TEST_ABSENT");
    warden::credential_request req;
    req.variables = {{"WARDEN_TEST_PRESENT", "present", true, true}};
    auto ok = warden::credentials::env::load(req);
    REQUIRE(ok);
    CHECK(ok.value().find_secret("WARDEN_TEST_PRESENT")->reveal() == "value-1");

    req.variables.push_back({"WARDEN_TEST_ABSENT", "absent one", true, true});
    auto missing = warden::credentials::env::load(req);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message().find("environment: 1 required credential missing") != std::string::npos);
    CHECK(missing.error().message().find("WARDEN_TEST_ABSENT - absent one") != std::string::npos);
    CHECK(missing.error().message().find("value-1") == std::string::npos);
    STATIC_REQUIRE(warden::credentials::env::production_ready);
}
