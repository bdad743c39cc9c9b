// expect: warden: rule 4 \(replay cache needs atomic insert-with-expiry\)
// The real auth::hmac keeps its nonces in the storage: one without atomic insert-if-absent won't do.
#include "policies.hpp"
#include <warden/auth/hmac.hpp>
#include <warden/credentials/env.hpp>
#include <warden/transport/http/policy.hpp>
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::env, warden::auth::hmac, example::plain_files>;
static_assert(sizeof(def) > 0);
