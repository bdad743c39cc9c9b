// expect: warden: rule 7
// Optional authentication (anonymous as a last alternative) is unauthenticated in production.
#include <warden/auth/anonymous.hpp>
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using def = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                 w::auth::any_of<w::auth::bearer, w::auth::anonymous>, w::storage::memory>;
static_assert(sizeof(def) > 0);
