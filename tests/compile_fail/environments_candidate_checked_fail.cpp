// expect: warden: rule 5 \(literal credentials only in tests\)
// Every candidate is checked, even one that is never chosen at run time: a production
// environment with credentials written in the source does not compile.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/environments.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using dev = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::literal,
                                 w::auth::bearer, w::storage::memory, w::profile::test>;
using prod = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::literal,
                                  w::auth::bearer, w::storage::memory, w::profile::production>;
using envs = w::environments<w::environment<"development", dev, "DEV_">, w::environment<"production", prod, "PROD_">>;
int main() { return envs::names().empty(); }
