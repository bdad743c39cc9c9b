// warden/auth/oauth_resource_server.hpp: an OAuth 2.1 resource server, as the MCP
// authorization specification asks of an HTTP server.
//
//     Authorization: Bearer <JWT access token>
//
// - Tokens are JWTs verified with the keys configured per issuer (warden/auth/jwt.hpp for
//   every check), shaped as the issuer's token profile says (RFC 9068 by default;
//   warden/auth/token_profile.hpp for Entra ID, Okta, Auth0, Keycloak, Cognito); several
//   issuers at once, each with its own keys, audiences, clients and tenant, or one issuer per
//   tenant (`{tenant}` in the issuer, the tenants listed). The token's unverified `iss` only
//   picks which issuer's rules to verify it under; the verified `iss` must then match it.
// - Audience binding (RFC 8707) is on: `aud` must name this resource (or a configured
//   audience). Turning it off takes `accept_any_audience_allowing_token_replay`.
// - RFC 9728: `GET /.well-known/oauth-protected-resource` (and the form with the resource's
//   path appended, and the path of `resource_metadata_url` for a server behind a prefix) serves `resource`, `authorization_servers`, `scopes_supported` (what the
//   tools require, plus configured extras, never `offline_access`) and
//   `bearer_methods_supported: ["header"]`. Every 401 names it:
//   `WWW-Authenticate: Bearer realm="mcp", resource_metadata="...", scope="..."`.
// - A tools/call whose token lacks the tool's scopes is 403 `insufficient_scope` naming
//   exactly those scopes (step-up), before the handler runs (the transport asks `step_up`).
// - Tokens bound to a certificate (`cnf.x5t#S256`, RFC 8705) need that certificate on the
//   connection (transport::streamable_http<mutual_tls>).
// - Keys come from configuration (`jwks`, `jwks_file`, a shared `hmac_credential`) or
//   from the issuer (`jwks_uri`, or `discover` through its metadata), fetched by
//   warden/auth/jwks_source.hpp: cached per Cache-Control, refetched once per interval for
//   an unknown kid (the request waits for that fetch), kept for `jwks_max_stale` when the
//   issuer is down, then refused with 503 (fail closed).
// - Verified tokens are remembered by a keyed digest (crypto::lookup_key of the digest the
//   gate took for the token's bucket) until their `exp` (bounded count), so a client's
//   repeated requests skip the signature check.
// - DPoP-bound tokens (`cnf.jkt`, RFC 9449) are never accepted as bearer tokens; with
//   `dpop_resource_server` (below) they are, with a proof (warden/auth/dpop.hpp), from the
//   issuers whose `dpop` is allowed or required.
// - With `keep_token_for_exchange`, the principal carries the token sealed
//   (warden/delegation.hpp) for upstream::token_exchange, and nothing else can open it.
//
// The principal: subject `sub`, scheme "oauth", issuer, client (the profile's claim), the
// token's scopes (and roles), and the tenant (its issuer's, or the configured one). The raw
// token is never kept.
#pragma once

