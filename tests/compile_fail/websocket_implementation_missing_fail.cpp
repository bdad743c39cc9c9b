// expect: warden: serving transport::with_websocket needs the WebSocket endpoint's implementation; #include <warden/transport/websocket.hpp>
// A server whose type has the WebSocket endpoint, in a unit that includes the HTTP
// implementation but not the WebSocket one: run() says which header to add.
#include <warden/auth/anonymous.hpp>
#include <warden/credentials/env.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/streamable_http.hpp>
using def = warden::server_definition<
    warden::transport::with_websocket<warden::transport::streamable_http<warden::transport::loopback>>,
    warden::credentials::env, warden::auth::anonymous, warden::storage::memory>;
int serve() {
    warden::server<def> s{{.name = "n", .version = "1"}};
    return s.run();
}
