// expect: warden: rule 1 \(secret needs a confidential channel\)
#include "policies.hpp"
using def = warden::server_definition<example::plaintext_http, example::env_source, example::api_key, example::ram>;
static_assert(sizeof(def) > 0);
