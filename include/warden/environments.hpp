// warden/environments.hpp: one server, several deployments, chosen at start-up.
//
//     using envs = w::environments<
//         w::environment<"development", dev_definition, "DEV_">,
//         w::environment<"staging", staging_definition, "STAGING_">,
//         w::environment<"production", production_definition, "PROD_">>;
//     auto name = envs::choose(cl.environment);           // --env, else MCP_ENV
//     if (!name) { /* print name.error(): it lists the valid names */ }
//     return *envs::visit(name.value(), [&]<class Env>(std::type_identity<Env>) {
//         w::server<typename Env::definition_type> s{...};
//         settings.credentials = {{Env::variable("API_KEY"), "..."}};  // PROD_API_KEY, ...
//         ...
//     });
//
// Every candidate is a `server_definition`, so the compiler checks each one against every
// composition rule, whichever is chosen at run time. Names must be distinct, and so must
// the credential variable prefixes: no two environments ever read the same variable, so a
// production secret cannot serve staging by accident. The choice comes from `--env NAME`,
// else `MCP_ENV`; an unknown or missing name is refused with the list of valid ones.
#pragma once

#include <warden/definition.hpp>
#include <warden/error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace warden {

/// A string usable as a template argument: `environment<"staging", ...>`.
template <std::size_t N>
struct name_literal {
    char text[N]{};
    constexpr name_literal(const char (&s)[N]) { std::copy_n(s, N, text); }
    constexpr std::string_view view() const { return {text, N - 1}; }
};

/// A named deployment: its definition and the prefix of every credential variable it reads.
template <name_literal Name, definition Definition, name_literal VariablePrefix>
struct environment {
    static_assert(Name.view().size() > 0, "warden: environment: the name is empty");
    static_assert(VariablePrefix.view().size() > 0,
                  "warden: environment: give every environment its own credential variable prefix (e.g. \"PROD_\"), "
                  "so that no two environments read the same variable");
    using definition_type = Definition;
    static constexpr std::string_view name = Name.view();
    static constexpr std::string_view prefix = VariablePrefix.view();
    /// `base` as this environment's variable: "API_KEY" -> "PROD_API_KEY".
    static std::string variable(std::string_view base) { return std::string(prefix) + std::string(base); }
};

namespace detail {
template <class E>
concept an_environment = requires {
    typename E::definition_type;
    { E::name } -> std::convertible_to<std::string_view>;
    { E::prefix } -> std::convertible_to<std::string_view>;
};

template <std::size_t N>
constexpr bool all_distinct(const std::array<std::string_view, N>& v) {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = i + 1; j < N; ++j)
            if (v[i] == v[j]) return false;
    return true;
}
/// No prefix is a prefix of another ("PROD_" and "PROD_EU_" would let PROD_EU_KEY be read
/// as PROD_'s "EU_KEY").
template <std::size_t N>
constexpr bool prefixes_disjoint(const std::array<std::string_view, N>& v) {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < N; ++j)
            if (i != j && v[j].starts_with(v[i])) return false;
    return true;
}
} // namespace detail

/// The deployments one server binary can run as.
template <detail::an_environment... Envs>
struct environments {
    static_assert(sizeof...(Envs) > 0, "warden: environments: name at least one environment");
    static_assert(detail::all_distinct(std::array<std::string_view, sizeof...(Envs)>{Envs::name...}),
                  "warden: environments: two environments have the same name");
    static_assert(detail::prefixes_disjoint(std::array<std::string_view, sizeof...(Envs)>{Envs::prefix...}),
                  "warden: environments: credentials are never shared between environments: two environments "
                  "have the same credential variable prefix (or one prefix starts another); give each its own, "
                  "e.g. \"STAGING_\" and \"PROD_\"");

    /// "development, staging, production".
    static std::string names() {
        std::string out;
        ((out += (out.empty() ? "" : ", ") + std::string(Envs::name)), ...);
        return out;
    }

    /// The name to run: `requested` (from --env), else $MCP_ENV. Unknown or missing: an
    /// error that lists the valid names.
    static result<std::string> choose(std::string_view requested) {
        std::string name(requested);
        if (name.empty())
            if (const char* e = std::getenv("MCP_ENV")) name = e;
        if (name.empty())
            return failure(errc::invalid_argument, "no environment chosen: pass --env NAME or set MCP_ENV to one of: " + names());
        if (!((name == Envs::name) || ...))
            return failure(errc::invalid_argument, "unknown environment \"" + name + "\"; valid: " + names());
        return name;
    }

    /// Calls `f(std::type_identity<Env>{})` for the environment named `name` (see `choose`).
    template <class F>
    static auto visit(std::string_view name, F&& f) {
        using R = std::invoke_result_t<F&, std::type_identity<first>>;
        std::optional<R> out;
        ((name == Envs::name && !out ? (void)(out.emplace(f(std::type_identity<Envs>{}))) : (void)0), ...);
        return out;
    }

private:
    using first = std::tuple_element_t<0, std::tuple<Envs...>>;
};

} // namespace warden
