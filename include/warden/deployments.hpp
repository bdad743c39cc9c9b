// warden/deployments.hpp: named definitions for the deployments people run.
//
// Name one of these instead of five template arguments. Each is a `server_definition`,
// checked like any other (an alias hides no rule: `http_server<auth::bearer,
// transport::loopback>` is fine on this host, and rule 1 still refuses a plaintext channel
// that is not loopback).
//
// | alias | transport | credentials | auth | storage | profile |
// |---|---|---|---|---|---|
// | `local_stdio_server` | stdio | env | process_env | memory | production |
// | `local_http_server` | streamable_http<loopback> | env | anonymous | memory | production |
// | `test_stdio_server` | stdio | literal | process_env | memory | test |
// | `http_server<Scheme, Channel = tls, Storage = memory, Profile = production>` | streamable_http<Channel> | first_of<file, env> | Scheme | Storage | Profile |
// | `https_server<Scheme, Storage = memory>` | streamable_http<tls> | first_of<file, env> | Scheme | Storage | production |
// | `oauth_protected_server<Channel = tls, Storage = memory>` | streamable_http<Channel> | first_of<file, env> | oauth_resource_server | Storage | production |
// | `replicated_hmac_server<Channel = behind_tls_terminator>` | streamable_http<Channel> | first_of<file, env> | hmac | redis | replicated<> |
//
// The OAuth and Redis aliases name types whose headers this one does not include (they
// fetch over the network, or need hiredis): include <warden/auth/oauth_resource_server.hpp>
// or <warden/storage/redis.hpp> where you use them, and <warden/transport/streamable_http.hpp>
// to serve any HTTP definition.
#pragma once

#include <warden/auth/anonymous.hpp>
#include <warden/auth/hmac.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>
#include <warden/credentials/first_of.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/transport/http/policy.hpp>

namespace warden {

namespace auth {
class oauth_resource_server; // <warden/auth/oauth_resource_server.hpp>
} // namespace auth
namespace storage {
struct redis; // <warden/storage/redis.hpp>
} // namespace storage

/// A local server launched by an MCP client (Claude Code, Claude Desktop): stdio, its
/// secrets from the environment the client sets, the process as the trust boundary.
template <class Storage = storage::memory>
using basic_local_stdio_server =
    server_definition<transport::stdio, credentials::env, auth::process_env, Storage, profile::production>;
using local_stdio_server = basic_local_stdio_server<>;

/// A local HTTP server without authentication: plaintext, and only this host can reach
/// it (rule 7 allows anonymous callers there). Host and Origin are checked.
template <class Storage = storage::memory>
using basic_local_http_server = server_definition<transport::streamable_http<transport::loopback>,
                                                  credentials::env, auth::anonymous, Storage, profile::production>;
using local_http_server = basic_local_http_server<>;

/// The same server in a test, with credentials written in the test's source.
using test_stdio_server =
    server_definition<transport::stdio, credentials::literal, auth::process_env, storage::memory, profile::test>;

/// A network server over Streamable HTTP on `Channel` whose callers authenticate with
/// `Scheme`; its secrets from files (a secrets mount, `credentials::file`) or else the
/// environment. `Channel` is often chosen at run time: tls when it terminates TLS itself,
/// behind_tls_terminator behind a proxy, loopback in tests.
template <class Scheme, class Channel = transport::tls, class Storage = storage::memory,
          class Profile = profile::production>
using http_server = server_definition<transport::streamable_http<Channel>,
                                      credentials::first_of<credentials::file, credentials::env>, Scheme, Storage,
                                      Profile>;

/// An HTTPS server that terminates TLS itself.
template <class Scheme, class Storage = storage::memory>
using https_server = http_server<Scheme, transport::tls, Storage>;

/// An OAuth 2.1 resource server (MCP authorization): access tokens issued by your
/// authorization server, checked against its keys or its introspection endpoint.
template <class Channel = transport::tls, class Storage = storage::memory>
using oauth_protected_server = http_server<auth::oauth_resource_server, Channel, Storage>;

/// Several instances behind a load balancer that terminates TLS, their callers signing
/// each request (HMAC); the nonces that stop replays live in the Redis they share.
template <class Channel = transport::behind_tls_terminator>
using replicated_hmac_server = http_server<auth::hmac, Channel, storage::redis, profile::replicated<>>;

} // namespace warden
