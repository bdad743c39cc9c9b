// warden/credentials/env.hpp: credentials from the process environment.
//
// The usual source for stdio servers (the MCP client sets the variables when it launches
// the server) and for containers. Every declared variable is read once at start-up; all
// missing required ones are reported together, before the server serves anything.
#pragma once

#include <warden/credentials/credential_set.hpp>

#include <cstdlib>

namespace warden::credentials {

struct env {
    static constexpr bool production_ready = true;

    static result<credential_set> load(const credential_request& req) {
        return detail::load_variables(req, "environment", [](const std::string& name) -> std::optional<std::string> {
            if (const char* v = std::getenv(name.c_str())) return std::string(v);
            return std::nullopt;
        });
    }
};

} // namespace warden::credentials
