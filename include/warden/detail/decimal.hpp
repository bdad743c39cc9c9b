// warden/detail/decimal.hpp: strict parsing of unsigned decimal numbers.
#pragma once

#include <charconv>
#include <concepts>
#include <string_view>

namespace warden::detail {

/// Parses all of `text` as an unsigned decimal number: one or more ASCII digits, nothing
/// else (no sign, space or radix prefix), within the range of `T`. False otherwise, with
/// `out` unchanged.
template <std::unsigned_integral T>
bool parse_decimal(std::string_view text, T& out) noexcept {
    if (text.empty()) return false;
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
    out = value;
    return true;
}

} // namespace warden::detail
