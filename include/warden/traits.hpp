// warden/traits.hpp: the vocabulary that policies use to describe themselves.
//
// Every policy states its properties as `static constexpr` members. The composition rules
// (warden/rules.hpp) read only these traits, never the policy's name, so a policy written
// by a user is checked exactly like warden's own.
#pragma once

namespace warden {

/// What a transport's channel guarantees about the bytes between client and server.
enum class channel_security {
    local_process,      ///< a pipe to a child process (stdio): the trust boundary is the process
    loopback_plaintext, ///< plaintext, bound to 127.0.0.0/8 or ::1 only
    plaintext,          ///< plaintext on a network: anyone on the path reads it
    tls_terminated,     ///< plaintext behind a TLS-terminating proxy the operator configured
    tls,                ///< TLS to the client
    mutual_tls,         ///< TLS with a verified client certificate
};

/// True when a reusable secret (a bearer token, an API key, a password) may cross the channel.
constexpr bool is_confidential(channel_security c) noexcept {
    return c == channel_security::local_process || c == channel_security::loopback_plaintext ||
           c == channel_security::tls_terminated || c == channel_security::tls ||
           c == channel_security::mutual_tls;
}

/// True when only this host can reach the server over the channel.
constexpr bool is_host_local(channel_security c) noexcept {
    return c == channel_security::local_process || c == channel_security::loopback_plaintext;
}

namespace detail {
/// Names a type only when `V` is a constant expression: the slot concepts require their
/// traits to be `static constexpr`.
template <auto V>
struct constant_expression {};
} // namespace detail

} // namespace warden
