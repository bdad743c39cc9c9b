// warden/deployments.hpp: named definitions for the deployments people run.
//
// Name one of these instead of five template arguments. Each is a `server_definition`,
// checked like any other. Later transports add HTTPS and OAuth deployments here.
#pragma once

#include <warden/auth/anonymous.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/definition.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/transport/http/policy.hpp>

namespace warden {

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

} // namespace warden
