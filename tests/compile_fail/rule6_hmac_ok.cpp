// expect: compiles
// One instance may keep its nonces in memory; several need a shared store.
#include "policies.hpp"
#include <warden/auth/hmac.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/profile.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using single = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env, w::auth::hmac,
                                    w::storage::memory>;
using replicated = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                        w::auth::hmac, example::shared_cache, w::profile::replicated<>>;
static_assert(sizeof(single) + sizeof(replicated) > 0);
