// expect: compiles
#include "policies.hpp"
static_assert(warden::auth_scheme_policy<example::api_key>);
static_assert(!warden::auth_scheme_policy<int>);
using def = warden::server_definition<example::tls_http, example::env_source, example::api_key, example::ram>;
static_assert(sizeof(def) > 0);
