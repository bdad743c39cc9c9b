// expect: compiles
// The twin of websocket_implementation_missing_fail: the same server with the WebSocket
// endpoint's header included; and a server without the endpoint needs no such header.
#include <warden/auth/anonymous.hpp>
#include <warden/credentials/env.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/websocket.hpp>
using http = warden::transport::streamable_http<warden::transport::loopback>;
using def = warden::server_definition<warden::transport::with_websocket<http>, warden::credentials::env,
                                      warden::auth::anonymous, warden::storage::memory>;
using plain = warden::server_definition<http, warden::credentials::env, warden::auth::anonymous, warden::storage::memory>;
static_assert(def::transport::serves_websocket && !plain::transport::serves_websocket);
int serve() {
    warden::server<def> s{{.name = "n", .version = "1"}};
    return s.run();
}
