// expect: warden: rule 3 \(mtls needs verified client certificates\)
// The real auth::mtls, alone or beside a bearer token, over HTTPS that does not ask for
// client certificates.
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/mtls.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using def = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                 w::auth::any_of<w::auth::mtls, w::auth::bearer>, w::storage::memory>;
static_assert(sizeof(def) > 0);
