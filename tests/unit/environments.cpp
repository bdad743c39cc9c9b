#include <warden/environments.hpp>

#include <catch2/catch.hpp>

#include <warden/auth/bearer.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/transport/streamable_http.hpp>

#include <cstdlib>

namespace w = warden;

namespace {
using dev = w::server_definition<w::transport::stdio, w::credentials::literal, w::auth::process_env, w::storage::memory,
                                 w::profile::test>;
using staging = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::file,
                                     w::auth::bearer, w::storage::encrypted_file>;
using envs = w::environments<w::environment<"development", dev, "DEV_">,
                             w::environment<"staging", staging, "STAGING_">,
                             w::environment<"production", staging, "PROD_">>;
struct mcp_env_guard {
    std::string saved;
    bool had;
    mcp_env_guard() : had(std::getenv("MCP_ENV") != nullptr) {
        if (had) saved = std::getenv("MCP_ENV");
        ::unsetenv("MCP_ENV");
    }
    ~mcp_env_guard() {
        if (had) ::setenv("MCP_ENV", saved.c_str(), 1);
        else ::unsetenv("MCP_ENV");
    }
};
} // namespace

TEST_CASE("environments: --env, else MCP_ENV; unknown names list the valid ones", "[environments]") {
    mcp_env_guard guard;
    CHECK(envs::names() == "development, staging, production");
    CHECK(envs::choose("staging").value() == "staging");
    const auto none = envs::choose("");
    REQUIRE_FALSE(none);
    CHECK(none.error().message() ==
          "no environment chosen: pass --env NAME or set MCP_ENV to one of: development, staging, production");
    ::setenv("MCP_ENV", "production", 1);
    CHECK(envs::choose("").value() == "production");
    CHECK(envs::choose("development").value() == "development"); // --env wins
    const auto bad = envs::choose("prod");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "unknown environment \"prod\"; valid: development, staging, production");
}

TEST_CASE("environments: the chosen definition, with its own variables", "[environments]") {
    auto which = [](std::string_view name) {
        return *envs::visit(name, []<class Env>(std::type_identity<Env>) {
            return std::string(Env::name) + " " + Env::variable("API_KEY") + " " +
                   (std::is_same_v<typename Env::definition_type, dev> ? "dev" : "tls");
        });
    };
    CHECK(which("development") == "development DEV_API_KEY dev");
    CHECK(which("staging") == "staging STAGING_API_KEY tls");
    CHECK(which("production") == "production PROD_API_KEY tls");
    CHECK_FALSE(envs::visit("nope", []<class Env>(std::type_identity<Env>) { return 1; }));
}
