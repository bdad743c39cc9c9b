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
    static constexpr std::string_view source_name = "environment";

    static result<std::optional<std::string>> lookup(const std::string& name, const credential_request&) {
        if (const char* v = std::getenv(name.c_str())) return std::optional<std::string>(v);
        return std::optional<std::string>();
    }
    static result<credential_set> load(const credential_request& req) { return detail::load_from<env>(req); }
};

} // namespace warden::credentials
