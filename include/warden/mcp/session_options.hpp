// warden/mcp/session_options.hpp: the limits and defaults of one MCP session
// (`settings::session`).
#pragma once

#include <warden/mcp/cache_hint.hpp>

#include <chrono>
#include <cstddef>

namespace warden::mcp {

/// Per-session limits, and the cache hints of the stateless era.
struct session_options {
    std::size_t page_size = 100;                              ///< items per list page
    std::chrono::milliseconds client_request_timeout{60'000}; ///< default wait for the client's answer
    std::size_t max_in_flight = 256;                          ///< concurrent handler requests per session
    std::size_t max_message_bytes = 4 * 1024 * 1024;          ///< larger text is refused unparsed
    /// Stateless era: how long list results and server/discover may be reused, and by whom.
    cache_hint list_cache{std::chrono::minutes(5), cache_scope::everyone};
    /// Stateless era: resources/read of a resource that declares no hint of its own.
    cache_hint resource_cache{std::chrono::milliseconds(0), cache_scope::caller};
    /// Whether `initialize` (the session era) is served besides the stateless era. Set from
    /// the definition (a modern-only transport), not by hand.
    bool session_era = true;
};

} // namespace warden::mcp
