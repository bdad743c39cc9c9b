// warden/server_info.hpp: how a server introduces itself (its name and version in the
// initialize result and server/discover, its title and instructions).
#pragma once

#include <string>

namespace warden {

/// How the server introduces itself in the initialize result.
struct server_info {
    std::string name{};
    std::string version{};
    std::string title{};
    std::string instructions{}; ///< optional guidance for the client's model
};

} // namespace warden
