#include <warden/rules.hpp>

#include "../compile_fail/policies.hpp"

#include <warden/auth/anonymous.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/transport/streamable_http.hpp>

#include <catch2/catch.hpp>

using namespace warden;
using namespace example;

TEST_CASE("rule 1: a reusable secret needs a confidential channel", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::secret_needs_confidential_channel<plaintext_http, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<tls_http, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<mtls_http, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<loopback_http, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<terminated_http, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<plaintext_http, client_cert>); // no secret sent
}

TEST_CASE("rule 2: stdio takes credentials from its environment", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::http_scheme_needs_http<warden::transport::stdio, api_key>);
    STATIC_REQUIRE(rules::http_scheme_needs_http<tls_http, api_key>);
    STATIC_REQUIRE_FALSE(rules::process_trust_needs_local_process<tls_http, auth::process_env>);
    STATIC_REQUIRE_FALSE(rules::process_trust_needs_local_process<loopback_http, auth::process_env>);
    STATIC_REQUIRE(rules::process_trust_needs_local_process<warden::transport::stdio, auth::process_env>);
}

TEST_CASE("rule 3: mtls needs verified client certificates", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::mtls_needs_verified_certificates<tls_http, client_cert>);
    STATIC_REQUIRE(rules::mtls_needs_verified_certificates<mtls_http, client_cert>);
}

TEST_CASE("rule 4: a replay cache needs atomic insert-with-expiry", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::replay_store_needs_atomic_insert<signed_requests, plain_files>);
    STATIC_REQUIRE(rules::replay_store_needs_atomic_insert<signed_requests, storage::memory>);
    STATIC_REQUIRE(rules::replay_store_needs_atomic_insert<api_key, plain_files>);
}

TEST_CASE("rule 5: literal credentials only in profile::test", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::literal_credentials_only_in_tests<credentials::literal, profile::production>);
    STATIC_REQUIRE_FALSE(rules::literal_credentials_only_in_tests<credentials::literal, profile::development>);
    STATIC_REQUIRE(rules::literal_credentials_only_in_tests<credentials::literal, profile::test>);
    STATIC_REQUIRE(rules::literal_credentials_only_in_tests<credentials::env, profile::production>);
}

TEST_CASE("rule 6: replicated state needs shared storage", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::replicated_state_needs_shared_storage<signed_requests, storage::memory,
                                                                      profile::replicated<>>);
    STATIC_REQUIRE(rules::replicated_state_needs_shared_storage<signed_requests, shared_cache, profile::replicated<>>);
    STATIC_REQUIRE(rules::replicated_state_needs_shared_storage<signed_requests, storage::memory, profile::production>);
    STATIC_REQUIRE(rules::replicated_state_needs_shared_storage<api_key, storage::memory, profile::replicated<>>);
}

TEST_CASE("rule 7: an anonymous network server only on loopback in production", "[rules]") {
    STATIC_REQUIRE_FALSE(rules::anonymous_network_needs_loopback<tls_http, auth::anonymous, profile::production>);
    STATIC_REQUIRE(rules::anonymous_network_needs_loopback<loopback_http, auth::anonymous, profile::production>);
    STATIC_REQUIRE(rules::anonymous_network_needs_loopback<warden::transport::stdio, auth::anonymous, profile::production>);
    STATIC_REQUIRE(rules::anonymous_network_needs_loopback<tls_http, auth::anonymous, profile::development>);
}

TEST_CASE("all_hold is the conjunction of the rules", "[rules]") {
    STATIC_REQUIRE(rules::all_hold<warden::transport::stdio, credentials::env, auth::process_env, storage::memory,
                                   profile::production>);
    STATIC_REQUIRE_FALSE(rules::all_hold<plaintext_http, credentials::env, api_key, storage::memory,
                                         profile::production>);
}

TEST_CASE("the rules with warden's own HTTP transports", "[rules]") {
    using loopback_http_t = warden::transport::streamable_http<warden::transport::loopback>;
    using tls_http_t = warden::transport::streamable_http<warden::transport::tls>;
    using proxied_http_t = warden::transport::streamable_http<warden::transport::behind_tls_terminator>;
    // Rule 1: a reusable secret over each channel.
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<loopback_http_t, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<tls_http_t, api_key>);
    STATIC_REQUIRE(rules::secret_needs_confidential_channel<proxied_http_t, api_key>);
    // Rule 2: process trust is for stdio; HTTP schemes need HTTP.
    STATIC_REQUIRE_FALSE(rules::process_trust_needs_local_process<loopback_http_t, auth::process_env>);
    STATIC_REQUIRE(rules::http_scheme_needs_http<tls_http_t, api_key>);
    // Rule 3: none of these verifies client certificates.
    STATIC_REQUIRE_FALSE(rules::mtls_needs_verified_certificates<tls_http_t, client_cert>);
    // Rule 7: anonymous on loopback is fine, on TLS only outside production.
    STATIC_REQUIRE(rules::anonymous_network_needs_loopback<loopback_http_t, auth::anonymous, profile::production>);
    STATIC_REQUIRE_FALSE(rules::anonymous_network_needs_loopback<tls_http_t, auth::anonymous, profile::production>);
    STATIC_REQUIRE_FALSE(rules::anonymous_network_needs_loopback<proxied_http_t, auth::anonymous, profile::production>);
    STATIC_REQUIRE(rules::anonymous_network_needs_loopback<tls_http_t, auth::anonymous, profile::development>);
}
