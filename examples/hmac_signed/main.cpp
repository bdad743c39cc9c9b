// hmac_signed: an MCP server whose callers sign every request (method, target, host,
// timestamp, nonce, body hash) with a shared key: nothing replayable crosses the wire, and a
// captured request is refused a second time. The nonces live in the definition's storage
// (rule 4: atomic insert-with-expiry). See README.md for the header format and signers.
//
//     BILLING_HMAC_KEY=$(openssl rand -hex 32) hmac_signed --listen 127.0.0.1:8080
//
// Behind nginx, one of several instances (examples/deployment/nginx.conf):
//
//     REDIS_URL=redis://10.0.0.5:6379 hmac_signed --listen 127.0.0.1:8001 --instance a
//         --trusted-proxy 127.0.0.1 --allow-host mcp.example.com   (one command line)
//
// With REDIS_URL set, the server is declared as one of several instances
// (`profile::replicated`) and keeps its nonces in Redis: a request accepted by any instance
// is refused as a replay by all of them (rule 6 would refuse to compile the replicated
// definition with memory storage).
#include <warden/storage/redis.hpp>
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

namespace w = warden;

namespace {
/// One instance: nonces in this process's memory.
template <class Channel>
using single = w::http_server<w::auth::hmac, Channel>;
/// Several instances behind a load balancer: nonces in the Redis they share.
template <class Channel>
using replicated = w::replicated_hmac_server<Channel>;

struct invoice_args {
    std::string customer;
    double amount = 0;
};
BOOST_DESCRIBE_STRUCT(invoice_args, (), (customer, amount))
struct export_args {
    double seconds = 2;
};
BOOST_DESCRIBE_STRUCT(export_args, (), (seconds))
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"BILLING_HMAC_KEY", "the key the billing client signs with (key id \"billing-2026\"); openssl rand -hex 32",
         true, true},
        {"BILLING_HMAC_KEY_NEXT", "its successor during a rotation (key id \"billing-next\")", false, true},
        {"PARTNER_HMAC_KEY", "a second client's key (key id \"partner-2026\", client \"partner\")", false, true},
        {"REDIS_URL", "redis://host:port[/db] (or rediss://): run as one of several instances sharing this Redis",
         false, false},
        {"REDIS_PASSWORD", "the Redis password, when REDIS_URL is set and Redis has one", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "hmac_signed",
                                         "Invoices over MCP; every request is HMAC-signed and used once.", env,
                                         settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.hmac.keys = {
        {.id = "billing-2026", .credential = "BILLING_HMAC_KEY", .client = "billing", .scopes = {"invoices:write"}},
        {.id = "billing-next", .credential = "BILLING_HMAC_KEY_NEXT", .client = "billing", .scopes = {"invoices:write"},
         .required = false},
        // Another client: its own identity, so it can never act in billing's sessions.
        {.id = "partner-2026", .credential = "PARTNER_HMAC_KEY", .client = "partner", .scopes = {"invoices:write"},
         .required = false},
    };
    std::atomic<int> next_invoice{1000};
    const char* redis_url = std::getenv("REDIS_URL");
    if (redis_url && *redis_url) settings.storage.redis_url = redis_url;
    // Plain redis:// to another host only when the operator says that network is private.
    if (const char* plain = std::getenv("REDIS_PLAINTEXT_NETWORK"); plain && std::string_view(plain) == "1")
        settings.storage.redis_plaintext_network = true;
    const auto serve = [&]<class Definition>(std::type_identity<Definition>) {
        w::server<Definition> server{{.name = "warden-hmac-signed", .version = w::version_string}, settings};
        server.tool(w::tool_spec{.name = "create_invoice", .description = "Creates an invoice",
                                 .scopes = {"invoices:write"}},
                    [&next_invoice](const invoice_args& a, w::call_context& ctx) {
                        if (a.amount <= 0) return w::tool_result::error("amount must be positive");
                        return w::tool_result::text("invoice " + std::to_string(++next_invoice) + " for " + a.customer +
                                                    " (signed by " + ctx.caller().subject + " with key " +
                                                    std::string(ctx.caller().claims.at("key_id").as_string()) + ")");
                    });
        // A long job as a task (the tasks extension): a client polls it through any instance,
        // since replicated instances keep tasks in the Redis they share (rule 8).
        server.enable_tasks();
        server.tool(w::tool_spec{.name = "export_invoices",
                                 .description = "Exports every invoice; takes `seconds` (a task when the client can take one)",
                                 .scopes = {"invoices:write"},
                                 .task = w::task_support::optional},
                    [&server, &next_invoice](const export_args& a, w::call_context& ctx) {
                        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(a.seconds);
                        for (int step = 1; std::chrono::steady_clock::now() < until; ++step) {
                            if (ctx.cancelled()) {
                                server.log().info("export_invoices: cancelled after " + std::to_string(step) + " steps");
                                return w::tool_result::error("export cancelled");
                            }
                            std::this_thread::sleep_for(std::chrono::milliseconds(100));
                            if (step % 5 == 1) ctx.progress(step, a.seconds * 10, "batch " + std::to_string(step));
                        }
                        return w::tool_result::text("exported " + std::to_string(next_invoice - 1000) + " invoices");
                    });
        return server.run();
    };
    return w::on_proxied_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        if (redis_url && *redis_url) return serve(std::type_identity<replicated<Channel>>{});
        return serve(std::type_identity<single<Channel>>{});
    });
}
