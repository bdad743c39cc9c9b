// expect: compiles
// auth::mtls over the transports that verify client certificates: warden's own TLS, or a
// trusted TLS terminator that forwards the certificate (verified again by warden).
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/identity.hpp>
#include <warden/auth/mtls.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using direct = w::server_definition<w::transport::streamable_http<w::transport::mutual_tls>, w::credentials::env,
                                    w::auth::any_of<w::auth::mtls, w::auth::bearer>, w::storage::memory>;
using via_proxy = w::server_definition<w::transport::streamable_http<w::transport::behind_mtls_terminator>,
                                       w::credentials::env, w::auth::with_identity<w::auth::mtls>, w::storage::memory>;
static_assert(sizeof(direct) + sizeof(via_proxy) > 0);
