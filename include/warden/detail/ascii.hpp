// warden/detail/ascii.hpp: ASCII case folding for protocol tokens (header names, schemes,
// host names), independent of the locale.
#pragma once

#include <string>
#include <string_view>

namespace warden::detail {

inline std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace warden::detail
