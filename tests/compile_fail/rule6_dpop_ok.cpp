// expect: compiles
// One instance may keep proofs in memory; several need a shared store.
#include "policies.hpp"
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/profile.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using single = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                    w::auth::dpop_resource_server, w::storage::memory>;
using replicated = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                        w::auth::dpop_resource_server, example::shared_cache, w::profile::replicated<>>;
static_assert(sizeof(single) + sizeof(replicated) > 0);
