// warden/credentials/first_of.hpp: several credential sources, asked in order.
//
// `first_of<file, env>` takes each variable from the first source that has it: a secret
// kept in a file in production, the environment on a developer's machine. A source that
// finds the variable but cannot use it (a credential file with loose permissions) stops
// the search with its error rather than falling through to the next source: the operator
// meant that file. Start-up reports every missing or unusable variable across all the
// sources at once.
#pragma once

#include <warden/credentials/credential_set.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace warden::credentials {

template <class... Sources>
    requires(sizeof...(Sources) > 0)
struct first_of {
    static constexpr bool production_ready = (Sources::production_ready && ...);
    static constexpr std::string_view source_name = "credential sources";

    static result<std::optional<std::string>> lookup(const std::string& name, const credential_request& req) {
        result<std::optional<std::string>> found = std::optional<std::string>();
        // Stops at the first source that has the variable or fails on it.
        (void)((found = Sources::lookup(name, req), !found || found.value().has_value()) || ...);
        return found;
    }
    static result<credential_set> load(const credential_request& req) { return detail::load_from<first_of>(req); }
};

} // namespace warden::credentials
