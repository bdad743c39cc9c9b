// expect: warden: environments: credentials are never shared between environments
// Staging and production reading the same variables would let a production secret serve
// staging (and the other way round).
#include "policies.hpp"
#include <warden/environments.hpp>
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, example::signed_requests,
                                      warden::storage::memory>;
using envs = warden::environments<warden::environment<"staging", def, "APP_">,
                                  warden::environment<"production", def, "APP_">>;
static_assert(sizeof(envs) > 0);
