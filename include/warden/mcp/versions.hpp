// warden/mcp/versions.hpp: the protocol revisions of the session era that warden serves.
// (The stateless era, 2026-07-28, is warden/mcp/modern.hpp's.)
#pragma once

#include <array>
#include <string_view>

namespace warden::mcp {

/// Protocol revisions served, newest first.
inline constexpr std::array<std::string_view, 4> supported_versions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                                       "2024-11-05"};

inline bool is_supported_version(std::string_view v) noexcept {
    for (auto s : supported_versions)
        if (s == v) return true;
    return false;
}

/// JSON-RPC batches exist in 2024-11-05 and 2025-03-26; 2025-06-18 removed them.
inline bool version_allows_batches(std::string_view v) noexcept { return v == "2024-11-05" || v == "2025-03-26"; }

} // namespace warden::mcp
