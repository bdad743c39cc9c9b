// expect: compiles
// The twin: the same replicated deployment with storage::redis, the shared store; and one
// instance may keep its nonces in (encrypted) files.
#include <warden/auth/hmac.hpp>
#include <warden/credentials/file.hpp>
#include <warden/definition.hpp>
#include <warden/profile.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/file.hpp>
#include <warden/storage/redis.hpp>
#include <warden/transport/http/policy.hpp>
namespace w = warden;
using replicated = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::file,
                                        w::auth::hmac, w::storage::redis, w::profile::replicated<>>;
using single = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::file,
                                    w::auth::hmac, w::storage::encrypted_file>;
using single_plain = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::file,
                                          w::auth::hmac, w::storage::file>;
static_assert(sizeof(replicated) + sizeof(single) + sizeof(single_plain) > 0);
