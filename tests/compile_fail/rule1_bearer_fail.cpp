// expect: warden: rule 1 \(secret needs a confidential channel\)
// The real bearer and api_key schemes, alone or among alternatives, over a plaintext channel.
#include "policies.hpp"
#include <warden/auth/any_of.hpp>
#include <warden/auth/api_key.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::plaintext_http, warden::credentials::env,
                                      warden::auth::any_of<warden::auth::api_key<"X-API-Key">, warden::auth::bearer>,
                                      warden::storage::memory>;
static_assert(sizeof(def) > 0);
