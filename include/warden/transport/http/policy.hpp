// warden/transport/http/policy.hpp: the `streamable_http<Channel>` policy type alone: its
// traits, and `serve`, which forwards to the implementation in
// <warden/transport/streamable_http.hpp>.
//
// Naming a definition over Streamable HTTP (checking its rules, an alias in
// warden/deployments.hpp) needs only this header, which parses no Beast, TLS or WebSocket
// code. Serving one needs the implementation in the same translation unit; without it,
// `server<...>::run()` stops compiling with a message that says which header to include.
#pragma once

#include <warden/transport/channel.hpp>
#include <warden/transport/modern_only.hpp> // modern_only<streamable_http<...>>: the stateless era alone

namespace warden {
namespace detail {
class server_core;
} // namespace detail

namespace transport {
namespace detail {
/// Serves a definition over Streamable HTTP: `http_server<Auth, Channel>::run(core)`.
/// Defined in <warden/transport/streamable_http.hpp>.
template <class Auth, class Channel>
struct http_server;

template <class T>
concept complete_type = requires { sizeof(T); };
} // namespace detail

/// The Streamable HTTP transport policy over `Channel` (loopback, tls, behind_tls_terminator,
/// mutual_tls, behind_mtls_terminator).
template <class Channel>
struct streamable_http {
    static constexpr channel_security channel = Channel::security;
    static constexpr bool carries_http_headers = true;
    static constexpr bool serves_session_era = true; ///< initialize and sessions, besides 2026-07-28
    static constexpr bool verifies_client_certificates = Channel::verifies_client_certificates;

    template <class Auth, class Server = detail::http_server<Auth, Channel>>
    static int serve(warden::detail::server_core& core) {
        static_assert(detail::complete_type<Server>,
                      "warden: serving over transport::streamable_http needs its implementation; "
                      "#include <warden/transport/streamable_http.hpp> in this translation unit");
        return Server::run(core);
    }
};

} // namespace transport
} // namespace warden
