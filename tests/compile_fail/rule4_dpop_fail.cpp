// expect: warden: rule 4 \(replay cache needs atomic insert-with-expiry\)
// DPoP proofs' jtis live in the storage: one without atomic insert-if-absent would let a
// captured proof through twice.
#include "policies.hpp"
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/transport/http/policy.hpp>
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::env, warden::auth::dpop_resource_server, example::plain_files>;
static_assert(sizeof(def) > 0);
