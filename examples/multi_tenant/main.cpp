// multi_tenant: one MCP server for many tenants. A caller authenticates with its token in
// `X-Auth-Token`; `X-Tenant-ID` (or the host name, `acme.mcp.example.com`),
// `X-Workspace-ID` and `X-User-ID` then select within what that token allows. A token
// lists its tenants; naming another is 403. Handlers see the tenant in the principal and
// keep each tenant's data apart.
//
//     ACME_TOKEN=... GLOBEX_TOKEN=... multi_tenant --listen 127.0.0.1:8080
//
// See README.md.
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace w = warden;

namespace {
template <class Channel>
using definition = w::http_server<w::auth::with_identity<w::auth::api_key<"X-Auth-Token">>, Channel>;

struct task_args {
    std::string title;
};
BOOST_DESCRIBE_STRUCT(task_args, (), (title))

/// Tasks per tenant and workspace: a tenant never sees another's.
struct task_board {
    std::mutex mutex;
    std::map<std::string, std::vector<std::string>> tasks; // "tenant/workspace" -> titles

    static std::string key(const w::principal& p) {
        return p.tenant + "/" + (p.workspace.empty() ? "default" : p.workspace);
    }
};
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"ACME_TOKEN", "the token of Acme's MCP clients (tenants acme, acme-eu)", true, true},
        {"GLOBEX_TOKEN", "the token of Globex's MCP clients (tenant globex)", true, true},
        {"OPS_TOKEN", "an operator token that may act for every tenant", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "multi_tenant",
                                         "A task board per tenant; X-Auth-Token authenticates, X-Tenant-ID selects.",
                                         env, settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.api_key.keys = {
        {.name = "acme-clients", .credentials = {"ACME_TOKEN"}, .scopes = {"tasks"}, .tenants = {"acme", "acme-eu"}},
        {.name = "globex-clients", .credentials = {"GLOBEX_TOKEN"}, .scopes = {"tasks"}, .tenants = {"globex"}},
        {.name = "operator", .credentials = {"OPS_TOKEN"}, .scopes = {"tasks"}, .tenants = {"*"}, .required = false},
    };
    settings.auth.identity.tenant_required = true;
    if (const char* domain = std::getenv("MULTI_TENANT_DOMAIN")) settings.auth.identity.tenant_domain = domain;
    if (!settings.auth.identity.tenant_domain.empty())
        settings.http.allowed_hosts.push_back("*." + settings.auth.identity.tenant_domain);
    task_board board;
    return w::on_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        w::server<definition<Channel>> server{{.name = "warden-multi-tenant", .version = w::version_string}, settings};
        server.tool(w::tool_spec{.name = "add_task", .description = "Adds a task to the caller's tenant and workspace",
                                 .scopes = {"tasks"}},
                    [&board](const task_args& a, w::call_context& ctx) {
                        std::lock_guard lock(board.mutex);
                        auto& list = board.tasks[task_board::key(ctx.caller())];
                        const auto* user = ctx.caller().claims.if_contains("user");
                        list.push_back(a.title + (user ? " (" + std::string(user->as_string()) + ")" : ""));
                        return w::tool_result::text("added to " + task_board::key(ctx.caller()));
                    });
        server.tool(w::tool_spec{.name = "list_tasks", .description = "Lists the tasks of the caller's tenant and workspace",
                                 .scopes = {"tasks"}},
                    [&board](w::call_context& ctx) {
                        std::lock_guard lock(board.mutex);
                        std::string out = task_board::key(ctx.caller()) + ":";
                        for (const auto& t : board.tasks[task_board::key(ctx.caller())]) out += "\n- " + t;
                        return w::tool_result::text(out);
                    });
        return server.run();
    });
}
