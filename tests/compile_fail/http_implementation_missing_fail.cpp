// expect: warden: serving over transport::streamable_http needs its implementation; #include <warden/transport/streamable_http.hpp>
// A server over HTTP whose translation unit has only the light headers: the policy type is
// there (its rules are checked), the serving code is not, and run() says which header to add.
#include <warden/deployments.hpp>
#include <warden/server.hpp>
int serve() {
    warden::server<warden::local_http_server> s{{.name = "n", .version = "1"}};
    return s.run();
}
