// mtls: an MCP server whose callers prove who they are with a client certificate (mutual
// TLS), as service meshes and internal platforms do. No shared secret crosses the wire.
//
//     mtls --listen 0.0.0.0:8443 --tls-cert server.pem --tls-key server.key --tls-client-ca clients-ca.pem
//     mtls --listen 127.0.0.1:8080 --trusted-proxy 127.0.0.1 --tls-client-ca clients-ca.pem   (behind nginx)
//
// Which certificates are accepted, and what each may do, is an allowlist of subjectAltNames
// in MTLS_OPERATORS and MTLS_READERS. See README.md.
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace w = warden;

namespace {
template <class Channel>
using definition = w::server_definition<w::transport::streamable_http<Channel>, w::credentials::env,
                                        w::auth::mtls, w::storage::memory>;

struct restart_args {
    std::string service;
};
BOOST_DESCRIBE_STRUCT(restart_args, (), (service))

/// "URI:spiffe://...=name,DNS:host=name2": the identities one role grants.
std::vector<w::certificate_identity> identities(const char* variable, std::vector<std::string> scopes) {
    std::vector<w::certificate_identity> out;
    const char* value = std::getenv(variable);
    std::string list = value ? value : "";
    std::size_t start = 0;
    while (start < list.size()) {
        auto end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string item = list.substr(start, end - start);
        start = end + 1;
        if (item.empty()) continue;
        auto eq = item.rfind('=');
        w::certificate_identity id;
        id.san = item.substr(0, eq);
        id.name = eq == std::string::npos ? item.substr(4) : item.substr(eq + 1);
        id.scopes = scopes;
        out.push_back(std::move(id));
    }
    return out;
}

const char* const services[] = {"billing", "search", "ingest"};
} // namespace

int main(int argc, char** argv) {
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "mtls",
                                         "Service operations over MCP for callers with client certificates.\n"
                                         "MTLS_OPERATORS and MTLS_READERS list the accepted certificate names:\n"
                                         "\"URI:spiffe://example.org/ns/ci/sa/deployer=deployer,DNS:host.example=name\"",
                                         {}, settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.mtls.identities = identities("MTLS_OPERATORS", {"services:read", "services:restart"});
    for (auto& id : identities("MTLS_READERS", {"services:read"})) settings.auth.mtls.identities.push_back(std::move(id));

    return w::on_client_certificate_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        w::server<definition<Channel>> server{{.name = "warden-mtls", .version = w::version_string}, settings};
        server.tool(w::tool_spec{.name = "list_services", .description = "The services and their state",
                                 .scopes = {"services:read"}},
                    [](w::call_context& ctx) {
                        std::string out;
                        for (const char* s : services) out += std::string(s) + ": running\n";
                        return w::tool_result::text(out + "(asked by " + ctx.caller().subject + " as " +
                                                    ctx.caller().client + ")");
                    });
        server.tool(w::tool_spec{.name = "restart_service", .description = "Restarts one service",
                                 .scopes = {"services:restart"}},
                    [](const restart_args& a, w::call_context& ctx) {
                        for (const char* s : services)
                            if (a.service == s)
                                return w::tool_result::text("restarted " + a.service + " (for " +
                                                            ctx.caller().subject + ")");
                        return w::tool_result::error("no service named \"" + a.service + "\"");
                    });
        return server.run();
    });
}
