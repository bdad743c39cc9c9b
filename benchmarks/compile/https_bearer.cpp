// Compile benchmark (b): an HTTPS server with one bearer scheme and one tool, as a user
// writes it in header-only mode.
#include <warden/transport/streamable_http.hpp>
#include <warden/warden.hpp>
namespace w = warden;

struct echo_args { std::string text; };
BOOST_DESCRIBE_STRUCT(echo_args, (), (text))

using definition = w::server_definition<w::transport::streamable_http<w::transport::tls>, w::credentials::env,
                                        w::auth::bearer, w::storage::memory>;

int main() {
    w::settings settings;
    settings.credentials = {{"MCP_BEARER_TOKEN", "the token clients present", true, true}};
    w::server<definition> server{{.name = "echo", .version = "1.0.0"}, std::move(settings)};
    server.tool("echo", "Echoes its text", [](const echo_args& args) { return w::tool_result::text(args.text); });
    return server.run();
}
