// expect: warden: rule 6 \(replicated state needs shared storage\)
#include "policies.hpp"
#include <warden/storage/memory.hpp>
using def = warden::server_definition<example::tls_http, example::env_source, example::signed_requests,
                                      warden::storage::memory, warden::profile::replicated<>>;
static_assert(sizeof(def) > 0);
