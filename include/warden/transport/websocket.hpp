// warden/transport/websocket.hpp: the WebSocket endpoint of a `with_websocket<...>` transport
// (warden/transport/http/policy.hpp), MCP over a WebSocket with the subprotocol "mcp".
//
// WebSocket is not a transport of the MCP specification; some clients speak it (the
// TypeScript SDK's WebSocketClientTransport). A server serves it only when its transport is
// `with_websocket<streamable_http<Channel>>`, and only a unit that serves such a server
// includes this header and compiles Beast's WebSocket code:
//
//     using definition = warden::server_definition<
//         warden::transport::with_websocket<warden::transport::streamable_http<warden::transport::tls>>, ...>;
//
// The endpoint (`http_settings::websocket_path`, `/ws`) is behind the same Host and Origin
// checks and the same auth gate as `/mcp`, applied to the upgrade request. Each connection
// is one session of the session era; JSON-RPC messages travel as text frames.
#pragma once

#include <warden/config.hpp>
#include <warden/transport/streamable_http.hpp>

namespace warden::transport::detail {

/// Serves a WebSocket upgrade on `/ws` for `with_websocket` transports.
struct websocket_endpoint {
    static net::awaitable<after> serve(connection& c);
};

} // namespace warden::transport::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/transport/http/impl/websocket.hpp>
#endif
