// expect: compiles
#include "policies.hpp"
#include <warden/auth/process_env.hpp>
using def = warden::server_definition<example::pipe, example::env_source, warden::auth::process_env, example::ram>;
static_assert(sizeof(def) > 0);
