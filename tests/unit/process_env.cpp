#include <warden/auth/process_env.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

TEST_CASE("process_env: the local user, holding every scope", "[auth]") {
    auto p = warden::auth::process_env::local_principal();
    CHECK(p.subject == "local-user:" + std::to_string(::geteuid()));
    CHECK(p.scheme == "process_env");
    CHECK(p.has_scope("anything"));
    STATIC_REQUIRE(warden::auth::process_env::requires_local_process);
    STATIC_REQUIRE_FALSE(warden::auth::process_env::sends_reusable_secret);
}
