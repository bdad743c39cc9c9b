// expect: compiles
// Its twin: on stdio the process environment is the credential (auth::process_env).
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
namespace w = warden;
using def = w::server_definition<w::transport::stdio, w::credentials::env, w::auth::process_env, w::storage::memory>;
static_assert(sizeof(def) > 0);
