// expect: warden: modern_only<with_websocket<T>>: a WebSocket connection is one MCP session, and a modern_only transport serves no sessions; drop modern_only or with_websocket
// A WebSocket connection is one session of the session era; the stateless era has none.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
using http = warden::transport::streamable_http<warden::transport::tls>;
using def = warden::server_definition<warden::transport::modern_only<warden::transport::with_websocket<http>>,
                                      warden::credentials::env, warden::auth::bearer, warden::storage::memory>;
static_assert(sizeof(def) > 0);
