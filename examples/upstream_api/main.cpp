// upstream_api: an MCP server whose tools call two upstream APIs with the server's own
// credentials: a notes API with OAuth tokens it manages per tenant (a `login` subcommand,
// proactive refresh, rotation, encrypted storage), and a weather API with a static API key.
// One binary, four deployments chosen with --env or MCP_ENV; each reads its own variables.
//
//     upstream_api login --env development          # once: prints the URL to open
//     upstream_api --env development                # stdio, as Claude Code launches it
//     upstream_api --env production --listen 0.0.0.0:8443 --tls-cert c.pem --tls-key k.pem
//
// See README.md for every variable, the client configurations and where tokens live.
#include <warden/storage/redis.hpp>
#include <warden/upstream/client.hpp>
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/describe/class.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>

namespace w = warden;

namespace {

// ---- the deployments: every one is checked against every rule at compile time ----

/// Tests and demos: credentials written here (never real ones); only profile::test takes them.
using test_deployment = w::server_definition<w::transport::stdio, w::credentials::literal, w::auth::process_env,
                                             w::storage::encrypted_file, w::profile::test>;
/// A developer's machine: stdio launched by Claude Code or Claude Desktop, secrets in the
/// environment the client passes, tokens in encrypted files under ~/.config.
using development_deployment = w::server_definition<w::transport::stdio, w::credentials::env, w::auth::process_env,
                                                    w::storage::encrypted_file>;
/// Staging: HTTPS, callers with bearer tokens, secrets from files (or the environment).
using staging_deployment =
    w::server_definition<w::transport::streamable_http<w::transport::tls>,
                         w::credentials::first_of<w::credentials::file, w::credentials::env>, w::auth::bearer,
                         w::storage::encrypted_file>;
/// Production: several instances behind a balancer sharing Redis (rule 6), secrets from
/// files (a secrets manager's agent writes them) or the environment.
using production_deployment =
    w::server_definition<w::transport::streamable_http<w::transport::tls>,
                         w::credentials::first_of<w::credentials::file, w::credentials::env>, w::auth::bearer,
                         w::storage::redis, w::profile::replicated<>>;

using deployments = w::environments<w::environment<"test", test_deployment, "TEST_">,
                                    w::environment<"development", development_deployment, "DEV_">,
                                    w::environment<"staging", staging_deployment, "STAGING_">,
                                    w::environment<"production", production_deployment, "PROD_">>;

struct forecast_args {
    std::string city;
};
BOOST_DESCRIBE_STRUCT(forecast_args, (), (city))
inline w::field_docs warden_field_docs(const forecast_args*) { return {{"city", "A city name, e.g. Oslo"}}; }

std::string env_or(const std::string& name, std::string fallback = {}) {
    const char* v = std::getenv(name.c_str());
    return v && *v ? std::string(v) : std::move(fallback);
}

/// Everything one deployment reads, named with its prefix.
template <class Env>
struct configuration {
    static std::string v(std::string_view base) { return Env::variable(base); }

    static std::vector<w::variable> variables() {
        std::vector<w::variable> out = {
            {v("STORAGE_KEY"), "encrypts the stored OAuth tokens: openssl rand -base64 32", true, true},
            {v("NOTES_CLIENT_SECRET"), "the OAuth client secret of this server at the notes authorization server",
             true, true},
            {v("WEATHER_API_KEY"), "the weather API key (sent as X-API-Key)", true, true},
        };
        if constexpr (Env::definition_type::transport::carries_http_headers)
            out.push_back({v("MCP_TOKEN"), "the bearer token MCP clients present", true, true});
        return out;
    }

