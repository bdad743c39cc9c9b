// oauth_resource_server: an MCP server that accepts OAuth 2.1 access tokens (RFC 9068 JWTs)
// from an authorization server you run, as the MCP authorization specification asks:
// protected resource metadata (RFC 9728), audience binding (RFC 8707), per-tool scopes
// with step-up.
//
//     export OAUTH_ISSUER=https://auth.example.com OAUTH_JWKS_FILE=jwks.json MCP_RESOURCE=https://mcp.example.com/mcp
//     oauth_resource_server --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
//
// See README.md.
#include <warden/storage/redis.hpp>
#include <warden/warden.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/transport/streamable_http.hpp>
#include <warden/upstream/exchange.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace w = warden;

namespace {
// auth::dpop_resource_server takes bearer tokens as oauth_resource_server does, and
// DPoP-bound tokens (RFC 9449) from issuers with OAUTH_DPOP set. The proofs' jtis live in
// the definition's storage: this process's memory, or with REDIS_URL the Redis several
// instances share (a proof accepted by one is refused by all).
template <class Channel>
using single = w::http_server<w::auth::dpop_resource_server, Channel>;
template <class Channel>
using replicated = w::http_server<w::auth::dpop_resource_server, Channel, w::storage::redis, w::profile::replicated<>>;

struct note_args {
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note_args, (), (text))

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

/// The space-separated words of `list`.
std::vector<std::string> words(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const auto sp = list.find(' ');
        if (sp != 0) out.emplace_back(list.substr(0, sp));
        if (sp == std::string_view::npos) break;
        list.remove_prefix(sp + 1);
    }
    return out;
}

/// One issuer from OAUTH_ISSUER<suffix>, OAUTH_JWKS<suffix> or OAUTH_JWKS_FILE<suffix>,
/// OAUTH_AUDIENCE<suffix>, OAUTH_TENANT<suffix>, and the shape of its tokens:
/// OAUTH_PROFILE<suffix> (rfc9068, entra_v2, entra_v1, okta, auth0, keycloak, cognito,
/// workos), OAUTH_TENANTS<suffix> (for an issuer with {tenant}, or WorkOS organisations) and OAUTH_CLIENTS<suffix>. False when
/// OAUTH_ISSUER<suffix> is unset; throws std::invalid_argument for an unknown profile.
bool issuer_from_env(const std::string& suffix, w::oauth_settings& o) {
    const auto issuer = env(("OAUTH_ISSUER" + suffix).c_str());
    if (issuer.empty()) return false;
    w::oauth_issuer i;
    i.issuer = issuer;
    if (auto name = env(("OAUTH_PROFILE" + suffix).c_str()); !name.empty()) {
        auto profile = w::auth::profiles::named(name);
        if (!profile)
            throw std::invalid_argument("OAUTH_PROFILE" + suffix + "=" + name + " is not a profile: rfc9068, entra_v2, "
                                        "entra_v1, okta, auth0, keycloak, cognito or workos");
        i.profile = std::move(*profile);
    }
    i.tenants = words(env(("OAUTH_TENANTS" + suffix).c_str()));
    i.clients = words(env(("OAUTH_CLIENTS" + suffix).c_str()));
    i.jwks = env(("OAUTH_JWKS" + suffix).c_str());
    i.jwks_file = env(("OAUTH_JWKS_FILE" + suffix).c_str());
    i.jwks_uri = env(("OAUTH_JWKS_URI" + suffix).c_str());
    i.discover = env(("OAUTH_DISCOVER" + suffix).c_str()) == "1";
    i.introspection_endpoint = env(("OAUTH_INTROSPECTION_ENDPOINT" + suffix).c_str());
    i.token_check = env(("OAUTH_TOKEN_CHECK" + suffix).c_str()); // github, google: no RFC 7662 there
    if (!i.introspection_endpoint.empty()) {
        i.introspection_client_id = env(("OAUTH_INTROSPECTION_CLIENT_ID" + suffix).c_str());
        // A secret, read by the credential source; Google's tokeninfo takes none.
        if (i.token_check != "google") i.introspection_secret_credential = "INTROSPECT_SECRET" + suffix;
        i.introspection_subject_claim = env(("OAUTH_INTROSPECTION_SUBJECT" + suffix).c_str());
    }
    i.tenant = env(("OAUTH_TENANT" + suffix).c_str());
    if (auto dpop = env(("OAUTH_DPOP" + suffix).c_str()); !dpop.empty()) {
        if (dpop != "allowed" && dpop != "required")
            throw std::invalid_argument("OAUTH_DPOP" + suffix + "=" + dpop + ": allowed or required");
        i.dpop = dpop == "allowed" ? w::dpop_mode::allowed : w::dpop_mode::required;
    }
    if (auto aud = env(("OAUTH_AUDIENCE" + suffix).c_str()); !aud.empty()) i.audiences = {aud};
    o.issuers.push_back(std::move(i));
    return true;
}
} // namespace

