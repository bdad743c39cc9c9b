// expect: warden: rule 2 \(process trust is for stdio only\)
#include "policies.hpp"
#include <warden/auth/process_env.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, warden::auth::process_env, example::ram>;
static_assert(sizeof(def) > 0);
