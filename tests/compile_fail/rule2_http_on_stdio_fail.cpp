// expect: warden: rule 2 \(stdio takes credentials from its environment\)
#include "policies.hpp"
#include <warden/transport/stdio.hpp>
using def = warden::server_definition<warden::transport::stdio, example::env_source, example::api_key, example::ram>;
static_assert(sizeof(def) > 0);
