// expect: compiles
// The twin of modern_only_fail: a modern-only transport, over HTTP and over stdio.
#include <warden/auth/bearer.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/transport/http/policy.hpp>
using http = warden::transport::streamable_http<warden::transport::tls>;
using def = warden::server_definition<warden::transport::modern_only<http>, warden::credentials::env,
                                      warden::auth::bearer, warden::storage::memory>;
using local = warden::server_definition<warden::transport::modern_only<warden::transport::stdio>,
                                        warden::credentials::env, warden::auth::process_env, warden::storage::memory>;
static_assert(sizeof(def) > 0 && sizeof(local) > 0);
static_assert(!def::transport::serves_session_era && !local::transport::serves_session_era);
