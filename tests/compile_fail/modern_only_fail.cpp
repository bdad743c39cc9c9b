// expect: warden: modern_only<T>: T must be a transport that serves both protocol eras
// modern_only narrows a transport that serves both eras to the stateless one; wrapping it
// twice (or wrapping something that is not such a transport) means nothing.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
using http = warden::transport::streamable_http<warden::transport::tls>;
using def = warden::server_definition<warden::transport::modern_only<warden::transport::modern_only<http>>,
                                      warden::credentials::env, warden::auth::bearer, warden::storage::memory>;
static_assert(sizeof(def) > 0);
