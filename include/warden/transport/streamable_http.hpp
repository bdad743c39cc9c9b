// warden/transport/streamable_http.hpp: MCP over Streamable HTTP (spec 2025-11-25, also
// serving 2025-03-26 and 2025-06-18 clients).
//
// `streamable_http<Channel>` is the transport policy; `Channel` (warden/transport/channel.hpp)
// says what the connection guarantees. One endpoint (`/mcp` by default):
//
// - POST a JSON-RPC message or batch. Notifications and responses only: 202. A request:
//   200 with `application/json` when the first thing the handler sends is its result, or
//   an SSE stream (`text/event-stream`) carrying its notifications and requests to the
//   client, then the result.
// - GET opens the session's server-to-client SSE stream (one at a time: 409 otherwise).
// - DELETE ends the session.
//
// Before anything is parsed: a cap on the request head (431), on the body (413, decided
// from Content-Length before reading it), on slow clients (408), on connections; a request
// with both Content-Length and Transfer-Encoding is refused (400) and the connection
// closed. Then the Host and Origin checks (DNS rebinding: 403), then the auth gate (its
// challenge), then the session: `Mcp-Session-Id` (256 random bits) is issued by
// initialize, required afterwards (400 when missing, 404 when unknown or ended), and bound
// to the principal that created it (403 for anyone else). `MCP-Protocol-Version` must be a
// supported revision (400); absent means 2025-03-26. Idle sessions expire; a cap on live
// sessions answers 503. `/healthz` answers 200 without authentication and says nothing more.
//
// In stateless mode (`http_settings::stateless`) there are no sessions: each POST is served
// by a fresh MCP session; GET and DELETE are 405.
//
// The implementation is split by job under warden/transport/http/: policy.hpp (the policy
// type), gate.hpp and any_stream.hpp (what the connection talks to), state.hpp,
// connection.hpp (and its impl/ files), listen.hpp, accept.hpp, metrics_listener.hpp and
// serve.hpp. Including this header includes them all.
#pragma once

#include <warden/transport/http/policy.hpp>
#include <warden/transport/http/serve.hpp>
