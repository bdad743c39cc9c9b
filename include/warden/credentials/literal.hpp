// warden/credentials/literal.hpp: credentials written in the source code.
//
// For tests only: composition rule 5 refuses this source outside profile::test.
#pragma once

#include <warden/credentials/credential_set.hpp>

namespace warden::credentials {

struct literal {
    static constexpr bool production_ready = false;
    static constexpr std::string_view source_name = "literal credentials";

    static result<std::optional<std::string>> lookup(const std::string& name, const credential_request& req) {
        auto it = req.literal_values.find(name);
        if (it == req.literal_values.end()) return std::optional<std::string>();
        return std::optional<std::string>(it->second);
    }
    static result<credential_set> load(const credential_request& req) { return detail::load_from<literal>(req); }
};

} // namespace warden::credentials
