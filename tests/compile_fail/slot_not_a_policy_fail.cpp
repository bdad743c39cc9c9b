// expect: warden: slot 3 \(auth scheme\): the type is not an auth scheme policy
#include "policies.hpp"
struct not_a_scheme {};
using def = warden::server_definition<example::tls_http, example::env_source, not_a_scheme, example::ram>;
static_assert(sizeof(def) > 0);
