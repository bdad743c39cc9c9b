// echo: the smallest useful MCP server: one tool, echo(text), that returns its text.
// The load benchmark (benchmarks/run.sh) measures it against the TypeScript SDK.
//
//     echo --listen 127.0.0.1:8080 [--stateless]     or     echo --stdio
#include <warden/warden.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <cstdlib>
#include <iostream>

namespace w = warden;

namespace {
struct echo_args {
    std::string text;
};
BOOST_DESCRIBE_STRUCT(echo_args, (), (text))
inline w::field_docs warden_field_docs(const echo_args*) { return {{"text", "What to send back"}}; }

// What the server offers, whatever its definition: a plain function over server_base, so
// that the tool's conversions are compiled once, not once per definition that main serves.
void offer(w::server_base& server) {
    server.tool(w::tool_spec{.name = "echo",
                             .description = "Returns its text unchanged",
                             .annotations = {{"readOnlyHint", true}, {"idempotentHint", true}},
                             .run_inline = true}, // never blocks: no hop to the worker pool
                [](const echo_args& a) { return w::tool_result::text(a.text); });
}

template <class Definition>
int serve(w::settings settings) {
    w::server<Definition> server{{.name = "warden-echo", .version = w::version_string}, std::move(settings)};
    offer(server);
    return server.run();
}
} // namespace

using bearer_http = w::server_definition<w::transport::streamable_http<w::transport::loopback>,
                                         w::credentials::env, w::auth::bearer, w::storage::memory>;
using oauth_http = w::server_definition<w::transport::streamable_http<w::transport::loopback>,
                                        w::credentials::env, w::auth::dpop_resource_server, w::storage::memory>;

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"ECHO_BEARER_TOKEN", "over HTTP on loopback: admit only callers presenting this bearer token", false, true}};
    // ECHO_ISSUER, ECHO_JWKS, ECHO_RESOURCE (not secrets): admit JWT access tokens instead;
    // ECHO_TOKEN_CACHE=0 turns the verified-token cache off; ECHO_DPOP=1 takes DPoP-bound
    // tokens with their proofs too (RFC 9449).
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "echo", "An MCP server with one tool, echo(text).", env, settings, cl))
        return *exit;
    settings.http.max_sessions = 100'000; // the benchmark holds 10 000 idle sessions open
    if (cl.stdio) return serve<w::local_stdio_server>(std::move(settings));
    // JWT access tokens (what the benchmark compares with the static token): the issuer's
    // JWK set inline, and the resource the tokens are for.
    if (std::getenv("ECHO_ISSUER") && std::getenv("ECHO_JWKS") && std::getenv("ECHO_RESOURCE") && cl.tls_cert.empty()) {
        settings.auth.oauth.resource = std::getenv("ECHO_RESOURCE");
        settings.auth.oauth.issuers = {{.issuer = std::getenv("ECHO_ISSUER"), .jwks = std::getenv("ECHO_JWKS")}};
        if (const char* n = std::getenv("ECHO_TOKEN_CACHE")) settings.auth.oauth.verified_token_cache = std::strtoul(n, nullptr, 10);
        if (const char* d = std::getenv("ECHO_DPOP"); d && std::string_view(d) == "1")
            settings.auth.oauth.issuers.front().dpop = w::dpop_mode::allowed;
        return serve<oauth_http>(std::move(settings));
    }
    if (std::getenv("ECHO_BEARER_TOKEN") && cl.tls_cert.empty()) {
        settings.auth.bearer.tokens = {{.name = "echo-client", .credentials = {"ECHO_BEARER_TOKEN"}}};
        return serve<bearer_http>(std::move(settings));
    }
    if (!cl.tls_cert.empty())
        return serve<w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                          w::auth::anonymous, w::storage::memory, w::profile::development>>(
            std::move(settings));
    return serve<w::local_http_server>(std::move(settings));
}
