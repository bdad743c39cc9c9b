// expect: compiles
#include "policies.hpp"
using over_tls = warden::server_definition<example::tls_http, example::env_source, example::api_key, example::ram>;
using on_loopback = warden::server_definition<example::loopback_http, example::env_source, example::api_key, example::ram>;
using behind_proxy = warden::server_definition<example::terminated_http, example::env_source, example::api_key, example::ram>;
static_assert(sizeof(over_tls) + sizeof(on_loopback) + sizeof(behind_proxy) > 0);
