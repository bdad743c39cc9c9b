// api_key: an MCP server over HTTP whose callers send an API key and its secret in custom
// headers, `X-API-Key` and `X-API-Secret`, as many SaaS APIs do.
//
//     ACME_API_KEY=... ACME_API_SECRET=... api_key --listen 127.0.0.1:8080
//
// See README.md.
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <string>

namespace w = warden;

namespace {
template <class Channel>
using definition = w::http_server<w::auth::api_key<"X-API-Key", "X-API-Secret">, Channel>;

struct convert_args {
    double amount = 0;
    std::string from;
    std::string to;
};
BOOST_DESCRIBE_STRUCT(convert_args, (), (amount, from, to))

double rate(const std::string& currency) {
    if (currency == "EUR") return 1.0;
    if (currency == "USD") return 1.08;
    if (currency == "GBP") return 0.86;
    if (currency == "JPY") return 162.0;
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"ACME_API_KEY", "the key id clients send in X-API-Key", true, true},
        {"ACME_API_SECRET", "the secret clients send in X-API-Secret", true, true},
        {"PARTNER_API_KEY", "a second client's key (optional; with PARTNER_API_SECRET)", false, true},
        {"PARTNER_API_SECRET", "the second client's secret", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "api_key",
                                         "Currency conversion over MCP; callers send X-API-Key and X-API-Secret.",
                                         env, settings, cl, w::example_kind::http_only))
        return *exit;
    settings.auth.api_key.keys = {
        {.name = "acme", .credentials = {"ACME_API_KEY", "ACME_API_SECRET"}, .scopes = {"rates:read", "convert"}},
        {.name = "partner", .credentials = {"PARTNER_API_KEY", "PARTNER_API_SECRET"}, .scopes = {"rates:read"},
         .required = false},
    };
    return w::on_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        w::server<definition<Channel>> server{{.name = "warden-api-key", .version = w::version_string}, settings};
        server.tool(w::tool_spec{.name = "rates", .description = "Exchange rates against EUR", .scopes = {"rates:read"}},
                    [](w::call_context&) { return w::tool_result::text("EUR 1.00, USD 1.08, GBP 0.86, JPY 162.00"); });
        server.tool(w::tool_spec{.name = "convert", .description = "Converts an amount between currencies",
                                 .scopes = {"convert"}},
                    [](const convert_args& a, w::call_context& ctx) {
                        const double from = rate(a.from), to = rate(a.to);
                        if (from == 0 || to == 0) return w::tool_result::error("unknown currency");
                        return w::tool_result::text(std::to_string(a.amount / from * to) + " " + a.to + " (for " +
                                                    ctx.caller().subject + ")");
                    });
        return server.run();
    });
}
