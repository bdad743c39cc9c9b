// expect: compiles
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/hmac.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using alone = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env, w::auth::hmac,
                                   w::storage::memory>;
using among = w::server_definition<w::transport::streamable_http<w::transport::loopback>, w::credentials::env,
                                   w::auth::any_of<w::auth::bearer, w::auth::hmac>, w::storage::memory>;
static_assert(sizeof(alone) + sizeof(among) > 0);
