// warden/credentials/literal.hpp: credentials written in the source code.
//
// For tests only: composition rule 5 refuses this source outside profile::test.
#pragma once

#include <warden/credentials/credential_set.hpp>

namespace warden::credentials {

struct literal {
    static constexpr bool production_ready = false;

    static result<credential_set> load(const credential_request& req) {
        return detail::load_variables(req, "literal credentials",
                                      [&](const std::string& name) -> std::optional<std::string> {
                                          auto it = req.literal_values.find(name);
                                          if (it == req.literal_values.end()) return std::nullopt;
                                          return it->second;
                                      });
    }
};

} // namespace warden::credentials
