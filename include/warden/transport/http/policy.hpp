// warden/transport/http/policy.hpp: the `streamable_http<Channel>` policy type alone: its
// traits, and `serve`, which forwards to the implementation in
// <warden/transport/streamable_http.hpp>.
//
// Naming a definition over Streamable HTTP (checking its rules, an alias in
// warden/deployments.hpp) needs only this header, which parses no Beast, TLS or WebSocket
// code. Serving one needs the implementation in the same translation unit; without it,
// `server<...>::run()` stops compiling with a message that says which header to include.
//
// `with_websocket<streamable_http<Channel>>` adds the WebSocket endpoint (MCP over a
// WebSocket, not a transport of the MCP specification; warden/transport/websocket.hpp).
#pragma once

#include <warden/transport/channel.hpp>
#include <warden/transport/modern_only.hpp> // modern_only<streamable_http<...>>: the stateless era alone

#include <concepts>

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

/// Serves the WebSocket endpoint. Defined in <warden/transport/websocket.hpp>.
struct websocket_endpoint;

template <class T>
concept complete_type = requires { sizeof(T); };

/// The implementation of `Server` and, for `with_websocket`, of the WebSocket endpoint,
/// passed to `Server::run`.
template <class Server, class... Endpoints>
int run_http_server(warden::detail::server_core& core) {
    static_assert(complete_type<Server>,
                  "warden: serving over transport::streamable_http needs its implementation; "
                  "#include <warden/transport/streamable_http.hpp> in this translation unit");
    static_assert((complete_type<Endpoints> && ...),
                  "warden: serving transport::with_websocket needs the WebSocket endpoint's implementation; "
                  "#include <warden/transport/websocket.hpp> in this translation unit");
    if constexpr (complete_type<Server> && (complete_type<Endpoints> && ...))
        return Server::run(core, Endpoints::serve...);
    else
        return 1; // not compiled: one of the assertions above has failed (and said why)
}
} // namespace detail

/// The Streamable HTTP transport policy over `Channel` (loopback, tls, behind_tls_terminator,
/// mutual_tls, behind_mtls_terminator).
template <class Channel>
struct streamable_http {
    static constexpr channel_security channel = Channel::security;
    static constexpr bool carries_http_headers = true;
    static constexpr bool serves_session_era = true; ///< initialize and sessions, besides 2026-07-28
    static constexpr bool verifies_client_certificates = Channel::verifies_client_certificates;
    static constexpr bool serves_websocket = false; ///< `with_websocket<streamable_http<...>>` does
    using channel_type = Channel;

    template <class Auth, class Server = detail::http_server<Auth, Channel>>
    static int serve(warden::detail::server_core& core) {
        return detail::run_http_server<Server>(core);
    }
};

namespace detail {
template <class T>
concept http_transport_without_websocket = requires {
    typename T::channel_type;
    { T::serves_websocket } -> std::convertible_to<bool>;
} && !T::serves_websocket;
} // namespace detail

/// `T` (`streamable_http<Channel>`) with the WebSocket endpoint besides (`/ws` by default,
/// subprotocol "mcp", one session per connection, the same Host/Origin checks and auth
/// gate on the upgrade request). WebSocket is not a transport of the MCP specification:
/// a server offers it only when its type says so, and only a unit that serves it compiles
/// it (#include <warden/transport/websocket.hpp>).
template <class T>
struct with_websocket : T {
    static_assert(detail::http_transport_without_websocket<T>,
                  "warden: with_websocket<T>: the WebSocket endpoint belongs to the HTTP server; T must be "
                  "transport::streamable_http<...>, wrapped once");
    static_assert(T::serves_session_era,
                  "warden: with_websocket<T>: a WebSocket connection is one MCP session, and a modern_only "
                  "transport serves no sessions; drop modern_only or with_websocket");
    static constexpr bool serves_websocket = true;

    template <class Auth, class Server = detail::http_server<Auth, typename T::channel_type>,
              class Endpoint = detail::websocket_endpoint>
    static int serve(warden::detail::server_core& core) {
        return detail::run_http_server<Server, Endpoint>(core);
    }
};

} // namespace transport
} // namespace warden
