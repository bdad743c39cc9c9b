// static_bearer: an MCP server over HTTP that admits callers presenting a static bearer
// token, with per-token scopes and rotation without a restart.
//
//     MCP_BEARER_TOKEN=$(openssl rand -hex 32) static_bearer --listen 127.0.0.1:8080
//
// Tokens come from files (MCP_BEARER_TOKEN_FILE=/run/secrets/token, or a systemd
// credentials directory) or else from the environment. See README.md.
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace w = warden;

namespace {
template <class Channel>
using definition = w::http_server<w::auth::bearer, Channel>;

struct note_args {
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note_args, (), (text))

/// A notebook shared by every caller: reading needs notes:read, writing notes:write.
struct notebook {
    std::mutex mutex;
    std::vector<std::string> notes;

    template <class Server>
    void serve_on(Server& server) {
        server.tool(w::tool_spec{.name = "list_notes", .description = "Lists the notes", .scopes = {"notes:read"}},
                    [this](w::call_context&) {
                        std::lock_guard lock(mutex);
                        std::string all;
                        for (const auto& n : notes) all += "- " + n + "\n";
                        return w::tool_result::text(all.empty() ? "no notes yet" : all);
                    });
        server.tool(w::tool_spec{.name = "add_note", .description = "Adds a note", .scopes = {"notes:write"}},
                    [this](const note_args& a, w::call_context& ctx) {
                        std::lock_guard lock(mutex);
                        notes.push_back(a.text + " (by " + ctx.caller().subject + ")");
                        return w::tool_result::text("added note " + std::to_string(notes.size()));
                    });
        server.tool("whoami", "Says which token the caller presented, by name, and its scopes",
                    [](w::call_context& ctx) {
                        std::string scopes;
                        for (const auto& s : ctx.caller().scopes) scopes += " " + s;
                        return w::tool_result::text("token=" + ctx.caller().subject + " scopes:" + scopes);
                    });
    }
};
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"MCP_BEARER_TOKEN", "the token clients send (read and write); openssl rand -hex 32", true, true},
        {"MCP_BEARER_TOKEN_NEXT", "a second read-write token, for rotation", false, true},
        {"MCP_READONLY_TOKEN", "a token that may only read", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "static_bearer",
                                         "An MCP notebook over HTTP; callers present a static bearer token.", env,
                                         settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.bearer.tokens = {
        {.name = "writer", .credentials = {"MCP_BEARER_TOKEN"}, .scopes = {"notes:read", "notes:write"}},
        {.name = "writer", .credentials = {"MCP_BEARER_TOKEN_NEXT"}, .scopes = {"notes:read", "notes:write"},
         .required = false},
        {.name = "reader", .credentials = {"MCP_READONLY_TOKEN"}, .scopes = {"notes:read"}, .required = false},
    };
    notebook book;
    return w::on_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        w::server<definition<Channel>> server{{.name = "warden-static-bearer", .version = w::version_string}, settings};
        book.serve_on(server);
        return server.run();
    });
}
