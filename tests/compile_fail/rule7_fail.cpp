// expect: warden: rule 7 \(anonymous network server only on loopback\)
#include "policies.hpp"
#include <warden/auth/anonymous.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, warden::auth::anonymous, example::ram>;
static_assert(sizeof(def) > 0);
