// expect: warden: rule 4 \(replay cache needs atomic insert-with-expiry\)
#include "policies.hpp"
using def = warden::server_definition<example::tls_http, example::env_source, example::signed_requests, example::plain_files>;
static_assert(sizeof(def) > 0);
