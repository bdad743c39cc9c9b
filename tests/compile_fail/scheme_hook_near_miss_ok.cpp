// expect: compiles
// The same scheme with may_block as the table in warden/auth/scheme.hpp has it.
#include <warden/auth/gate.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
struct remote_check : warden::auth::header_secret_traits {
    warden::gate_result authenticate(const warden::http_request_view&) const { return warden::principal{}; }
    bool may_block() const { return true; }
};
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::env, remote_check, warden::storage::memory>;
void make() { warden::server<def> s{{.name = "n", .version = "1"}}; }