#include <warden/metrics.hpp>
#include <warden/auth/dpop.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/jwks_source.hpp>
#include <warden/auth/jwt.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/delegation.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/error.hpp>

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace warden::auth {

class oauth_resource_server {
public:
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = false;
    static constexpr bool sends_reusable_secret = true; // a bearer token: rule 1 wants a confidential channel
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = false;

    static constexpr std::string_view metadata_root = "/.well-known/oauth-protected-resource";

    static std::vector<variable> variables(const auth_settings& s) {
        std::vector<variable> out;
        for (const auto& i : s.oauth.issuers) {
            if (!i.hmac_credential.empty())
                out.push_back({i.hmac_credential, "shared HMAC secret of issuer " + i.issuer, true, true});
            if (!i.introspection_secret_credential.empty())
                out.push_back({i.introspection_secret_credential, "client secret for introspection at " + i.issuer, true, true});
        }
        if (!s.oauth.dpop_nonce_credential.empty())
            out.push_back({s.oauth.dpop_nonce_credential, "the key of DPoP nonces, shared by the instances", true, true});
        return out;
    }

    static result<oauth_resource_server> configure(const credential_set& creds, const auth_settings& s) {
        return configure_with(creds, s, nullptr);
    }

    /// Bearer tokens, and DPoP-bound tokens with their proofs when `replay` holds the
    /// proofs' `jti`s (auth::dpop_resource_server).
    static result<oauth_resource_server> configure_with(const credential_set& creds, const auth_settings& s,
                                                        std::shared_ptr<replay_store> replay) {
        const auto& o = s.oauth;
        oauth_resource_server rs;
        rs.settings_ = std::make_shared<const oauth_settings>(o);
        auto url = boost::urls::parse_absolute_uri(o.resource);
        if (o.resource.empty() || !url || url->has_fragment() || !url->has_authority() ||
            (url->scheme() != "https" && url->scheme() != "http"))
            return failure(errc::invalid_argument, "oauth: settings.auth.oauth.resource must be the endpoint's absolute "
                                                   "https URI, e.g. https://mcp.example.com/mcp");
        std::string path(url->encoded_path());
        if (path == "/") path.clear();
        rs.metadata_path_ = std::string(metadata_root) + path;
        rs.metadata_url_ = std::string(url->scheme()) + "://" + std::string(url->encoded_authority()) + rs.metadata_path_;
        if (!o.resource_metadata_url.empty()) {
            // Behind a proxy that serves the endpoint under a prefix: the URL clients can reach.
            auto m = boost::urls::parse_absolute_uri(o.resource_metadata_url);
            if (!m || m->has_fragment() || m->has_query() || !m->has_authority() ||
                (m->scheme() != "https" && m->scheme() != "http") || m->encoded_path().empty())
                return failure(errc::invalid_argument, "oauth: settings.auth.oauth.resource_metadata_url must be an "
                                                       "absolute URL without query, e.g. "
                                                       "https://mcp.example.com/team-a/.well-known/oauth-protected-resource");
            rs.metadata_url_ = o.resource_metadata_url;
            rs.extra_metadata_path_ = std::string(m->encoded_path());
        }
        if (o.issuers.empty())
            return failure(errc::invalid_argument, "oauth: no issuers; list the authorization servers whose tokens are "
                                                   "accepted in settings.auth.oauth.issuers");
        for (const auto& i : o.issuers) {
            if (i.issuer.empty()) return failure(errc::invalid_argument, "oauth: an issuer without its \"iss\" value");
            for (const auto& other : rs.issuers_)
                if (other.rules.issuer == i.issuer)
                    return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + " is listed twice");
            auto one = load_issuer(i, creds, o);
            if (!one) return one.error();
            rs.issuers_.push_back(std::move(one).value());
        }
        std::string parameters = "resource_metadata=" + quoted(rs.metadata_url_);
        rs.challenge_ = {"Bearer", o.realm, parameters, {}};
        rs.cache_ = std::make_shared<token_cache>(o.verified_token_cache);
        if (auto d = rs.configure_dpop(creds, o, std::move(replay), parameters); !d) return d.error();
        return rs;
    }

    static bool presents(const http_request_view& r) { return presents_authorization(r, "Bearer"); }

    gate_result authenticate(const http_request_view& r) const {
        std::string_view token;
        gate_result g = authenticate(r, token);
        if (auto* p = std::get_if<principal>(&g); p && settings_->keep_token_for_exchange) {
            p->delegation = delegated_token::seal(token, p->issuer, p->subject);
            if (!p->delegation) return challenge{503, "", "temporarily_unavailable", "the token cannot be kept for exchange"};
        }
        return g;
    }

    /// `authenticate`, telling where the presented token is (`token`, a view into `r`).
    gate_result authenticate(const http_request_view& r, std::string_view& token) const {
        const auto now = std::chrono::system_clock::now();
        std::optional<dpop_proof> proof;
        if (dpop_ && presents_authorization(r, "DPoP")) {
            auto read = dpop_token(r, now);
            if (auto* refused = std::get_if<challenge>(&read)) return std::move(*refused);
            auto& [t, p] = std::get<std::pair<std::string_view, dpop_proof>>(read);
            token = t;
            proof = std::move(p);
        } else {
            auto read = bearer_credentials(r, challenge_);
            if (auto* refused = std::get_if<challenge>(&read)) {
                if (dpop_ && refused->status == 401 && refused->error.empty())
                    refused->www_authenticate += ", " + dpop_->challenge.header(); // both schemes are offered
                return std::move(*refused);
            }
            token = std::get<std::string_view>(read);
        }
        const dpop_proof* with = proof ? &*proof : nullptr;
        // Keyed (the cache holds nothing a guess can be checked against), from the digest the
        // gate took for the token's bucket: one pass over the token per request.
        const auto digest = token_digest(r, proof ? "dpop" : "bearer", token);
        const auto key = crypto::lookup_key(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
        if (auto hit = cache_->find(key, now)) return bound(std::move(hit->first), hit->second, r, with);
        // Only well-formed tokens are ever cached: the syntax is checked past the cache.
        if (!proof)
            if (auto refused = malformed_bearer(token, challenge_)) return std::move(*refused);

        const issuer_entry* issuer = pick_issuer(token);
        if (!issuer) return invalid("invalid token", "token from an issuer that is not accepted");
        if (issuer->introspection) return introspect(*issuer, token, key, now, r, with);
        std::shared_ptr<const crypto::jwk_set> keys = issuer->keys;
        if (issuer->remote) {
            keys = issuer->remote->keys();
            if (!keys) return unavailable(issuer->rules.issuer);
        }
        auto claims = verify_jwt(token, *keys, issuer->rules, now);
        // A kid the set lacks: the issuer may have rotated its keys; ask for them again (at
        // most once per refetch interval; otherwise refused at once).
        if (!claims && claims.error() == errc::resource_not_found && issuer->remote &&
            issuer->remote->refresh_for_unknown_kid()) {
            keys = issuer->remote->keys();
            if (!keys) return unavailable(issuer->rules.issuer);
            claims = verify_jwt(token, *keys, issuer->rules, now);
        }
        if (!claims) {
            const auto why = claims.error().message();
            return invalid(why == "token expired" ? "token expired" : "invalid token", why);
        }
        auto& c = claims.value();
        if (c.subject.empty()) return invalid("invalid token", "the token names no subject (\"sub\")");
        principal p;
        p.subject = c.subject;
        p.scheme = "oauth";
        p.issuer = c.issuer;
        p.client = c.client_id;
        p.tenant = c.tenant.empty() ? issuer->tenant : c.tenant;
        p.scopes = c.scopes;
        p.expires = c.expires;
        const binding b{c.x5t_s256, c.jkt, issuer->dpop};
        cache_->insert(key, p, b, c.expires);
        return bound(std::move(p), b, r, with);
    }

    /// RFC 9728 protected resource metadata, given the scopes the registered tools require.
    boost::json::object resource_metadata(const std::vector<std::string>& tool_scopes) const {
        boost::json::array servers;
        if (settings_->authorization_servers.empty())
            for (const auto& i : issuers_) {
                // One issuer per tenant lists each; tenants read from a claim share one.
                const auto at = i.rules.issuer.find("{tenant}");
                if (at == std::string::npos) {
                    servers.emplace_back(i.rules.issuer);
                    continue;
                }
                for (const auto& t : i.rules.tenants)
                    servers.emplace_back(i.rules.issuer.substr(0, at) + t + i.rules.issuer.substr(at + 8));
            }
        else
            for (const auto& a : settings_->authorization_servers) servers.emplace_back(a);
        boost::json::array scopes;
        for (const auto& sc : supported_scopes(tool_scopes)) scopes.emplace_back(sc);
        boost::json::object m{{"resource", settings_->resource},
                              {"authorization_servers", std::move(servers)},
                              {"scopes_supported", std::move(scopes)},
                              {"bearer_methods_supported", boost::json::array{"header"}}};
        if (!settings_->resource_name.empty()) m.emplace("resource_name", settings_->resource_name);
        if (dpop_) {
            boost::json::array algs;
            for (const auto a : dpop_->algorithms) algs.emplace_back(crypto::to_string(a));
            m.emplace("dpop_signing_alg_values_supported", std::move(algs));
            m.emplace("dpop_bound_access_tokens_required",
                      std::all_of(issuers_.begin(), issuers_.end(), [](const issuer_entry& i) { return i.dpop == dpop_mode::required; }));
        }
        return m;
    }
    /// Where the metadata is served: the root form, the form with the endpoint's path, and
    /// the path of `resource_metadata_url` when one is set.
    bool is_metadata_path(std::string_view p) const {
        return p == metadata_root || p == metadata_path_ || (!extra_metadata_path_.empty() && p == extra_metadata_path_);
    }

    /// The 401 challenge for a request that presents nothing, naming `tool_scopes`.
    void set_default_scope(const std::vector<std::string>& tool_scopes) {
        const auto scopes = settings_->challenge_scopes.empty() ? supported_scopes(tool_scopes) : settings_->challenge_scopes;
        std::string joined;
        for (const auto& sc : scopes)
            if (sc != "offline_access") joined += (joined.empty() ? "" : " ") + sc; // never a resource's to ask
        challenge_.default_scope = joined;
    }

    /// True when authenticating may wait on the network (fetched keys, introspection): the
    /// transport then runs it on the worker pool instead of an I/O thread.
    bool may_block() const {
        return (dpop_ && dpop_->replay->may_block()) ||
               std::any_of(issuers_.begin(), issuers_.end(), [](const issuer_entry& i) { return i.remote || i.introspection; });
    }

    /// Starts fetching the keys published at URLs (each waits briefly for its first set).
    void start_background(const logger& log) {
        for (auto& i : issuers_)
            if (i.remote) i.remote->start(log);
    }
    /// Stops that work and waits for it (server shutdown).
    void stop_background() const {
        for (const auto& i : issuers_)
            if (i.remote) i.remote->stop();
    }

    /// The WWW-Authenticate value of a 403 that asks the client to step up to `scope`.
    std::string step_up(std::string_view why, std::string_view scope) const {
        return challenge_.header("insufficient_scope", why, scope);
    }

    const std::string& metadata_url() const noexcept { return metadata_url_; }
    bool audience_binding() const noexcept { return !settings_->accept_any_audience_allowing_token_replay; }

private:
    struct issuer_entry {
        jwt_rules rules;
        std::shared_ptr<const crypto::jwk_set> keys; ///< configured keys, or:
        std::shared_ptr<jwks_source> remote;         ///< keys fetched from the issuer, or:
        struct introspection_client {
            std::string endpoint;
            std::string authorization; ///< "Basic ..." (client_secret_basic)
            warden::detail::fetch_options fetch;
            std::chrono::seconds cache;
            std::vector<std::string> audiences;
            std::string subject_claim; ///< empty: "sub"
            http_client send;
            std::string kind;                 ///< "" (RFC 7662), "github" or "google"
            std::string client_id;            ///< github: the OAuth app
            std::vector<std::string> clients; ///< google: accepted aud/azp
        };
        std::shared_ptr<const introspection_client> introspection; ///< RFC 7662
        std::string tenant;
        dpop_mode dpop = dpop_mode::off;
    };

    /// What a verified token is bound to: a client certificate (RFC 8705), a DPoP key
    /// (RFC 9449), and whether its issuer takes it only with a DPoP proof.
    struct binding {
        std::string x5t{};
        std::string jkt{};
        dpop_mode dpop = dpop_mode::off;
    };

    /// DPoP, when some issuer takes DPoP-bound tokens.
    struct dpop_state {
        std::shared_ptr<replay_store> replay;
        std::vector<crypto::jws_alg> algorithms;
        std::chrono::seconds window{60};
        std::optional<dpop_nonces> nonces;
        std::vector<std::string> uris; ///< dpop_uri() of the resource
        std::string origin;            ///< the resource's scheme://authority, for other paths
        challenges challenge;          ///< `DPoP realm=..., resource_metadata=..., algs=...`
    };

    /// Verified tokens by digest, until their exp; bounded: when full, expired entries go,
    /// and if none has expired the whole table is dropped (it refills from verification).
    class token_cache {
    public:
        explicit token_cache(std::size_t capacity) : capacity_(capacity) {}
        std::optional<std::pair<principal, binding>> find(const crypto::sha256_digest& key,
                                                              std::chrono::system_clock::time_point now) {
            if (capacity_ == 0) return std::nullopt;
            std::lock_guard lock(mutex_);
            auto it = entries_.find(key);
            if (it == entries_.end()) return std::nullopt;
            if (now >= it->second.expires) {
                entries_.erase(it);
                return std::nullopt;
            }
            return std::pair{it->second.who, it->second.bound};
        }
        void insert(const crypto::sha256_digest& key, const principal& who, const binding& bound,
                    std::chrono::system_clock::time_point expires) {
            if (capacity_ == 0) return;
            std::lock_guard lock(mutex_);
            if (entries_.size() >= capacity_) {
                const auto now = std::chrono::system_clock::now();
                std::erase_if(entries_, [&](const auto& e) { return now >= e.second.expires; });
                if (entries_.size() >= capacity_) entries_.clear();
            }
            entries_.insert_or_assign(key, entry{who, bound, expires});
        }

    private:
        /// A digest is already uniformly distributed: its first bytes are a fine hash.
        struct digest_hash {
            std::size_t operator()(const crypto::sha256_digest& d) const noexcept {
                std::size_t h = 0;
                std::memcpy(&h, d.data(), sizeof h);
                return h;
            }
        };
        struct entry {
            principal who;
            binding bound;
            std::chrono::system_clock::time_point expires;
        };
        std::size_t capacity_;
        std::mutex mutex_;
        std::unordered_map<crypto::sha256_digest, entry, digest_hash> entries_;
    };

    static result<issuer_entry> load_issuer(const oauth_issuer& i, const credential_set& creds, const oauth_settings& o) {
        issuer_entry e;
        e.tenant = i.tenant;
        e.dpop = i.dpop;
        e.rules.issuer = i.issuer;
        e.rules.leeway = o.leeway;
        e.rules.access_token_profile = o.access_token_profile;
        e.rules.profile = i.profile;
        e.rules.clients = i.clients;
        e.rules.tenants = i.tenants;
        if (!o.accept_any_audience_allowing_token_replay && i.profile.audience)
            e.rules.audiences = i.audiences.empty() ? std::vector<std::string>{o.resource} : i.audiences;
        const bool per_tenant = i.issuer.find("{tenant}") != std::string::npos;
        if (per_tenant && i.tenants.empty())
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + " has one issuer per tenant: list the "
                                                   "tenants whose tokens are accepted in tenants");
        if (!per_tenant && !i.tenants.empty() && i.profile.tenant_claim.empty())
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": tenants are for an issuer written "
                                                   "with {tenant}, e.g. https://login.microsoftonline.com/{tenant}/v2.0, "
                                                   "or a profile with a tenant claim (workos)");
        if (per_tenant && (i.discover || !i.introspection_endpoint.empty()))
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": one issuer per tenant takes its keys "
                                                   "from jwks_uri (or jwks, jwks_file), not discovery or introspection");
        if (!i.profile.audience && i.clients.empty())
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": the " + i.profile.name +
                                                   " profile's tokens carry no audience: list the app clients whose "
                                                   "tokens are accepted in clients");
        if (!i.token_check.empty() && i.token_check != "github" && i.token_check != "google")
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": token_check is \"github\", "
                                                   "\"google\" or empty (RFC 7662 introspection), not \"" +
                                                   i.token_check + "\"");
        if (!i.token_check.empty() && i.introspection_endpoint.empty())
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": token_check " + i.token_check +
                                                   " needs introspection_endpoint (https://api.github.com, or "
                                                   "https://oauth2.googleapis.com/tokeninfo)");
        const int sources = !i.jwks.empty() + !i.jwks_file.empty() + !i.hmac_credential.empty() + !i.jwks_uri.empty() +
                            i.discover + !i.introspection_endpoint.empty();
        if (sources != 1)
            return failure(errc::invalid_argument, "oauth: issuer " + i.issuer +
                                                       " needs exactly one of jwks, jwks_file, hmac_credential, jwks_uri, "
                                                       "discover or introspection_endpoint");
        if (!i.algorithms.empty()) {
            e.rules.jws.algorithms.clear();
            for (const auto& name : i.algorithms) {
                auto a = crypto::parse_jws_alg(name);
                if (!a) return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": unknown algorithm " + name);
                e.rules.jws.algorithms.push_back(*a);
            }
        }
        for (auto a : e.rules.jws.algorithms)
            if (crypto::is_hmac(a) && i.hmac_credential.empty())
                return failure(errc::invalid_argument, "oauth: issuer " + i.issuer +
                                                           ": HMAC algorithms need a shared secret (hmac_credential)");
        if (!i.introspection_endpoint.empty()) {
            auto u = boost::urls::parse_absolute_uri(i.introspection_endpoint);
            const bool https = u && u->scheme() == "https";
            const bool loopback_http = u && u->scheme() == "http" && o.allow_loopback_http &&
                                       warden::detail::loopback_host(u->host_address());
            if (!https && !loopback_http)
                return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": introspection over https only "
                                                       "(plain http only to loopback, outside profile::production)");
            auto client = std::make_shared<issuer_entry::introspection_client>();
            client->kind = i.token_check;
            client->client_id = i.introspection_client_id;
            client->clients = i.clients;
            if (i.token_check == "google") {
                // Anyone may ask tokeninfo; what binds a token to this server is its client.
                if (i.clients.empty())
                    return failure(errc::invalid_argument, "oauth: issuer " + i.issuer + ": Google's tokeninfo "
                                                           "accepts any Google token: list the OAuth client IDs "
                                                           "whose tokens are accepted in clients");
            } else {
                const secret* sec = i.introspection_secret_credential.empty()
                                        ? nullptr
                                        : creds.find_secret(i.introspection_secret_credential);
                if (i.introspection_client_id.empty() || !sec)
                    return failure(errc::missing_credentials, "oauth: issuer " + i.issuer + ": introspection needs "
                                                              "introspection_client_id and introspection_secret_credential");
                client->authorization = warden::detail::client_secret_basic(i.introspection_client_id, sec->reveal());
            }
            client->endpoint = i.introspection_endpoint;
            client->fetch.timeout = o.jwks_timeout;
            client->fetch.ca_file = o.jwks_ca_file;
            client->fetch.allow_loopback_http = o.allow_loopback_http;
            client->fetch.max_bytes = 64 * 1024;
            client->cache = o.introspection_cache;
            client->audiences = e.rules.audiences;
            client->subject_claim = i.introspection_subject_claim;
            client->send = o.http ? o.http : http_client(warden::detail::http_request);
            e.introspection = std::move(client);
            return e;
        }
        if (!i.jwks_uri.empty() || i.discover) {
            jwks_source_options so;
            so.issuer = i.issuer;
            so.jwks_uri = i.jwks_uri;
            so.fetch.timeout = o.jwks_timeout;
            so.fetch.ca_file = o.jwks_ca_file;
            so.fetch.allow_loopback_http = o.allow_loopback_http;
            so.refetch_interval = o.jwks_refetch_interval;
            so.max_stale = o.jwks_max_stale;
            so.min_ttl = o.jwks_min_ttl;
            if (o.http)
                so.fetcher = [send = o.http](const std::string& url, const warden::detail::fetch_options& f) {
                    return send(url, f, {});
                };
            const std::string probe = i.discover ? i.issuer : i.jwks_uri;
            auto u = boost::urls::parse_absolute_uri(probe);
            const bool https = u && u->scheme() == "https";
            const bool loopback_http = u && u->scheme() == "http" && o.allow_loopback_http &&
                                       warden::detail::loopback_host(u->host_address());
            if (!https && !loopback_http)
                return failure(errc::invalid_argument,
                               "oauth: issuer " + i.issuer + ": keys are fetched over https only (plain http only to "
                                                             "loopback, and only outside profile::production): " + probe);
            e.remote = std::make_shared<jwks_source>(std::move(so));
            return e;
        }
        result<crypto::jwk_set> keys = failure(errc::invalid_argument, "no keys");
        if (!i.hmac_credential.empty()) {
            const secret* s = creds.find_secret(i.hmac_credential);
            if (!s) return failure(errc::missing_credentials, "oauth: credential " + i.hmac_credential + " is missing");
            if (s->reveal().size() < 32)
                return failure(errc::invalid_credentials, "oauth: " + i.hmac_credential +
                                                              " is shorter than 32 bytes; generate one with: openssl rand -hex 32");
            crypto::jwk k;
            k.kty = "oct";
            k.hmac_key = std::make_shared<const secret>(s->reveal());
            keys = crypto::jwk_set{{std::move(k)}};
            if (i.algorithms.empty()) e.rules.jws.algorithms = {crypto::jws_alg::HS256};
        } else {
            std::string text = i.jwks;
            if (!i.jwks_file.empty()) {
                std::ifstream in(i.jwks_file, std::ios::binary);
                if (!in)
                    return failure(errc::invalid_credentials, "oauth: issuer " + i.issuer + ": cannot read JWK set file \"" +
                                                                  i.jwks_file + "\"");
                std::ostringstream ss;
                ss << in.rdbuf();
                text = ss.str();
            }
            keys = crypto::parse_jwk_set(text);
        }
        if (!keys) return failure(errc::invalid_credentials, "oauth: issuer " + i.issuer + ": " + keys.error().message());
        e.keys = std::make_shared<const crypto::jwk_set>(std::move(keys).value());
        return e;
    }

    /// The configured issuer the token claims to come from (unverified: only picks rules).
    /// A token that is not a JWT goes to the first issuer that introspects.
    const issuer_entry* pick_issuer(std::string_view token) const {
        if (issuers_.size() == 1) return &issuers_.front();
        // An opaque token goes to the issuer that can check it: GitHub's and Google's
        // tokens are told apart by their documented prefixes; any other goes to the first
        // RFC 7662 issuer (or the first that introspects at all).
        auto opaque = [&]() -> const issuer_entry* {
            std::string_view kind;
            for (std::string_view p : {"gho_", "ghu_", "ghp_", "ghs_", "ghr_", "github_pat_"})
                if (token.starts_with(p)) kind = "github";
            if (token.starts_with("ya29.")) kind = "google";
            const issuer_entry* first = nullptr;
            for (const auto& i : issuers_) {
                if (!i.introspection) continue;
                if (i.introspection->kind == kind) return &i;
                if (!first) first = &i;
            }
            return first;
        };
        const auto d1 = token.find('.');
        const auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
        if (d2 == std::string_view::npos) return opaque();
        if (d2 - d1 - 1 > 16 * 1024) return nullptr;
        auto payload = crypto::base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
        if (!payload) return nullptr;
        boost::system::error_code ec;
        auto v = boost::json::parse(payload.value(), ec);
        const auto* iss = !ec && v.is_object() ? v.get_object().if_contains("iss") : nullptr;
        if (!iss || !iss->is_string()) return nullptr;
        for (const auto& i : issuers_)
            if (detail::match_issuer(i.rules.issuer, i.rules.tenants, iss->get_string())) return &i;
        return nullptr;
    }

    /// RFC 7662: asks the issuer whether `token` is active. The endpoint down or answering
    /// nonsense is 503 (fail closed, the server's problem); `active: false`, an expired
    /// token, another audience or issuer is 401.
    gate_result introspect(const issuer_entry& issuer, std::string_view token, const crypto::sha256_digest& key,
                           std::chrono::system_clock::time_point now, const http_request_view& r,
                           const dpop_proof* proof) const {
        const auto& c = *issuer.introspection;
        if (!c.kind.empty()) return check_with_provider(issuer, token, key, now, r, proof);
        warden::detail::request_parts parts;
        parts.body = "token=" + warden::detail::form_encode(token) + "&token_type_hint=access_token";
        parts.content_type = "application/x-www-form-urlencoded";
        parts.headers = {{"Authorization", c.authorization}};
        auto got = c.send(c.endpoint, c.fetch, parts);
        metrics::global().introspections.with({!got ? "unreachable" : got.value().status == 200 ? "ok" : "failed"}).inc();
        auto down = [&](std::string why) {
            return challenge{503, "", "temporarily_unavailable", "the authorization server cannot be asked",
                             "introspection at " + issuer.rules.issuer + ": " + std::move(why)};
        };
        if (!got) return down(got.error().message());
        if (got.value().status != 200) return down("HTTP " + std::to_string(got.value().status));
        auto doc = warden::detail::parse_strict_json(got.value().body);
        if (!doc || !doc.value().is_object()) return down("the answer is not a JSON object");
        const auto& o = doc.value().get_object();
        const auto* active = o.if_contains("active");
        if (!active || !active->is_bool()) return down("the answer has no boolean \"active\"");
        if (!active->get_bool()) return invalid("invalid token", "the authorization server says the token is not active");
        auto text = [&](std::string_view name) -> std::string {
            const auto* v = o.if_contains(name);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        if (o.contains("iss") && text("iss") != issuer.rules.issuer) return invalid("invalid token", "introspection names another issuer");
        // Active is not enough: a refresh token is active too, and is no access token. RFC
        // 7662's token_type, and the typ some servers (Keycloak) add.
        for (const char* member : {"token_type", "typ"}) {
            std::string kind = warden::detail::lower_ascii(text(member));
            std::replace(kind.begin(), kind.end(), '-', '_');
            if (kind == "refresh_token" || kind == "refresh")
                return invalid("invalid token", "the authorization server says it is a refresh token");
        }
        // The caller's name: never empty, or two callers would be one (sessions, request
        // state and tasks are bound to it).
        const std::string& subject_claim = c.subject_claim.empty() ? std::string("sub") : c.subject_claim;
        std::string subject = text(subject_claim);
        if (subject.empty())
            return invalid("invalid token", c.subject_claim.empty()
                                                ? "the introspection answer names no subject (\"sub\"); "
                                                  "introspection_subject_claim names the caller by another member"
                                                : "the introspection answer has no \"" + c.subject_claim + "\"");
        const double t = std::chrono::duration<double>(now.time_since_epoch()).count();
        auto exp = detail::numeric_date(o, "exp");
        if (!exp) return down(exp.error().message());
        if (exp.value() && t >= *exp.value()) return invalid("token expired", "token expired");
        auto nbf = detail::numeric_date(o, "nbf");
        if (!nbf) return down(nbf.error().message());
        if (nbf.value() && t + static_cast<double>(issuer.rules.leeway.count()) < *nbf.value()) return invalid("invalid token", "token not yet valid (nbf)");
        if (!c.audiences.empty()) {
            bool match = false;
            if (const auto* aud = o.if_contains("aud")) {
                auto one = [&](const boost::json::value& a) {
                    for (const auto& want : c.audiences) match = match || (a.is_string() && a.get_string() == want);
                };
                if (aud->is_array())
                    for (const auto& a : aud->get_array()) one(a);
                else
                    one(*aud);
            }
            if (!match) return invalid("invalid token", "audience not accepted (a token for another resource)");
        }
        principal p;
        p.subject = std::move(subject);
        p.scheme = "oauth";
        p.issuer = issuer.rules.issuer;
        p.client = text("client_id");
        p.tenant = issuer.tenant;
        const std::string scope_text = text("scope");
        for (std::string_view sc = scope_text; !sc.empty();) {
            const auto sp = sc.find(' ');
            if (sp != 0) p.scopes.emplace_back(sc.substr(0, sp));
            if (sp == std::string_view::npos) break;
            sc.remove_prefix(sp + 1);
        }
        binding b{{}, {}, issuer.dpop};
        if (const auto* cnf = o.if_contains("cnf"); cnf && cnf->is_object()) {
            if (const auto* v = cnf->get_object().if_contains("x5t#S256"); v && v->is_string()) b.x5t = std::string(v->get_string());
            if (const auto* v = cnf->get_object().if_contains("jkt"); v && v->is_string()) b.jkt = std::string(v->get_string());
        }
        auto until = now + c.cache;
        if (exp.value()) {
            p.expires = detail::time_point_of(*exp.value());
            until = std::min(until, *p.expires);
        }
        cache_->insert(key, p, b, until);
        return bound(std::move(p), b, r, proof);
    }

    /// An opaque token checked through its provider's own API (`oauth_issuer::token_check`):
    /// GitHub's token check for an OAuth app (404 or 422: not a token of this app) or Google's
    /// tokeninfo (400: not a valid token). Unreachable or any other answer: 503 (fail closed).
    gate_result check_with_provider(const issuer_entry& issuer, std::string_view token, const crypto::sha256_digest& key,
                                    std::chrono::system_clock::time_point now, const http_request_view& r,
                                    const dpop_proof* proof) const {
        const auto& c = *issuer.introspection;
        const bool github = c.kind == "github";
        warden::detail::request_parts parts;
        parts.method = "POST";
        std::string url = c.endpoint;
        if (github) {
            while (!url.empty() && url.back() == '/') url.pop_back();
            url += "/applications/" + warden::detail::form_encode(c.client_id) + "/token";
            parts.body = boost::json::serialize(boost::json::object{{"access_token", token}});
            parts.content_type = "application/json";
            parts.headers = {{"Authorization", c.authorization},
                             {"Accept", "application/vnd.github+json"},
                             {"User-Agent", "warden"}};
        } else {
            // In the body, not the query string: URLs end up in logs.
            parts.body = "access_token=" + warden::detail::form_encode(token);
            parts.content_type = "application/x-www-form-urlencoded";
        }
        auto got = c.send(url, c.fetch, parts);
        metrics::global().introspections.with({!got ? "unreachable" : got.value().status == 200 ? "ok" : "failed"}).inc();
        auto down = [&](std::string why) {
            return challenge{503, "", "temporarily_unavailable", "the authorization server cannot be asked",
                             c.kind + " token check at " + c.endpoint + ": " + std::move(why)};
        };
        if (!got) return down(got.error().message());
        const unsigned status = got.value().status;
        if (github && (status == 404 || status == 422))
            return invalid("invalid token", "GitHub does not know this token for the OAuth app " + c.client_id);
        if (!github && status == 400) return invalid("invalid token", "Google's tokeninfo does not accept the token");
        if (status != 200) return down("HTTP " + std::to_string(status));
        auto doc = warden::detail::parse_strict_json(got.value().body);
        if (!doc || !doc.value().is_object()) return down("the answer is not a JSON object");
        const auto& o = doc.value().get_object();
        auto text = [](const boost::json::object& in, std::string_view name) -> std::string {
            const auto* v = in.if_contains(name);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        principal p;
        p.scheme = "oauth";
        p.issuer = issuer.rules.issuer;
        p.tenant = issuer.tenant;
        std::optional<std::chrono::system_clock::time_point> expires;
        if (github) {
            const auto* app = o.if_contains("app");
            if (!app || !app->is_object() || text(app->get_object(), "client_id") != c.client_id)
                return invalid("invalid token", "GitHub names another OAuth app for the token");
            const auto* user = o.if_contains("user");
            const auto* id = user && user->is_object() ? user->get_object().if_contains("id") : nullptr;
            if (!id || !(id->is_int64() || id->is_uint64()))
                return invalid("invalid token", "GitHub's answer names no user");
            p.subject = id->is_int64() ? std::to_string(id->get_int64()) : std::to_string(id->get_uint64());
            p.client = c.client_id;
            if (const auto* scopes = o.if_contains("scopes"); scopes && scopes->is_array())
                for (const auto& sc : scopes->get_array())
                    if (sc.is_string()) p.scopes.emplace_back(sc.get_string());
            if (const auto* at = o.if_contains("expires_at"); at && at->is_string()) {
                expires = utc_time(at->get_string());
                if (!expires) return down("expires_at is not a UTC time");
            }
        } else {
            const std::string aud = text(o, "aud"), azp = text(o, "azp");
            const bool ours = std::any_of(c.clients.begin(), c.clients.end(),
                                          [&](const std::string& cl) { return cl == aud || cl == azp; });
            if (!ours) return invalid("invalid token", "audience not accepted (a token for another client)");
            p.subject = text(o, "sub");
            if (p.subject.empty())
                return invalid("invalid token", "Google's tokeninfo names no subject (the token lacks the openid scope)");
            p.client = azp.empty() ? aud : azp;
            const std::string scope_text = text(o, "scope");
            for (std::string_view sc = scope_text; !sc.empty();) {
                const auto sp = sc.find(' ');
                if (sp != 0) p.scopes.emplace_back(sc.substr(0, sp));
                if (sp == std::string_view::npos) break;
                sc.remove_prefix(sp + 1);
            }
            // Google writes exp as a string of digits.
            const auto* exp = o.if_contains("exp");
            std::int64_t seconds = -1;
            if (exp && exp->is_int64()) seconds = exp->get_int64();
            if (exp && exp->is_string() && !exp->get_string().empty() && exp->get_string().size() < 12 &&
                std::all_of(exp->get_string().begin(), exp->get_string().end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
                seconds = std::stoll(std::string(exp->get_string()));
            if (seconds < 0) return down("the answer has no exp");
            expires = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
        }
        if (expires && now >= *expires) return invalid("token expired", "token expired");
        auto until = now + c.cache;
        if (expires) {
            p.expires = *expires;
            until = std::min(until, *expires);
        }
        const binding b{{}, {}, issuer.dpop};
        cache_->insert(key, p, b, until);
        return bound(std::move(p), b, r, proof);
    }

    /// "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339 in UTC, as GitHub writes it), or nothing.
    static std::optional<std::chrono::system_clock::time_point> utc_time(std::string_view t) {
        if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z')
            return std::nullopt;
        auto num = [&](std::size_t at, std::size_t n) -> int {
            int v = 0;
            for (std::size_t k = at; k < at + n; ++k) {
                if (t[k] < '0' || t[k] > '9') return -1;
                v = v * 10 + (t[k] - '0');
            }
            return v;
        };
        const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
            return std::nullopt;
        const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                              std::chrono::day(static_cast<unsigned>(d))};
        if (!ymd.ok()) return std::nullopt;
        return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
    }

    /// A certificate-bound token (RFC 8705) needs its certificate on this connection; a
    /// DPoP-bound one (RFC 9449) a proof signed by its key, whose `jti` is then remembered;
    /// an issuer that requires DPoP, a proof; a proof, a token bound to its key.
    gate_result bound(principal p, const binding& b, const http_request_view& r, const dpop_proof* proof) const {
        if (proof) {
            if (b.dpop == dpop_mode::off) return invalid("invalid token", "this issuer's tokens are not taken with DPoP");
            if (b.jkt.empty()) return invalid("invalid token", "a DPoP proof with a token that is not DPoP-bound");
            if (!crypto::equal_secrets(b.jkt, proof->jkt))
                return dpop_invalid("the DPoP proof is signed by another key than the token's");
        } else if (!b.jkt.empty()) {
            return invalid("invalid token", "a DPoP-bound token presented as a bearer token");
        } else if (b.dpop == dpop_mode::required) {
            challenge c = invalid("invalid token", "this issuer's tokens are taken with DPoP only");
            c.www_authenticate = dpop_->challenge.header("invalid_token", "DPoP required");
            return c;
        }
        if (!b.x5t.empty()) {
            auto checked = certificate_bound(b.x5t, r);
            if (checked) return std::move(*checked);
        }
        if (proof) {
            // Only a proof that passed every other check reaches the store.
            const auto lifetime = 2 * dpop_->window + std::chrono::seconds(5);
            auto fresh = dpop_->replay->remember("dpop:" + proof->jkt + ":" + proof->jti, lifetime);
            if (!fresh) return challenge{503, "", "temporarily_unavailable", "the replay store is unavailable", fresh.error().message()};
            if (!fresh.value()) return dpop_invalid("the DPoP proof was used before (jti)");
        }
        return p;
    }

    /// The refusal when `x5t` is not the connection's certificate, else nothing.
    std::optional<challenge> certificate_bound(const std::string& x5t, const http_request_view& r) const {
        if (!r.client_cert) return invalid("invalid token", "certificate-bound token without a client certificate");
        std::string der_digest;
        const auto& hex = r.client_cert->sha256;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            der_digest.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        if (crypto::base64url_encode(der_digest) != x5t)
            return invalid("invalid token", "certificate-bound token with another client certificate");
        return std::nullopt;
    }

    /// Sets up DPoP when an issuer takes it: refused without a replay store.
    result<void> configure_dpop(const credential_set& creds, const oauth_settings& o, std::shared_ptr<replay_store> replay,
                                const std::string& parameters) {
        const bool wanted = std::any_of(issuers_.begin(), issuers_.end(), [](const issuer_entry& i) { return i.dpop != dpop_mode::off; });
        if (!wanted) return success();
        if (!replay)
            return failure(errc::invalid_argument, "oauth: an issuer takes DPoP-bound tokens, whose proofs need a replay "
                                                   "store: use auth::dpop_resource_server as the definition's scheme");
        auto d = std::make_shared<dpop_state>();
        d->replay = std::move(replay);
        d->window = o.dpop_window;
        std::string names;
        for (const auto& name : o.dpop_algorithms) {
            const auto a = crypto::parse_jws_alg(name);
            if (!a || crypto::is_hmac(*a))
                return failure(errc::invalid_argument, "oauth: dpop_algorithms: \"" + name + "\" is not an asymmetric JWS algorithm");
            d->algorithms.push_back(*a);
            names += (names.empty() ? "" : " ") + name;
        }
        if (d->algorithms.empty()) return failure(errc::invalid_argument, "oauth: dpop_algorithms is empty");
        if (o.dpop_nonce) {
            std::string key;
            if (!o.dpop_nonce_credential.empty()) {
                const secret* sk = creds.find_secret(o.dpop_nonce_credential);
                if (!sk || sk->reveal().size() < 32)
                    return failure(errc::missing_credentials, "oauth: " + o.dpop_nonce_credential +
                                                                  " (the DPoP nonce key) must hold at least 32 bytes; "
                                                                  "generate one with: openssl rand -hex 32");
                key = std::string(sk->reveal());
            } else {
                const auto k = crypto::lookup_key("dpop-nonce-key"); // random per process
                key.assign(reinterpret_cast<const char*>(k.data()), k.size());
            }
            d->nonces.emplace(std::move(key), o.dpop_nonce_lifetime);
        }
        auto self = dpop_uri(o.resource);
        if (!self) return failure(errc::invalid_argument, "oauth: the resource is not an http(s) URI DPoP proofs can name");
        d->uris = {*self};
        auto u = boost::urls::parse_absolute_uri(o.resource);
        d->origin = std::string(u->scheme()) + "://" + std::string(u->encoded_authority());
        d->challenge = {"DPoP", o.realm, parameters + ", algs=" + quoted(names), {}};
        dpop_ = std::move(d);
        return success();
    }

    /// The token and the checked proof of a request that presents `Authorization: DPoP`,
    /// or its refusal (401 `invalid_dpop_proof`, or `use_dpop_nonce` with a fresh nonce).
    std::variant<std::pair<std::string_view, dpop_proof>, challenge> dpop_token(const http_request_view& r,
                                                                               std::chrono::system_clock::time_point now) const {
        auto read = authorization_credentials(r, "DPoP", dpop_->challenge);
        if (auto* refused = std::get_if<challenge>(&read)) return std::move(*refused);
        const auto token = std::get<std::string_view>(read);
        if (token.empty() || !is_token68(token)) return dpop_->challenge.malformed("the DPoP credentials are not one token68");
        const auto proofs = header_values(r, "DPoP");
        if (proofs.size() != 1) return dpop_invalid(proofs.empty() ? "no DPoP proof" : "more than one DPoP proof");
        dpop_expectations want;
        want.method = r.method;
        want.uris = dpop_->uris;
        std::string_view path = r.target.substr(0, r.target.find('?'));
        if (auto here = dpop_uri(dpop_->origin + std::string(path)); here && *here != want.uris.front()) want.uris.push_back(*here);
        want.access_token = token;
        want.now = now;
        want.window = dpop_->window;
        want.algorithms = dpop_->algorithms;
        if (dpop_->nonces)
            want.nonce_valid = [this, now](std::string_view n) { return dpop_->nonces->valid(n, now); };
        auto checked = check_dpop_proof(proofs.front(), want);
        if (auto* refused = std::get_if<dpop_refusal>(&checked)) {
            if (!refused->nonce) return dpop_invalid(refused->why);
            challenge c{401, dpop_->challenge.header("use_dpop_nonce", "a fresh DPoP nonce is required"), "use_dpop_nonce",
                        "a fresh DPoP nonce is required", refused->why};
            c.dpop_nonce = dpop_->nonces->current(now);
            return c;
        }
        return std::pair{token, std::get<dpop_proof>(std::move(checked))};
    }

    challenge dpop_invalid(std::string why) const {
        return {401, dpop_->challenge.header("invalid_dpop_proof", "invalid DPoP proof"), "invalid_dpop_proof",
                "invalid DPoP proof", std::move(why)};
    }

    std::vector<std::string> supported_scopes(const std::vector<std::string>& tool_scopes) const {
        std::set<std::string> all(tool_scopes.begin(), tool_scopes.end());
        all.insert(settings_->scopes_supported.begin(), settings_->scopes_supported.end());
        all.erase("offline_access");
        return {all.begin(), all.end()};
    }

    /// The issuer's keys cannot be had (fetch failing past max_stale): fail closed, as a
    /// server-side problem rather than the client's token.
    static challenge unavailable(const std::string& issuer) {
        return {503, "", "temporarily_unavailable", "the authorization server's keys are unavailable",
                "no usable JWK set for " + issuer};
    }

    challenge invalid(std::string_view description, std::string detail) const {
        challenge c = challenge_.invalid(description);
        c.detail = std::move(detail);
        return c;
    }

    std::shared_ptr<const oauth_settings> settings_;
    std::vector<issuer_entry> issuers_;
    std::string metadata_path_;
    std::string extra_metadata_path_;
    std::string metadata_url_;
    challenges challenge_{"Bearer", "mcp"};
    std::shared_ptr<token_cache> cache_;
    std::shared_ptr<const dpop_state> dpop_; ///< set when an issuer takes DPoP
};

/// `oauth_resource_server` that also takes DPoP-bound tokens (RFC 9449) from the issuers whose
/// `dpop` is `allowed` or `required`: `Authorization: DPoP <token>` with a `DPoP` proof.
/// Each proof's `jti` is remembered in the definition's replay store, so the storage must
/// insert with expiry atomically, and a replicated deployment must share it: the rules that
/// hold for `auth::hmac`'s nonces.
class dpop_resource_server : public oauth_resource_server {
public:
    static constexpr bool requires_replay_store = true;
    static constexpr bool keeps_shared_state = true; ///< the proofs' jtis: shared across instances (rule 6)

    static result<dpop_resource_server> configure(const credential_set& creds, const auth_settings& s,
                                                  std::shared_ptr<replay_store> replay) {
        if (!replay) return failure(errc::invalid_argument, "auth::dpop_resource_server needs a replay store");
        auto base = oauth_resource_server::configure_with(creds, s, std::move(replay));
        if (!base) return base.error();
        return dpop_resource_server(std::move(base).value());
    }

    static bool presents(const http_request_view& r) {
        return presents_authorization(r, "Bearer") || presents_authorization(r, "DPoP");
    }

private:
    explicit dpop_resource_server(oauth_resource_server base) : oauth_resource_server(std::move(base)) {}
};

} // namespace warden::auth
