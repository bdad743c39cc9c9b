// expect: compiles
// One instance may keep its tasks in memory; several need a store they share.
#include "policies.hpp"
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/profile.hpp>
#include <warden/server.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using single = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                    w::auth::bearer, w::storage::memory>;
using replicated = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                        w::auth::bearer, example::shared_cache, w::profile::replicated<>>;
void start(w::server<single>& one, w::server<replicated>& many) {
    one.enable_tasks();
    many.enable_tasks(w::task_settings{.max_per_caller = 4});
}
