// expect: compiles
// The same with storage that inserts with expiry atomically; and the plain resource server,
// which keeps no proofs, on that file storage.
#include "policies.hpp"
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using dpop = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                  w::auth::dpop_resource_server, w::storage::memory>;
using bearer = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                    w::auth::oauth_resource_server, example::plain_files>;
static_assert(sizeof(dpop) + sizeof(bearer) > 0);
