// warden/auth/any_of.hpp: several auth schemes, one per request.
//
// `any_of<bearer, api_key<"X-API-Key">>` picks the first scheme, in order, whose credential
// the request presents (an Authorization field of its scheme, one of its headers) and lets
// that scheme alone decide: a presented credential that fails is refused, never retried
// with a weaker scheme or as anonymous. A request presenting none gets every scheme's
// challenge (one WWW-Authenticate value each, comma-separated). `anonymous` last makes
// authentication optional, which rule 7 then treats as an unauthenticated server.
//
// Each scheme must provide `presents(r)`, except a last `anonymous`, which always applies.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden::auth {

template <class... Schemes>
    requires(sizeof...(Schemes) > 0)
class any_of {
public:
    static constexpr bool requires_http = (Schemes::requires_http || ...);
    static constexpr bool requires_local_process = (Schemes::requires_local_process || ...);
    static constexpr bool sends_reusable_secret = (Schemes::sends_reusable_secret || ...);
    static constexpr bool requires_client_certificate = (Schemes::requires_client_certificate || ...);
    static constexpr bool requires_replay_store = (Schemes::requires_replay_store || ...);
    static constexpr bool keeps_shared_state = (Schemes::keeps_shared_state || ...);
    /// Admits anonymous callers when any alternative does.
    static constexpr bool is_anonymous = (Schemes::is_anonymous || ...);

    static std::vector<variable> variables(const auth_settings& s) {
        std::vector<variable> all;
        (append(all, scheme_variables<Schemes>(s)), ...);
        return all;
    }

    static result<any_of> configure(const credential_set& c, const auth_settings& s,
                                    std::shared_ptr<replay_store> replay = nullptr) {
        any_of a;
        error first{};
        bool failed = false;
        auto one = [&]<class A>(std::optional<A>& slot) {
            if (failed) return;
            auto r = configure_scheme<A>(c, s, replay);
            if (!r) {
                failed = true;
                first = r.error();
                return;
            }
            slot.emplace(std::move(r).value());
        };
        std::apply([&](auto&... slot) { (one(slot), ...); }, a.schemes_);
        if (failed) return first;
        return a;
    }

    static bool presents(const http_request_view& r) { return (presents_one<Schemes>(r) || ...); }
    static std::vector<std::string_view> credential_headers() {
        std::vector<std::string_view> all;
        ([&](std::vector<std::string_view> more) { all.insert(all.end(), more.begin(), more.end()); }(
             detail::credential_headers_of<Schemes>()),
         ...);
        return all;
    }

    gate_result authenticate(const http_request_view& r) const {
        std::optional<gate_result> decided;
        std::string challenges;
        std::apply(
            [&](const auto&... slot) {
                (try_one(slot, r, decided, challenges), ...);
            },
            schemes_);
        if (decided) return std::move(*decided);
        return challenge{401, challenges, "", ""};
    }

    // What the alternatives publish or run: every one runs its background work and hears
    // the tools' scopes; the first that serves metadata or step-up challenges answers.
    static constexpr bool any_metadata = (detail::serves_resource_metadata<Schemes> || ...);
    static constexpr bool any_step_up = (detail::has_step_up<Schemes> || ...);

    bool may_block() const
        requires(detail::may_block<Schemes> || ...)
    {
        bool any = false;
        std::apply([&](const auto&... slot) { ((any = any || blocks_one(slot)), ...); }, schemes_);
        return any;
    }
    void start_background(const logger& log)
        requires(detail::runs_in_background<Schemes> || ...)
    {
        std::apply([&](auto&... slot) { (start_one(slot, log), ...); }, schemes_);
    }
    void stop_background() const
        requires(detail::runs_in_background<Schemes> || ...)
    {
        std::apply([&](const auto&... slot) { (stop_one(slot), ...); }, schemes_);
    }
    void set_default_scope(const std::vector<std::string>& ts)
        requires(detail::wants_tool_scopes<Schemes> || ...)
    {
        std::apply([&](auto&... slot) { (scope_one(slot, ts), ...); }, schemes_);
    }
    boost::json::object resource_metadata(const std::vector<std::string>& ts) const
        requires any_metadata
    {
        boost::json::object out;
        bool done = false;
        std::apply([&](const auto&... slot) { (metadata_one(slot, ts, out, done), ...); }, schemes_);
        return out;
    }
    bool is_metadata_path(std::string_view p) const
        requires any_metadata
    {
        bool yes = false;
        std::apply([&](const auto&... slot) { ((yes = yes || path_one(slot, p)), ...); }, schemes_);
        return yes;
    }
    std::string step_up(std::string_view why, std::string_view scope) const
        requires any_step_up
    {
        std::string out;
        std::apply([&](const auto&... slot) { (step_up_one(slot, why, scope, out), ...); }, schemes_);
        return out;
    }

private:
    template <class A>
    static bool blocks_one(const std::optional<A>& s) {
        if constexpr (detail::may_block<A>) return s->may_block();
        else return false;
    }
    template <class A>
    static void start_one(std::optional<A>& s, const logger& log) {
        if constexpr (detail::runs_in_background<A>) s->start_background(log);
    }
    template <class A>
    static void stop_one(const std::optional<A>& s) {
        if constexpr (detail::runs_in_background<A>) s->stop_background();
    }
    template <class A>
    static void scope_one(std::optional<A>& s, const std::vector<std::string>& ts) {
        if constexpr (detail::wants_tool_scopes<A>) s->set_default_scope(ts);
    }
    template <class A>
    static void metadata_one(const std::optional<A>& s, const std::vector<std::string>& ts, boost::json::object& out,
                             bool& done) {
        if constexpr (detail::serves_resource_metadata<A>)
            if (!done) {
                out = s->resource_metadata(ts);
                done = true;
            }
    }
    template <class A>
    static bool path_one(const std::optional<A>& s, std::string_view p) {
        if constexpr (detail::serves_resource_metadata<A>) return s->is_metadata_path(p);
        else return false;
    }
    template <class A>
    static void step_up_one(const std::optional<A>& s, std::string_view why, std::string_view scope, std::string& out) {
        if constexpr (detail::has_step_up<A>)
            if (out.empty()) out = s->step_up(why, scope);
    }
    static void append(std::vector<variable>& all, std::vector<variable> more) {
        for (auto& v : more) {
            bool seen = false;
            for (const auto& x : all) seen = seen || x.name == v.name;
            if (!seen) all.push_back(std::move(v));
        }
    }
    template <class A>
    static bool presents_one(const http_request_view& r) {
        if constexpr (detail::has_presents<A>) return A::presents(r);
        else return A::is_anonymous; // anonymous applies to every request
    }
    template <class A>
    static void try_one(const std::optional<A>& scheme, const http_request_view& r, std::optional<gate_result>& decided,
                        std::string& challenges) {
        if (decided) return;
        if (presents_one<A>(r)) {
            decided.emplace(scheme->authenticate(r));
            return;
        }
        // Not presented: collect the scheme's challenge for a request that presents nothing.
        gate_result g = scheme->authenticate(r);
        if (auto* c = std::get_if<challenge>(&g); c && !c->www_authenticate.empty()) {
            if (c->status == 400) { // a malformed request (a credential in the query) is refused as such
                decided.emplace(std::move(g));
                return;
            }
            challenges += (challenges.empty() ? "" : ", ") + c->www_authenticate;
        }
    }

    std::tuple<std::optional<Schemes>...> schemes_;
};

} // namespace warden::auth
