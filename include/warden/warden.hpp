// warden/warden.hpp: what every server author uses: the server and its definition, the
// MCP core, every credential source and storage policy, the auth schemes that verify what
// a request carries, and the stdio transport.
//
// Three parts have headers of their own, so that a translation unit that does not use them
// never compiles them (a stdio server compiles no HTTP, TLS or WebSocket code):
//
//   <warden/transport/streamable_http.hpp>     serving over HTTP (the policy type alone is in
//                                              <warden/transport/http/policy.hpp>, included here)
//   <warden/auth/oauth_resource_server.hpp>    OAuth access tokens (fetches keys and introspects)
//   <warden/upstream/client.hpp>               calling upstream APIs with OAuth tokens
//
// <warden/storage/redis.hpp> needs hiredis (link warden::redis).
#pragma once

#include <warden/auth/anonymous.hpp>
#include <warden/auth/any_of.hpp>
#include <warden/auth/api_key.hpp>
#include <warden/auth/basic.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/gate.hpp>
#include <warden/auth/hmac.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/identity.hpp>
#include <warden/auth/jwt.hpp>
#include <warden/auth/mtls.hpp>
#include <warden/auth/principal.hpp>
#include <warden/auth/process_env.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/cli.hpp>
#include <warden/client_certificate.hpp>
#include <warden/concepts.hpp>
#include <warden/credentials/command.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/credentials/env.hpp>
#include <warden/credentials/file.hpp>
#include <warden/credentials/first_of.hpp>
#include <warden/credentials/literal.hpp>
#include <warden/credentials/secret.hpp>
#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/crypto/jws.hpp>
#include <warden/crypto/password.hpp>
#include <warden/crypto/x509.hpp>
#include <warden/definition.hpp>
#include <warden/deployments.hpp>
#include <warden/environments.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/mcp/cache_hint.hpp>
#include <warden/mcp/content.hpp>
#include <warden/mcp/context.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/outbound.hpp>
#include <warden/mcp/registry.hpp>
#include <warden/mcp/schema.hpp>
#include <warden/mcp/session.hpp>
#include <warden/mcp/session_options.hpp>
#include <warden/mcp/versions.hpp>
#include <warden/profile.hpp>
#include <warden/rules.hpp>
#include <warden/server.hpp>
#include <warden/server_info.hpp>
#include <warden/settings.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/file.hpp>
#include <warden/storage/memory.hpp>
#include <warden/storage/settings.hpp>
#include <warden/storage/store.hpp>
#include <warden/traits.hpp>
#include <warden/transport/channel.hpp>
#include <warden/transport/http/policy.hpp>
#include <warden/transport/http_settings.hpp>
#include <warden/transport/modern_only.hpp>
#include <warden/transport/stdio.hpp>
#include <warden/version.hpp>
