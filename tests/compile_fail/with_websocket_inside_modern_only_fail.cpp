// expect: warden: with_websocket<T>: a WebSocket connection is one MCP session, and a modern_only transport serves no sessions; drop modern_only or with_websocket
// The same rule with the wrappers the other way round.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
using http = warden::transport::streamable_http<warden::transport::tls>;
using def = warden::server_definition<warden::transport::with_websocket<warden::transport::modern_only<http>>,
                                      warden::credentials::env, warden::auth::bearer, warden::storage::memory>;
static_assert(sizeof(def) > 0);
