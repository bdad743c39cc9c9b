// expect: warden: with_websocket<T>: the WebSocket endpoint belongs to the HTTP server; T must be transport::streamable_http<...>, wrapped once
// The WebSocket endpoint is an endpoint of the HTTP server: over stdio it means nothing.
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
#include <warden/transport/stdio.hpp>
using def = warden::server_definition<warden::transport::with_websocket<warden::transport::stdio>,
                                      warden::credentials::env, warden::auth::process_env, warden::storage::memory>;
static_assert(sizeof(def) > 0);
