// expect: warden: rule 3 \(mtls needs verified client certificates\)
#include "policies.hpp"
using def = warden::server_definition<example::tls_http, example::env_source, example::client_cert, example::ram>;
static_assert(sizeof(def) > 0);
