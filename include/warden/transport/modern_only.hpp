// warden/transport/modern_only.hpp: a transport that serves the stateless era (MCP
// 2026-07-28) only.
//
//     using definition = warden::server_definition<
//         warden::transport::modern_only<warden::transport::streamable_http<warden::channel::tls>>, ...>;
//
// By default warden serves both eras on one endpoint: `initialize` opens a session of the
// 2024-11-05 ... 2025-11-25 revisions, a request whose `_meta` names its protocol version is
// served on its own. A modern-only server refuses the session era: `initialize` and other
// requests without the modern `_meta` get -32022 naming "2026-07-28" (HTTP 400), GET and
// DELETE get 405, `Mcp-Session-Id` and `Last-Event-ID` are ignored, the legacy HTTP+SSE
// endpoint is off (and `with_websocket` does not compile with it). The choice is part of
// the server's type, like the others.
#pragma once

#include <concepts>
#include <type_traits>

namespace warden::transport {

template <class T>
concept serves_both_eras = requires {
    { T::serves_session_era } -> std::convertible_to<bool>;
} && T::serves_session_era;

template <class T>
struct modern_only : T {
    static_assert(serves_both_eras<T>,
                  "warden: modern_only<T>: T must be a transport that serves both protocol eras "
                  "(transport::streamable_http<...> or transport::stdio), wrapped once");
    static_assert(!requires { requires T::serves_websocket; },
                  "warden: modern_only<with_websocket<T>>: a WebSocket connection is one MCP session, and a "
                  "modern_only transport serves no sessions; drop modern_only or with_websocket");
    static constexpr bool serves_session_era = false;
};

} // namespace warden::transport
