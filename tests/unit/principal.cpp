#include <warden/auth/principal.hpp>

#include <catch2/catch.hpp>

TEST_CASE("a principal holds scopes", "[principal]") {
    warden::principal p;
    p.scopes = {"repo:read", "issues:write"};
    CHECK(p.has_scope("repo:read"));
    CHECK_FALSE(p.has_scope("repo:write"));
    std::vector<std::string> both = {"repo:read", "issues:write"}, more = {"repo:read", "admin"};
    CHECK(p.has_scopes(both));
    CHECK_FALSE(p.has_scopes(more));
    CHECK(p.has_scopes({}));
    p.unrestricted = true;
    CHECK(p.has_scopes(more));
    warden::requires_scopes r{"a", "b"};
    CHECK(r.scopes.size() == 2);
}
