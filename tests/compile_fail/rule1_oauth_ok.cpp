// expect: compiles
// The OAuth resource server over HTTPS, mutual TLS, loopback, or behind a TLS terminator.
#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/credentials/env.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
template <class Channel>
using def = w::server_definition<w::transport::streamable_http<Channel>, w::credentials::env,
                                 w::auth::oauth_resource_server, w::storage::memory>;
static_assert(sizeof(def<w::transport::tls>) + sizeof(def<w::transport::mutual_tls>) + sizeof(def<w::transport::loopback>) +
                  sizeof(def<w::transport::behind_tls_terminator>) >
              0);
// Alternatives and identity headers pass the scheme's metadata, step-up and key fetching through.
#include <warden/auth/api_key.hpp>
#include <warden/auth/identity.hpp>
using mixed = w::auth::any_of<w::auth::with_identity<w::auth::oauth_resource_server>, w::auth::api_key<"X-API-Key">>;
static_assert(w::auth::detail::serves_resource_metadata<mixed> && w::auth::detail::has_step_up<mixed> &&
              w::auth::detail::runs_in_background<mixed> && w::auth::detail::wants_tool_scopes<mixed>);
static_assert(!w::auth::detail::serves_resource_metadata<w::auth::any_of<w::auth::bearer>>);
