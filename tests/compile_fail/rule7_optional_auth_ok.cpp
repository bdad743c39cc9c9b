// expect: compiles
#include <warden/auth/anonymous.hpp>
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using on_loopback = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::env,
                                         w::auth::any_of<w::auth::bearer, w::auth::anonymous>, w::storage::memory>;
using in_development = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                            w::auth::any_of<w::auth::bearer, w::auth::anonymous>, w::storage::memory,
                                            w::profile::development>;
static_assert(sizeof(on_loopback) + sizeof(in_development) > 0);
