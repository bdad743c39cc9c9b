// expect: compiles
// The same server with the implementation header included.
#include <warden/deployments.hpp>
#include <warden/server.hpp>
#include <warden/transport/streamable_http.hpp>
int serve() {
    warden::server<warden::local_http_server> s{{.name = "n", .version = "1"}};
    return s.run();
}
