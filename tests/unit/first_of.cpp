#include <warden/credentials/first_of.hpp>

#include <warden/credentials/env.hpp>
#include <warden/credentials/literal.hpp>

#include <catch2/catch.hpp>

TEST_CASE("first_of: production readiness is that of every source", "[credentials]") {
    STATIC_REQUIRE(warden::credentials::first_of<warden::credentials::env>::production_ready);
    STATIC_REQUIRE_FALSE(
        warden::credentials::first_of<warden::credentials::env, warden::credentials::literal>::production_ready);
    warden::credential_request req;
    req.variables = {{"WARDEN_T_LIT", "", true, true}};
    req.literal_values = {{"WARDEN_T_LIT", "lit"}};
    auto r = warden::credentials::first_of<warden::credentials::env, warden::credentials::literal>::load(req);
    REQUIRE(r);
    CHECK(r.value().find_secret("WARDEN_T_LIT")->reveal() == "lit");
}
