// expect: compiles
#include "policies.hpp"
#include <warden/auth/anonymous.hpp>
using on_loopback = warden::server_definition<example::loopback_http, example::env_source, warden::auth::anonymous, example::ram>;
using in_development = warden::server_definition<example::tls_http, example::env_source, warden::auth::anonymous,
                                                 example::ram, warden::profile::development>;
static_assert(sizeof(on_loopback) + sizeof(in_development) > 0);
