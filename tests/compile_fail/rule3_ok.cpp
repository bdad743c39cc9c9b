// expect: compiles
#include "policies.hpp"
using def = warden::server_definition<example::mtls_http, example::env_source, example::client_cert, example::ram>;
static_assert(sizeof(def) > 0);