    w::upstream::oauth_client_settings notes() const {
        w::upstream::oauth_client_settings s;
        s.name = "notes";
        s.authorization_endpoint = env_or(v("NOTES_AUTHORIZE_URL"));
        s.token_endpoint = env_or(v("NOTES_TOKEN_URL"));
        s.client_id = env_or(v("NOTES_CLIENT_ID"), "warden-upstream");
        s.client_secret_variable = v("NOTES_CLIENT_SECRET");
        s.scopes = {"notes:read"};
        s.redirect_uri = env_or(v("NOTES_REDIRECT_URI"));
        s.refresh_ahead = std::chrono::seconds(std::stol(env_or(v("NOTES_REFRESH_AHEAD_SECONDS"), "300")));
        s.refresh_lock_ttl = std::chrono::seconds(std::stol(env_or(v("NOTES_REFRESH_LOCK_SECONDS"), "0")));
        s.login_command = "upstream_api login --env " + std::string(Env::name) + " --tenant " + tenant;
        // Sealed in Redis (production) under the storage key; other stores encrypt or stay local.
        s.token_key_variable = v("STORAGE_KEY");
        s.previous_token_key_variable = v("STORAGE_KEY_PREVIOUS");
        s.fetch = fetch();
        // DPoP-bound tokens (RFC 9449): a key per login, proofs to the token endpoint and the API.
        s.dpop = env_or(v("NOTES_DPOP")) == "1";
        return s;
    }
    w::detail::fetch_options fetch() const {
        w::detail::fetch_options f;
        f.ca_file = env_or(v("UPSTREAM_CA_FILE"));
        f.timeout = std::chrono::seconds(std::stol(env_or(v("UPSTREAM_TIMEOUT_SECONDS"), "10")));
        f.allow_loopback_http = w::profile::allows_loopback_http_fetch<typename Env::definition_type::profile>;
        return f;
    }
    std::string tenant;
};

template <class Env>
int run(const w::command_line& cl, w::settings settings) {
    using definition = typename Env::definition_type;
    const configuration<Env> config{cl.tenant.empty() ? env_or(Env::variable("TENANT"), "default") : cl.tenant};
    settings.credentials = config.variables();
    if constexpr (std::is_same_v<typename definition::credentials, w::credentials::literal>) {
        // profile::test only (rule 5): fixed values for the local fakes, never real secrets.
        settings.literal_credentials = {{config.v("STORAGE_KEY"), "dGVzdC1vbmx5LXN0b3JhZ2Uta2V5LTAxMjM0NTY3ODk="},
                                        {config.v("NOTES_CLIENT_SECRET"), "test-only-client-secret"},
                                        {config.v("WEATHER_API_KEY"), "test-only-weather-key"}};
    }
    if constexpr (definition::transport::carries_http_headers)
        settings.auth.bearer.tokens = {{.name = "mcp-client", .credentials = {config.v("MCP_TOKEN")}, .tenants = {"*"}}};
    settings.storage.redis_url = env_or(config.v("REDIS_URL"), settings.storage.redis_url);
    settings.storage.redis_password_variable = config.v("REDIS_PASSWORD");
    settings.storage.key_variable = config.v("STORAGE_KEY");
    settings.storage.previous_key_variable = config.v("STORAGE_KEY_PREVIOUS");
    settings.storage.directory = env_or(config.v("TOKEN_DIRECTORY"));

    w::server<definition> server{{.name = "upstream-api", .version = w::version_string}, settings};
    auto prepared = server.load_credentials();
    std::shared_ptr<w::storage::store> store;
    if (prepared) {
        auto s = server.storage();
        if (s) store = s.value();
        else prepared = s.error();
    }
    if (!prepared) {
        std::cerr << "upstream_api (" << Env::name << "): " << prepared.error().message() << "\n";
        return w::exit_config_error;
    }
    auto made = w::upstream::token_manager::make(config.notes(), store, server.credentials(), &server.log());
    if (!made) {
        std::cerr << "upstream_api (" << Env::name << "): " << made.error().message() << "\n";
        return w::exit_config_error;
    }
    auto tokens = std::move(made).value();

    if (cl.command == "login") {
        auto r = tokens->login(config.tenant, [](std::string_view url) {
            std::cerr << "Open this URL in a browser to sign in to the notes service:\n" << url << "\n" << std::flush;
        });
        if (!r) {
            std::cerr << "upstream_api login: " << r.error().message() << "\n";
            return 1;
        }
        std::cerr << "Signed in; the tokens are stored encrypted.\n";
        return 0;
    }
    if (!cl.command.empty()) {
        std::cerr << "upstream_api: unknown command \"" << cl.command << "\" (known: login)\n";
        return 2;
    }

    auto notes = w::upstream::client::make({.name = "notes", .base_url = env_or(config.v("NOTES_API_URL")),
                                            .fetch = config.fetch()},
                                           std::make_shared<w::upstream::oauth_bearer>(tokens));
    auto weather = w::upstream::client::make(
        {.name = "weather", .base_url = env_or(config.v("WEATHER_API_URL")), .fetch = config.fetch()},
        w::upstream::static_header::from(server.credentials(), config.v("WEATHER_API_KEY"), "X-API-Key", ""));
    for (auto* c : {&notes, &weather})
        if (!*c) {
            std::cerr << "upstream_api (" << Env::name << "): " << c->error().message() << "\n";
            return w::exit_config_error;
        }

    // On HTTP the caller's tenant (from its bearer grant) chooses the tokens; on stdio the
    // process is one user's, the configured tenant.
    auto tenant_of = [default_tenant = config.tenant](w::call_context& ctx) {
        return ctx.caller().tenant.empty() ? default_tenant : ctx.caller().tenant;
    };
    server.tool(w::tool_spec{.name = "list_notes", .description = "Lists your notes from the notes service",
                             .annotations = {{"readOnlyHint", true}}},
                [api = std::move(notes).value(), tenant_of](w::call_context& ctx) {
                    auto r = api.send({.path = "/notes"}, tenant_of(ctx));
                    if (!r) return w::tool_result::error(r.error().message());
                    if (r.value().status != 200)
                        return w::tool_result::error("the notes service answered HTTP " + std::to_string(r.value().status));
                    return w::tool_result::text(r.value().body);
                });
    server.tool(w::tool_spec{.name = "forecast", .description = "Tomorrow's weather for a city",
                             .annotations = {{"readOnlyHint", true}}},
                [api = std::move(weather).value()](const forecast_args& a, w::call_context&) {
                    auto r = api.send({.path = "/forecast?city=" + w::detail::form_encode(a.city)});
                    if (!r) return w::tool_result::error(r.error().message());
                    if (r.value().status != 200)
                        return w::tool_result::error("the weather service answered HTTP " + std::to_string(r.value().status));
                    return w::tool_result::text(r.value().body);
                });
    server.tool(w::tool_spec{.name = "notes_status", .description = "Whether this server is signed in to the notes service",
                             .annotations = {{"readOnlyHint", true}}},
                [tokens, tenant_of](w::call_context& ctx) {
                    const auto tenant = tenant_of(ctx);
                    auto s = tokens->signed_in(tenant);
                    if (!s) return w::tool_result::error(s.error().message());
                    return w::tool_result::text(s.value() ? "signed in (tenant " + tenant + ")"
                                                          : "not signed in; run: " + tokens->settings().login_command);
                });
    return server.run();
}

} // namespace

int main(int argc, char** argv) {
    const w::variable env[] = {
        {"MCP_ENV", "the deployment: test, development, staging or production (or pass --env)", false, false},
        {"<PREFIX>STORAGE_KEY", "per deployment (DEV_, STAGING_, PROD_): see README.md for the full list", false, false},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "upstream_api",
                                         "Notes (OAuth, tokens kept encrypted and fresh) and weather (API key) "
                                         "upstream APIs as MCP tools.",
                                         env, settings, cl))
        return *exit;
    auto name = deployments::choose(cl.environment);
    if (!name) {
        std::cerr << "upstream_api: " << name.error().message() << "\n";
        return 2;
    }
    return *deployments::visit(name.value(), [&]<class Env>(std::type_identity<Env>) {
        if (cl.stdio != !Env::definition_type::transport::carries_http_headers && cl.command.empty()) {
            std::cerr << "upstream_api: the " << Env::name << " deployment serves "
                      << (cl.stdio ? "HTTPS: pass --listen HOST:PORT --tls-cert --tls-key" : "stdio: drop --listen")
                      << "\n";
            return 2;
        }
        return run<Env>(cl, settings);
    });
}
