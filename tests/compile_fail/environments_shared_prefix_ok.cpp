// expect: compiles
// The twin: each environment reads its own variables.
#include "policies.hpp"
#include <warden/environments.hpp>
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, example::signed_requests,
                                      warden::storage::memory>;
using envs = warden::environments<warden::environment<"staging", def, "STAGING_">,
                                  warden::environment<"production", def, "PROD_">>;
static_assert(sizeof(envs) > 0);
