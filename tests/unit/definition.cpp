#include <warden/definition.hpp>

#include "../compile_fail/policies.hpp"

#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>

#include <catch2/catch.hpp>

#include <type_traits>

using namespace warden;

TEST_CASE("valid_definition accepts sound compositions and refuses broken ones", "[definition]") {
    STATIC_REQUIRE(valid_definition<transport::stdio, credentials::env, auth::process_env, storage::memory>);
    STATIC_REQUIRE(valid_definition<example::tls_http, example::env_source, example::api_key, example::ram>);
    STATIC_REQUIRE_FALSE(valid_definition<example::plaintext_http, example::env_source, example::api_key, example::ram>);
    STATIC_REQUIRE_FALSE(valid_definition<int, credentials::env, auth::process_env, storage::memory>);
    STATIC_REQUIRE_FALSE(valid_definition<transport::stdio, credentials::env, auth::process_env, storage::memory, int>);
}

TEST_CASE("a server definition names its slots", "[definition]") {
    using def = server_definition<transport::stdio, credentials::env, auth::process_env, storage::memory>;
    STATIC_REQUIRE(std::is_same_v<def::transport, transport::stdio>);
    STATIC_REQUIRE(std::is_same_v<def::credentials, credentials::env>);
    STATIC_REQUIRE(std::is_same_v<def::auth, auth::process_env>);
    STATIC_REQUIRE(std::is_same_v<def::storage, storage::memory>);
    STATIC_REQUIRE(std::is_same_v<def::profile, profile::production>);
    STATIC_REQUIRE(definition<def>);
}
