// expect: compiles
#include "policies.hpp"
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, example::signed_requests, warden::storage::memory>;
static_assert(sizeof(def) > 0);
