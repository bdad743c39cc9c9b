// expect: warden: rule 2 \(stdio takes credentials from its environment\)
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
using def = warden::server_definition<warden::transport::stdio, warden::credentials::env, warden::auth::bearer,
                                      warden::storage::memory>;
static_assert(sizeof(def) > 0);