int main(int argc, char** argv) {
    const w::variable vars[] = {
        {"REDIS_URL", "redis://host:port[/db] (or rediss://): one of several instances sharing this Redis", false, false},
        {"REDIS_PASSWORD", "the Redis password, when REDIS_URL is set and Redis has one", false, true},
        {"OAUTH_EXCHANGE_SECRET", "the client secret for token exchange (OAUTH_EXCHANGE_TOKEN_ENDPOINT)", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "oauth_resource_server",
                                         "A notebook over MCP for callers with OAuth access tokens.\n"
                                         "OAUTH_ISSUER, OAUTH_JWKS_FILE (or OAUTH_JWKS), MCP_RESOURCE: see README.md",
                                         vars, settings, cl, w::example_kind::http_only))
        return *exit;
    auto& o = settings.auth.oauth;
    o.resource = env("MCP_RESOURCE");
    if (o.resource.empty())
        o.resource = std::string(cl.tls_cert.empty() ? "http://" : "https://") + cl.listen + settings.http.path;
    try {
        issuer_from_env("", o);
        issuer_from_env("_2", o); // a second authorization server, e.g. another tenant's
    } catch (const std::invalid_argument& e) {
        std::cerr << "oauth_resource_server: " << e.what() << "\n";
        return w::exit_config_error;
    }
    if (o.issuers.empty()) {
        std::cerr << "oauth_resource_server: set OAUTH_ISSUER (the authorization server's issuer URL) and where its "
                     "signing keys are: OAUTH_JWKS_URI, OAUTH_DISCOVER=1, OAUTH_JWKS_FILE or OAUTH_JWKS (or "
                     "OAUTH_INTROSPECTION_ENDPOINT for opaque tokens)\n";
        return w::exit_config_error;
    }
    if (auto name = env("MCP_RESOURCE_NAME"); !name.empty()) o.resource_name = name;
    // Behind a proxy that serves this endpoint under a prefix it strips: where clients can
    // fetch the metadata (examples/deployment/nginx-paths.conf).
    o.resource_metadata_url = env("MCP_RESOURCE_METADATA_URL");
    o.jwks_ca_file = env("OAUTH_JWKS_CA_FILE");
    // The scopes a 401 asks for (default: every scope a tool needs); a narrower set makes
    // clients start small and step up per tool.
    o.challenge_scopes = words(env("OAUTH_CHALLENGE_SCOPES"));
    auto seconds = [](const char* name, std::chrono::seconds& into) {
        if (auto v = env(name); !v.empty()) into = std::chrono::seconds(std::strtol(v.c_str(), nullptr, 10));
    };
    seconds("OAUTH_JWKS_REFETCH_SECONDS", o.jwks_refetch_interval);
    seconds("OAUTH_JWKS_MIN_TTL_SECONDS", o.jwks_min_ttl);
    seconds("OAUTH_JWKS_MAX_STALE_SECONDS", o.jwks_max_stale);
    // DPoP nonces (RFC 9449 §9), keyed by OAUTH_DPOP_NONCE_KEY when instances share them.
    o.dpop_nonce = env("OAUTH_DPOP_NONCE") == "1";
    if (!env("OAUTH_DPOP_NONCE_KEY").empty()) o.dpop_nonce_credential = "OAUTH_DPOP_NONCE_KEY";
    // Token exchange (RFC 8693): the billing_identity tool acts for the caller at another API
    // with a token the authorization server exchanges for the caller's, which the tool never sees.
    const std::string exchange_endpoint = env("OAUTH_EXCHANGE_TOKEN_ENDPOINT");
    o.keep_token_for_exchange = !exchange_endpoint.empty();
    const std::string redis_url = env("REDIS_URL");
    if (!redis_url.empty()) settings.storage.redis_url = redis_url;

    const auto serve = [&]<class Definition>(std::type_identity<Definition>) {
        w::server<Definition> server{{.name = "warden-oauth-notes", .version = w::version_string}, settings};
        if (!exchange_endpoint.empty()) {
            if (auto loaded = server.load_credentials(); !loaded) {
                std::cerr << "oauth_resource_server: " << loaded.error().message() << "\n";
                return w::exit_config_error;
            }
            w::upstream::token_exchange_settings x;
            x.name = "billing";
            x.token_endpoint = exchange_endpoint;
            x.client_id = env("OAUTH_EXCHANGE_CLIENT_ID");
            x.client_secret_variable = "OAUTH_EXCHANGE_SECRET";
            x.audience = env("OAUTH_EXCHANGE_AUDIENCE");
            x.scopes = words(env("OAUTH_EXCHANGE_SCOPE"));
            if (auto g = env("OAUTH_EXCHANGE_GRANT"); !g.empty()) x.grant = g;
            x.fetch.ca_file = env("OAUTH_JWKS_CA_FILE");
            x.fetch.timeout = std::chrono::seconds(5);
            std::shared_ptr<w::upstream::token_exchange> billing;
            try {
                billing = std::make_shared<w::upstream::token_exchange>(std::move(x), server.credentials());
            } catch (const std::invalid_argument& e) {
                std::cerr << "oauth_resource_server: " << e.what() << "\n";
                return w::exit_config_error;
            }
            // What the billing API would learn about the caller: the exchanged token's claims
            // (never a token, neither the caller's nor the exchanged one).
            server.tool(w::tool_spec{.name = "billing_identity", .description = "Who billing would see, acting for you"},
                        [billing](w::call_context& ctx) {
                            if (!ctx.caller().delegation) return w::tool_result::error("no token to exchange");
                            auto t = billing->token_for(*ctx.caller().delegation);
                            if (!t) return w::tool_result::error(t.error().message());
                            const auto& token = t.value();
                            const auto a = token.find('.'), b = token.find('.', a + 1);
                            auto claims = w::crypto::base64url_decode(token.substr(a + 1, b - a - 1));
                            if (a == std::string::npos || b == std::string::npos || !claims)
                                return w::tool_result::error("billing's token is not a JWT");
                            auto j = boost::json::parse(claims.value()).as_object();
                            boost::json::object shown;
                            for (const char* k : {"sub", "aud", "act", "scope"})
                                if (auto* v = j.if_contains(k)) shown.emplace(k, *v);
                            return w::tool_result::text(boost::json::serialize(shown));
                        });
        }
        auto notes = std::make_shared<std::vector<std::string>>();
        auto lock = std::make_shared<std::mutex>();
        server.tool(w::tool_spec{.name = "whoami", .description = "Who the token says you are"},
                    [](w::call_context& ctx) {
                        const auto& c = ctx.caller();
                        std::string scopes;
                        for (const auto& s : c.scopes) scopes += (scopes.empty() ? "" : " ") + s;
                        return w::tool_result::text(c.subject + " via " + c.client + " from " + c.issuer +
                                                    (c.tenant.empty() ? "" : " for " + c.tenant) + " [" + scopes + "]");
                    });
        server.tool(w::tool_spec{.name = "list_notes", .description = "The notes", .scopes = {"notes:read"}},
                    [notes, lock](w::call_context&) {
                        std::lock_guard g(*lock);
                        std::string out;
                        for (const auto& n : *notes) out += n + "\n";
                        return w::tool_result::text(out.empty() ? "(no notes)" : out);
                    });
        server.tool(w::tool_spec{.name = "add_note", .description = "Adds a note", .scopes = {"notes:write"}},
                    [notes, lock](const note_args& a, w::call_context& ctx) {
                        std::lock_guard g(*lock);
                        notes->push_back(a.text + " (" + ctx.caller().subject + ")");
                        return w::tool_result::text("added");
                    });
        return server.run();
    };
    return w::on_proxied_channel(cl, [&]<class Channel>(std::type_identity<Channel>) {
        if (!redis_url.empty()) return serve(std::type_identity<replicated<Channel>>{});
        return serve(std::type_identity<single<Channel>>{});
    });
}
