#include <warden/credentials/literal.hpp>

#include <catch2/catch.hpp>

TEST_CASE("credentials::literal serves values written in a test", "[credentials]") {
    warden::credential_request req;
    req.variables = {{"API_KEY", "key", true, true}, {"OTHER", "other", true, true}};
    req.literal_values = {{"API_KEY", "k-123"}};
    auto r = warden::credentials::literal::load(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("OTHER") != std::string::npos);
    req.literal_values.emplace("OTHER", "o");
    auto ok = warden::credentials::literal::load(req);
    REQUIRE(ok);
    CHECK(ok.value().find_secret("API_KEY")->matches("k-123"));
    STATIC_REQUIRE_FALSE(warden::credentials::literal::production_ready);
}
