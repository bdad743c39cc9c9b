// expect: warden: rule 1 \(secret needs a confidential channel\)
// The real OAuth resource server over a plaintext network channel: bearer tokens in the clear.
#include "policies.hpp"
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::plaintext_http, warden::credentials::env,
                                      warden::auth::oauth_resource_server, warden::storage::memory>;
static_assert(sizeof(def) > 0);
