// warden/auth/identity.hpp: identity headers and tenants, within what a credential allows.
//
// `with_identity<api_key<"X-API-Key">>` first authenticates with the wrapped scheme, then
// reads `X-User-ID`, `X-Tenant-ID` and `X-Workspace-ID` (names in
// settings::auth.identity), and optionally a tenant from the Host's subdomain
// (`acme.api.example.com`). These headers never authenticate: they only select. A tenant
// must be one the credential lists (`key_grant::tenants`, "*" for any), else 403; a value
// that is empty, repeated, too long or outside `A-Z a-z 0-9 . _ @ -` is 400. The
// principal carries `tenant`, `workspace` and the claim `user` to the handlers.
#pragma once

#include <warden/auth/scheme.hpp>
#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/settings.hpp>

#include <boost/json/array.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

template <class Scheme>
class with_identity {
public:
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = Scheme::requires_local_process;
    static constexpr bool sends_reusable_secret = Scheme::sends_reusable_secret;
    static constexpr bool requires_client_certificate = Scheme::requires_client_certificate;
    static constexpr bool requires_replay_store = Scheme::requires_replay_store;
    static constexpr bool keeps_shared_state = Scheme::keeps_shared_state;
    static constexpr bool is_anonymous = Scheme::is_anonymous;
    static constexpr std::size_t max_length = 128;

    static std::vector<variable> variables(const auth_settings& s) { return scheme_variables<Scheme>(s); }

    static result<with_identity> configure(const credential_set& c, const auth_settings& s,
                                           std::shared_ptr<replay_store> replay = nullptr) {
        auto inner = configure_scheme<Scheme>(c, s, replay);
        if (!inner) return inner.error();
        with_identity w;
        w.inner_.emplace(std::move(inner).value());
        w.settings_ = s.identity;
        return w;
    }

    static std::vector<std::string_view> credential_headers() { return detail::credential_headers_of<Scheme>(); }
    static bool presents(const http_request_view& r)
        requires detail::has_presents<Scheme>
    {
        return Scheme::presents(r);
    }

    // What the wrapped scheme publishes or runs, passed through.
    boost::json::object resource_metadata(const std::vector<std::string>& ts) const
        requires detail::serves_resource_metadata<Scheme>
    {
        return inner_->resource_metadata(ts);
    }
    bool is_metadata_path(std::string_view p) const
        requires detail::serves_resource_metadata<Scheme>
    {
        return inner_->is_metadata_path(p);
    }
    void set_default_scope(const std::vector<std::string>& ts)
        requires detail::wants_tool_scopes<Scheme>
    {
        inner_->set_default_scope(ts);
    }
    bool may_block() const
        requires detail::may_block<Scheme>
    {
        return inner_->may_block();
    }
    void start_background(const logger& log)
        requires detail::runs_in_background<Scheme>
    {
        inner_->start_background(log);
    }
    void stop_background() const
        requires detail::runs_in_background<Scheme>
    {
        inner_->stop_background();
    }
    std::string step_up(std::string_view why, std::string_view scope) const
        requires detail::has_step_up<Scheme>
    {
        return inner_->step_up(why, scope);
    }

    gate_result authenticate(const http_request_view& r) const {
        gate_result g = inner_->authenticate(r);
        auto* p = std::get_if<principal>(&g);
        if (!p) return g;
        const challenges refuse{"Bearer", "mcp"};
        std::optional<std::string> user, tenant, workspace;
        std::string bad;
        auto one = [&](const std::string& header, std::optional<std::string>& out) {
            auto values = header_values(r, header);
            if (values.empty()) return;
            if (values.size() > 1) bad = header + " given more than once";
            else if (!valid(values.front())) bad = header + " is not a valid identifier";
            else out = std::string(values.front());
        };
        one(settings_.user_header, user);
        one(settings_.tenant_header, tenant);
        one(settings_.workspace_header, workspace);
        if (!bad.empty()) return challenge{400, "", "invalid_request", bad};
        if (!settings_.tenant_domain.empty()) {
            if (auto sub = subdomain_tenant(r)) {
                if (tenant && *tenant != *sub)
                    return challenge{400, "", "invalid_request", "the tenant header and the host name disagree"};
                tenant = std::move(sub);
            }
        }
        if (!tenant && settings_.tenant_required)
            return challenge{400, "", "invalid_request", "the request names no tenant"};
        if (tenant && !may_act_for(*p, *tenant))
            return challenge{403, "", "insufficient_scope", "the credential may not act for this tenant"};
        if (workspace && !tenant)
            return challenge{400, "", "invalid_request", "a workspace needs a tenant"};
        if (tenant) p->tenant = *tenant;
        if (workspace) p->workspace = *workspace;
        if (user) p->claims.insert_or_assign("user", *user);
        return g;
    }

private:
    static bool valid(std::string_view v) {
        if (v.empty() || v.size() > max_length) return false;
        for (char c : v) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                            c == '_' || c == '@' || c == '-';
            if (!ok) return false;
        }
        return true;
    }
    static bool may_act_for(const principal& p, std::string_view tenant) {
        const auto* list = p.claims.if_contains("tenants");
        if (!list || !list->is_array()) return false;
        for (const auto& t : list->get_array())
            if (t.is_string() && (t.get_string() == "*" || t.get_string() == tenant)) return true;
        return false;
    }
    /// The first label of the Host when the rest is the tenant domain (port ignored).
    std::optional<std::string> subdomain_tenant(const http_request_view& r) const {
        auto hosts = header_values(r, "Host");
        if (hosts.size() != 1) return std::nullopt;
        std::string host(hosts.front().substr(0, hosts.front().rfind(':') == std::string_view::npos
                                                      ? hosts.front().size()
                                                      : hosts.front().rfind(':')));
        for (auto& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        const std::string suffix = "." + settings_.tenant_domain;
        if (host.size() <= suffix.size() || !host.ends_with(suffix)) return std::nullopt;
        std::string label = host.substr(0, host.size() - suffix.size());
        if (label.find('.') != std::string::npos || !valid(label)) return std::nullopt;
        return label;
    }

    std::optional<Scheme> inner_;
    identity_settings settings_{};
};

} // namespace warden::auth
