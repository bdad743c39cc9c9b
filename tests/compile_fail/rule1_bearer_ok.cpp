// expect: compiles
#include <warden/auth/any_of.hpp>
#include <warden/auth/api_key.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/identity.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>
#include <warden/credentials/first_of.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using schemes = w::auth::any_of<w::auth::with_identity<w::auth::api_key<"X-API-Key">>, w::auth::bearer>;
using sources = w::credentials::first_of<w::credentials::file, w::credentials::env>;
using over_tls = w::server_definition<w::transport::streamable_http<w::transport::tls>, sources, schemes, w::storage::memory>;
using on_loopback = w::server_definition<w::transport::streamable_http<w::transport::loopback>, sources, schemes, w::storage::memory>;
using behind_proxy = w::server_definition<w::transport::streamable_http<w::transport::behind_tls_terminator>, sources,
                                          schemes, w::storage::memory>;
static_assert(sizeof(over_tls) + sizeof(on_loopback) + sizeof(behind_proxy) > 0);
