// expect: warden: rule 2 \(stdio takes credentials from its environment\)
// OAuth on stdio: there is no HTTP request to carry a token, and no redirect to run the flow.
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
namespace w = warden;
using def = w::server_definition<w::transport::stdio, w::credentials::env, w::auth::oauth_resource_server, w::storage::memory>;
static_assert(sizeof(def) > 0);
