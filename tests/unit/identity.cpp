#include <warden/auth/identity.hpp>

#include <warden/auth/api_key.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

namespace w = warden;

namespace {
using scheme = w::auth::with_identity<w::auth::api_key<"X-API-Key">>;
w::auth_settings settings() {
    w::auth_settings s;
    s.api_key.keys = {{.name = "acme-app", .credentials = {"ACME"}, .tenants = {"acme", "acme-eu"}},
                      {.name = "ops", .credentials = {"OPS"}, .tenants = {"*"}},
                      {.name = "plain", .credentials = {"PLAIN"}}};
    s.identity.tenant_domain = "api.example.com";
    return s;
}
const std::string acme = "acme-key-0123456789";
} // namespace

TEST_CASE("identity headers select within what the credential allows", "[auth][identity]") {
    auto a = scheme::configure(test::credentials({{"ACME", acme}, {"OPS", "ops-key-0123456789"}, {"PLAIN", "plain-key-0123456"}}),
                               settings());
    REQUIRE(a);
    const auto& s = a.value();
    auto ok = s.authenticate(test::request({{"X-API-Key", acme}, {"X-Tenant-ID", "acme"}, {"X-Workspace-ID", "w1"},
                                            {"X-User-ID", "ada@acme.example"}})
                                 .view());
    REQUIRE(test::admitted(ok));
    CHECK(test::admitted(ok)->tenant == "acme");
    CHECK(test::admitted(ok)->workspace == "w1");
    CHECK(test::admitted(ok)->claims.at("user") == "ada@acme.example");

    struct row {
        const char* what;
        test::request req;
        unsigned status; // 0 = admitted
    };
    const row rows[] = {
        {"a tenant outside the key's set", {{"X-API-Key", acme}, {"X-Tenant-ID", "globex"}}, 403},
        {"identity headers alone never authenticate", {{"X-Tenant-ID", "acme"}, {"X-User-ID", "root"}}, 401},
        {"tenant twice", {{"X-API-Key", acme}, {"X-Tenant-ID", "acme"}, {"X-Tenant-ID", "globex"}}, 400},
        {"empty tenant", {{"X-API-Key", acme}, {"X-Tenant-ID", ""}}, 400},
        {"tenant with a slash", {{"X-API-Key", acme}, {"X-Tenant-ID", "acme/../globex"}}, 400},
        {"workspace without tenant", {{"X-API-Key", acme}, {"X-Workspace-ID", "w1"}}, 400},
        {"a key with no tenants names one", {{"X-API-Key", "plain-key-0123456"}, {"X-Tenant-ID", "acme"}}, 403},
        {"a key with no tenants names none", {{"X-API-Key", "plain-key-0123456"}}, 0},
        {"a wildcard key", {{"X-API-Key", "ops-key-0123456789"}, {"X-Tenant-ID", "globex"}}, 0},
        {"tenant from the subdomain", {{"X-API-Key", acme}, {"Host", "acme-eu.api.example.com:8443"}}, 0},
        {"subdomain outside the set", {{"X-API-Key", acme}, {"Host", "globex.api.example.com"}}, 403},
        {"subdomain and header disagree", {{"X-API-Key", acme}, {"Host", "acme.api.example.com"}, {"X-Tenant-ID", "acme-eu"}}, 400},
        {"a deeper subdomain is no tenant", {{"X-API-Key", acme}, {"Host", "x.acme.api.example.com"}}, 0},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = s.authenticate(r.req.view());
        if (r.status == 0) {
            CHECK(test::admitted(g));
        } else {
            REQUIRE(test::refused(g));
            CHECK(test::refused(g)->status == r.status);
        }
    }
    auto sub = s.authenticate(test::request({{"X-API-Key", acme}, {"Host", "ACME-EU.api.example.com"}}).view());
    REQUIRE(test::admitted(sub));
    CHECK(test::admitted(sub)->tenant == "acme-eu");
}
