// expect: compiles
// The twin: production takes its secrets from the environment; the test deployment keeps a literal.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/environments.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using dev = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::literal,
                                 w::auth::bearer, w::storage::memory, w::profile::test>;
using prod = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                  w::auth::bearer, w::storage::memory, w::profile::production>;
using envs = w::environments<w::environment<"development", dev, "DEV_">, w::environment<"production", prod, "PROD_">>;
int main() { return envs::names().empty(); }
