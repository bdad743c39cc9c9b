// expect: compiles
#include "policies.hpp"
using shared = warden::server_definition<example::tls_http, example::env_source, example::signed_requests,
                                         example::shared_cache, warden::profile::replicated<>>;
// A scheme without shared state needs no shared storage, even when replicated.
using stateless = warden::server_definition<example::tls_http, example::env_source, example::api_key, example::ram,
                                            warden::profile::replicated<>>;
static_assert(sizeof(shared) + sizeof(stateless) > 0);
