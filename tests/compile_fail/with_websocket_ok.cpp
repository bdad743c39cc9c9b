// expect: compiles
// The twin of the with_websocket rules: the endpoint on Streamable HTTP over every channel,
// named with the light policy header alone; the session era is served, as it must be.
#include <warden/auth/bearer.hpp>
#include <warden/auth/mtls.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace t = warden::transport;
using def = warden::server_definition<t::with_websocket<t::streamable_http<t::tls>>, warden::credentials::env,
                                      warden::auth::bearer, warden::storage::memory>;
using proxied = warden::server_definition<t::with_websocket<t::streamable_http<t::behind_tls_terminator>>,
                                          warden::credentials::env, warden::auth::bearer, warden::storage::memory>;
using mutual = warden::server_definition<t::with_websocket<t::streamable_http<t::mutual_tls>>, warden::credentials::env,
                                         warden::auth::mtls, warden::storage::memory>;
static_assert(sizeof(def) + sizeof(proxied) + sizeof(mutual) > 0);
static_assert(def::transport::serves_websocket && def::transport::serves_session_era);
static_assert(def::transport::channel == t::streamable_http<t::tls>::channel);
