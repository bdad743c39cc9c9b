// warden/rules.hpp: every composition rule of a server definition, and nothing else.
//
// Each rule is a `constexpr bool` that tests can query, and a `static_assert` in
// `check_rules` whose message reads `warden: <rule>: <what is wrong>; <what to use instead>`.
// The rules read policy traits only (warden/concepts.hpp), so they hold for user policies too.
#pragma once

#include <warden/concepts.hpp>

namespace warden::rules {

/// Rule 1: a scheme that sends a reusable secret needs a confidential channel.
template <class T, class A>
inline constexpr bool secret_needs_confidential_channel =
    !A::sends_reusable_secret || is_confidential(T::channel);

/// Rule 2: stdio takes credentials from its environment; HTTP schemes need HTTP, and the
/// process-trust scheme needs a local process.
template <class T, class A>
inline constexpr bool http_scheme_needs_http = !A::requires_http || T::carries_http_headers;
template <class T, class A>
inline constexpr bool process_trust_needs_local_process =
    !A::requires_local_process || T::channel == channel_security::local_process;

/// Rule 3: client-certificate identity needs a transport that verifies certificates.
template <class T, class A>
inline constexpr bool mtls_needs_verified_certificates =
    !A::requires_client_certificate || T::verifies_client_certificates;

/// Rule 4: a replay cache needs a storage with atomic insert-with-expiry.
template <class A, class S>
inline constexpr bool replay_store_needs_atomic_insert =
    !A::requires_replay_store || S::atomic_insert_with_expiry;

/// Rule 5: credentials written in the source only in profile::test.
template <class C, class P>
inline constexpr bool literal_credentials_only_in_tests = C::production_ready || P::allows_literal_credentials;

/// Rule 6: several instances need storage shared across them for the scheme's shared state.
template <class A, class S, class P>
inline constexpr bool replicated_state_needs_shared_storage =
    !P::multi_instance || !A::keeps_shared_state || S::shared_across_instances;

/// Rule 7: an unauthenticated network server is refused in production unless loopback-only.
template <class T, class A, class P>
inline constexpr bool anonymous_network_needs_loopback =
    !A::is_anonymous || is_host_local(T::channel) || P::allows_anonymous_network;

/// Rule 8: tasks of a replicated deployment live in storage every instance shares (a client
/// polls whichever instance it reaches). Checked by `server<D>::enable_tasks()`.
template <class S, class P>
inline constexpr bool replicated_tasks_need_shared_storage = !P::multi_instance || S::shared_across_instances;

/// True when every rule holds.
template <class T, class C, class A, class S, class P>
inline constexpr bool all_hold =
    secret_needs_confidential_channel<T, A> && http_scheme_needs_http<T, A> &&
    process_trust_needs_local_process<T, A> && mtls_needs_verified_certificates<T, A> &&
    replay_store_needs_atomic_insert<A, S> && literal_credentials_only_in_tests<C, P> &&
    replicated_state_needs_shared_storage<A, S, P> && anonymous_network_needs_loopback<T, A, P>;

/// Instantiated by server_definition: one static_assert per rule, in rule order.
template <class T, class C, class A, class S, class P>
struct check_rules {
    static_assert(secret_needs_confidential_channel<T, A>,
                  "warden: rule 1 (secret needs a confidential channel): this auth scheme sends a reusable "
                  "secret and the transport is plaintext; use transport::streamable_http<tls>, <mutual_tls>, "
                  "<loopback> or <behind_tls_terminator>");
    static_assert(http_scheme_needs_http<T, A>,
                  "warden: rule 2 (stdio takes credentials from its environment): this auth scheme reads HTTP "
                  "headers and the transport has none; use auth::process_env on stdio, or an HTTP transport");
    static_assert(process_trust_needs_local_process<T, A>,
                  "warden: rule 2 (process trust is for stdio only): auth::process_env trusts the local process "
                  "and this transport accepts network clients; use an HTTP auth scheme such as auth::bearer or "
                  "auth::oauth_resource_server");
    static_assert(mtls_needs_verified_certificates<T, A>,
                  "warden: rule 3 (mtls needs verified client certificates): this auth scheme reads a client "
                  "certificate and the transport does not verify one; use transport::streamable_http<mutual_tls>");
    static_assert(replay_store_needs_atomic_insert<A, S>,
                  "warden: rule 4 (replay cache needs atomic insert-with-expiry): this auth scheme keeps a "
                  "replay cache and the storage cannot insert-if-absent atomically; use storage::memory or "
                  "storage::redis");
    static_assert(literal_credentials_only_in_tests<C, P>,
                  "warden: rule 5 (literal credentials only in tests): secrets written in the source are refused "
                  "outside profile::test; use credentials::env, credentials::file or credentials::command");
    static_assert(replicated_state_needs_shared_storage<A, S, P>,
                  "warden: rule 6 (replicated state needs shared storage): the profile declares several "
                  "instances and the auth scheme keeps state they must share, in storage that is per instance; "
                  "use storage::redis");
    static_assert(anonymous_network_needs_loopback<T, A, P>,
                  "warden: rule 7 (anonymous network server only on loopback): auth::anonymous on a network "
                  "transport is refused in production; bind transport::streamable_http<loopback>, add an auth "
                  "scheme, or use profile::development");
    static constexpr bool value = true;
};

/// Instantiated by `server<D>::enable_tasks()`: the rules of a server that runs tasks.
template <class S, class P>
struct check_task_rules {
    static_assert(replicated_tasks_need_shared_storage<S, P>,
                  "warden: rule 8 (replicated tasks need shared storage): the profile declares several instances "
                  "and tasks would be kept in storage that is per instance, so a client polling another instance "
                  "would not find its task; use storage::redis");
    static constexpr bool value = true;
};

} // namespace warden::rules
