// expect: warden: rule 6 \(replicated state needs shared storage\)
// Several instances each remembering proofs in their own memory would each accept a
// captured DPoP proof once.
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/profile.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::env, warden::auth::dpop_resource_server,
                                      warden::storage::memory, warden::profile::replicated<>>;
static_assert(sizeof(def) > 0);
