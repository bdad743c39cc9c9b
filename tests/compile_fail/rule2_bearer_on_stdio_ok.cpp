// expect: compiles
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>
#include <warden/credentials/first_of.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
using def = warden::server_definition<warden::transport::stdio,
                                      warden::credentials::first_of<warden::credentials::file, warden::credentials::env>,
                                      warden::auth::process_env, warden::storage::memory>;
static_assert(sizeof(def) > 0);
