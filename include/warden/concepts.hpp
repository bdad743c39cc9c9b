// warden/concepts.hpp: one concept per slot of a server definition.
//
// A policy is any type with the traits below as `static constexpr` members; the concepts
// check that they are there and are constant expressions. Runtime behaviour (serving a
// transport, loading credentials, authenticating a request, storing a value) is asked of a
// policy only when a server actually uses it.
//
// Transport requirements (`warden::transport_policy`):
//
// | expression                          | type                            | meaning                                          |
// |-------------------------------------|---------------------------------|--------------------------------------------------|
// | `T::channel`                        | `const channel_security`        | what the channel guarantees (traits.hpp)         |
// | `T::carries_http_headers`           | `const bool`                    | requests arrive with HTTP headers                |
// | `T::verifies_client_certificates`   | `const bool`                    | the TLS layer verifies a client certificate      |
//
// Credential source requirements (`warden::credential_source_policy`):
//
// | expression                          | type           | meaning                                                  |
// |-------------------------------------|----------------|----------------------------------------------------------|
// | `C::production_ready`               | `const bool`   | secrets come from outside the source code                |
//
// Auth scheme requirements (`warden::auth_scheme_policy`):
//
// | expression                          | type           | meaning                                                  |
// |-------------------------------------|----------------|----------------------------------------------------------|
// | `A::requires_http`                  | `const bool`   | reads its credentials from HTTP headers                  |
// | `A::requires_local_process`         | `const bool`   | trusts the process boundary (stdio only)                 |
// | `A::sends_reusable_secret`          | `const bool`   | the client sends a secret that can be replayed           |
// | `A::requires_client_certificate`    | `const bool`   | identity comes from a verified client certificate        |
// | `A::requires_replay_store`          | `const bool`   | keeps a replay cache (needs atomic insert-with-expiry)   |
// | `A::keeps_shared_state`             | `const bool`   | keeps state every instance must see (replay, rotation)   |
// | `A::is_anonymous`                   | `const bool`   | authenticates nobody                                     |
//
// Storage requirements (`warden::storage_policy`):
//
// | expression                          | type           | meaning                                                  |
// |-------------------------------------|----------------|----------------------------------------------------------|
// | `S::durable`                        | `const bool`   | values survive a restart                                 |
// | `S::atomic_insert_with_expiry`      | `const bool`   | "insert if absent, expire after t" is one atomic step    |
// | `S::shared_across_instances`        | `const bool`   | every server instance sees the same values               |
//
// Profile requirements: warden/profile.hpp.
#pragma once

#include <warden/profile.hpp>
#include <warden/traits.hpp>

#include <concepts>
#include <type_traits>

namespace warden {

namespace detail {
template <auto V>
struct constant_expression {};
} // namespace detail

template <class T>
concept transport_policy = requires {
    { T::channel } -> std::convertible_to<channel_security>;
    { T::carries_http_headers } -> std::convertible_to<bool>;
    { T::verifies_client_certificates } -> std::convertible_to<bool>;
    typename detail::constant_expression<T::channel>;
    typename detail::constant_expression<T::carries_http_headers>;
    typename detail::constant_expression<T::verifies_client_certificates>;
};

template <class C>
concept credential_source_policy = requires {
    { C::production_ready } -> std::convertible_to<bool>;
    typename detail::constant_expression<C::production_ready>;
};

template <class A>
concept auth_scheme_policy = requires {
    { A::requires_http } -> std::convertible_to<bool>;
    { A::requires_local_process } -> std::convertible_to<bool>;
    { A::sends_reusable_secret } -> std::convertible_to<bool>;
    { A::requires_client_certificate } -> std::convertible_to<bool>;
    { A::requires_replay_store } -> std::convertible_to<bool>;
    { A::keeps_shared_state } -> std::convertible_to<bool>;
    { A::is_anonymous } -> std::convertible_to<bool>;
    typename detail::constant_expression<A::requires_http>;
    typename detail::constant_expression<A::requires_local_process>;
    typename detail::constant_expression<A::sends_reusable_secret>;
    typename detail::constant_expression<A::requires_client_certificate>;
    typename detail::constant_expression<A::requires_replay_store>;
    typename detail::constant_expression<A::keeps_shared_state>;
    typename detail::constant_expression<A::is_anonymous>;
};

template <class S>
concept storage_policy = requires {
    { S::durable } -> std::convertible_to<bool>;
    { S::atomic_insert_with_expiry } -> std::convertible_to<bool>;
    { S::shared_across_instances } -> std::convertible_to<bool>;
    typename detail::constant_expression<S::durable>;
    typename detail::constant_expression<S::atomic_insert_with_expiry>;
    typename detail::constant_expression<S::shared_across_instances>;
};

} // namespace warden
