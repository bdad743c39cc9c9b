// warden/profile.hpp: which composition rules are in force.
//
// Profile requirements (concept `warden::profile_policy`):
//
// | expression                          | type           | meaning                                                  |
// |-------------------------------------|----------------|----------------------------------------------------------|
// | `P::allows_literal_credentials`     | `const bool`   | secrets written in the source are accepted (tests only)   |
// | `P::allows_anonymous_network`       | `const bool`   | an unauthenticated server may listen beyond loopback      |
// | `P::multi_instance`                 | `const bool`   | the deployment runs several instances behind a balancer   |
#pragma once

#include <concepts>
#include <type_traits>

namespace warden {

template <class P>
concept profile_policy = requires {
    { P::allows_literal_credentials } -> std::convertible_to<bool>;
    { P::allows_anonymous_network } -> std::convertible_to<bool>;
    { P::multi_instance } -> std::convertible_to<bool>;
    typename std::bool_constant<P::allows_literal_credentials>;
    typename std::bool_constant<P::allows_anonymous_network>;
    typename std::bool_constant<P::multi_instance>;
};

namespace profile {

/// Every rule in force. The default.
struct production {
    static constexpr bool allows_literal_credentials = false;
    static constexpr bool allows_anonymous_network = false;
    static constexpr bool multi_instance = false;
};

/// For a developer's machine: an anonymous server may listen on a network.
struct development {
    static constexpr bool allows_literal_credentials = false;
    static constexpr bool allows_anonymous_network = true;
    static constexpr bool multi_instance = false;
    static constexpr bool allows_loopback_http_fetch = true;
    static constexpr bool accepts_weak_password_hashes = true;
    static constexpr bool allows_plaintext_redis = true;
    static constexpr bool accepts_any_host = true;
    static constexpr bool audits_by_default = false;
};

/// For tests: secrets may be written in the source (credentials::literal).
struct test {
    static constexpr bool allows_literal_credentials = true;
    static constexpr bool allows_anonymous_network = true;
    static constexpr bool multi_instance = false;
    static constexpr bool allows_loopback_http_fetch = true;
    static constexpr bool accepts_weak_password_hashes = true;
    static constexpr bool allows_plaintext_redis = true;
    static constexpr bool accepts_any_host = true;
    static constexpr bool audits_by_default = false;
};

/// Whether profile `P` lets the server fetch its own documents (an issuer's keys and
/// metadata) over plain HTTP from a loopback address: `development` and `test` do; any
/// profile that does not say so (`production` first) does not.
template <class P>
inline constexpr bool allows_loopback_http_fetch = requires { requires P::allows_loopback_http_fetch; };

/// Whether auth::basic accepts password hashes weaker than OWASP's guidance (cheap hashes
/// for tests and a developer's machine): `development` and `test` do; any profile that does
/// not say so does not.
template <class P>
inline constexpr bool accepts_weak_password_hashes = requires { requires P::accepts_weak_password_hashes; };

/// Whether storage::redis may use `redis://` without TLS to a host beyond loopback without
/// the setting that says the network is private: `development` and `test` may.
template <class P>
inline constexpr bool allows_plaintext_redis = requires { requires P::allows_plaintext_redis; };

/// Whether an HTTP server beyond loopback, with no allowed-host list and no certificate
/// names to stand in for one, answers any Host (`development`, `test`) or refuses to start.
template <class P>
inline constexpr bool accepts_any_host = requires { requires P::accepts_any_host; };

/// Whether the audit log (warden/audit.hpp) is on unless the settings say otherwise: off
/// in profiles that say `audits_by_default = false` (`development`, `test`), on in every
/// other (`production` first).
template <class P>
inline constexpr bool audits_by_default = !requires { requires !P::audits_by_default; };

/// `Base`, deployed as several instances that share state through the storage policy
/// (docs/design.md §7). Rule 6 then requires storage shared across instances.
template <profile_policy Base = production>
struct replicated : Base {
    static constexpr bool multi_instance = true;
};

} // namespace profile
} // namespace warden
