// expect: compiles
// The OAuth resource server over HTTPS, mutual TLS, loopback, or behind a TLS terminator.
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/streamable_http.hpp>
namespace w = warden;
template <class Channel>
using def = w::server_definition<w::transport::streamable_http<Channel>, w::credentials::env,
                                 w::auth::oauth_resource_server, w::storage::memory>;
static_assert(sizeof(def<w::transport::tls>) + sizeof(def<w::transport::mutual_tls>) + sizeof(def<w::transport::loopback>) +
                  sizeof(def<w::transport::behind_tls_terminator>) >
              0);
