// warden/definition.hpp: a server as a type.
//
// `server_definition<Transport, Credentials, Auth, Storage, Profile>` composes one policy
// per slot (warden/concepts.hpp) and checks every composition rule (warden/rules.hpp) when
// it is named. A definition that compiles is one warden considers sound; one that does
// not names the broken rule and the fix.
#pragma once

#include <warden/concepts.hpp>
#include <warden/profile.hpp>
#include <warden/rules.hpp>

namespace warden {

namespace detail {
template <class T, class C, class A, class S, class P>
struct check_slots {
    static_assert(transport_policy<T>,
                  "warden: slot 1 (transport): the type is not a transport policy; it needs static constexpr "
                  "channel, carries_http_headers and verifies_client_certificates (see warden/concepts.hpp)");
    static_assert(credential_source_policy<C>,
                  "warden: slot 2 (credential source): the type is not a credential source policy; it needs "
                  "static constexpr production_ready (see warden/concepts.hpp)");
    static_assert(auth_scheme_policy<A>,
                  "warden: slot 3 (auth scheme): the type is not an auth scheme policy; it needs the static "
                  "constexpr traits listed in warden/concepts.hpp");
    static_assert(storage_policy<S>,
                  "warden: slot 4 (storage): the type is not a storage policy; it needs static constexpr "
                  "durable, atomic_insert_with_expiry and shared_across_instances (see warden/concepts.hpp)");
    static_assert(profile_policy<P>,
                  "warden: slot 5 (profile): the type is not a profile; use profile::production, "
                  "profile::development or profile::test");
    static constexpr bool value = transport_policy<T> && credential_source_policy<C> && auth_scheme_policy<A> &&
                                  storage_policy<S> && profile_policy<P>;
};

template <bool SlotsOk, class T, class C, class A, class S, class P>
struct check_definition : check_slots<T, C, A, S, P> {};
template <class T, class C, class A, class S, class P>
struct check_definition<true, T, C, A, S, P> : rules::check_rules<T, C, A, S, P> {};
} // namespace detail

/// True when the five policies fill their slots and obey every composition rule. Use it
/// to test a definition without instantiating it (`STATIC_REQUIRE_FALSE(...)`).
template <class T, class C, class A, class S, class P = profile::production>
concept valid_definition = transport_policy<T> && credential_source_policy<C> && auth_scheme_policy<A> &&
                           storage_policy<S> && profile_policy<P> && rules::all_hold<T, C, A, S, P>;

/// A server's five policies, checked as one. Naming it (as a template argument of
/// `warden::server`, or with `static_assert(sizeof(...))`) fires the rules; its members
/// name the slots.
template <class Transport, class Credentials, class Auth, class Storage, class Profile = profile::production>
struct server_definition {
    // Instantiating the checks fires one static_assert per broken slot or rule.
    static_assert(detail::check_definition<detail::check_slots<Transport, Credentials, Auth, Storage, Profile>::value,
                                           Transport, Credentials, Auth, Storage, Profile>::value);

    using transport = Transport;
    using credentials = Credentials;
    using auth = Auth;
    using storage = Storage;
    using profile = Profile;
    static constexpr bool is_valid = true;
};

template <class D>
concept definition = requires {
    typename D::transport;
    typename D::credentials;
    typename D::auth;
    typename D::storage;
    typename D::profile;
    requires D::is_valid;
};

} // namespace warden
