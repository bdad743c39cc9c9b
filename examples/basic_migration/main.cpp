// basic_migration: an MCP server in the middle of moving its clients off HTTP Basic.
// Existing clients keep sending `Authorization: Basic ...` (users with scrypt password
// hashes); new clients send a bearer token. Whichever credential a request presents
// decides (auth::any_of): a wrong password is refused, never retried as something else.
// Once every client has moved, drop `basic` from the definition (and then, with the OAuth
// resource server, the static tokens too). See README.md.
//
//     MCP_BASIC_USERS="$(hash_password alice)" MCP_BEARER_TOKEN=$(openssl rand -hex 32) basic_migration
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <string>

namespace w = warden;

namespace {
template <class Channel>
using definition = w::http_server<w::auth::any_of<w::auth::bearer, w::auth::basic>, Channel>;
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"MCP_BASIC_USERS", "the remaining Basic users: one user:hash line each (tools/hash_password)", true, true},
        {"MCP_BEARER_TOKEN", "the token migrated clients send instead", true, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "basic_migration",
                                         "Moving MCP clients from HTTP Basic to bearer tokens, both accepted meanwhile.",
                                         env, settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.basic.scopes = {{"*", {"reports:read"}}};
    settings.auth.bearer.tokens = {{.name = "migrated-client", .credentials = {"MCP_BEARER_TOKEN"},
                                    .scopes = {"reports:read"}}};
    return w::on_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        w::server<definition<Channel>> server{{.name = "warden-basic-migration", .version = w::version_string},
                                              settings};
        server.tool(w::tool_spec{.name = "report", .description = "This week's report", .scopes = {"reports:read"}},
                    [&server](w::call_context& ctx) {
                        const auto& who = ctx.caller();
                        if (who.scheme == "basic")
                            server.log().warn("user " + who.subject + " still signs in with Basic; move them to a token");
                        return w::tool_result::text("report for " + who.subject + " (signed in with " + who.scheme + ")");
                    });
        return server.run();
    });
}
