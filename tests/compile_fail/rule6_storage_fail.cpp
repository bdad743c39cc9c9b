// expect: warden: rule 6 \(replicated state needs shared storage\)
// Encrypted files are durable, but each instance has its own disk: a nonce recorded by one
// instance is unknown to the others, so a replay to another instance would be accepted.
#include <warden/auth/hmac.hpp>
#include <warden/credentials/file.hpp>
#include <warden/definition.hpp>
#include <warden/profile.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/transport/http/policy.hpp>
using def = warden::server_definition<warden::transport::streamable_http<warden::transport::tls>,
                                      warden::credentials::file, warden::auth::hmac, warden::storage::encrypted_file,
                                      warden::profile::replicated<>>;
static_assert(sizeof(def) > 0);
