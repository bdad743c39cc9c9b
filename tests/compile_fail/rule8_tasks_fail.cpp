// expect: warden: rule 8 \(replicated tasks need shared storage\)
// Instances that each keep their tasks in their own memory would answer "unknown task" to a
// client whose next poll reaches another instance.
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/profile.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::env, warden::auth::bearer, warden::storage::memory,
                                      warden::profile::replicated<>>;
void start(warden::server<def>& s) { s.enable_tasks(); }
