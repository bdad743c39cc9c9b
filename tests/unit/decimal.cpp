#include <warden/detail/decimal.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

TEST_CASE("parse_decimal takes digits only, within range", "[decimal]") {
    std::uint64_t v = 7;
    CHECK(warden::detail::parse_decimal("0", v));
    CHECK(v == 0);
    CHECK(warden::detail::parse_decimal("18446744073709551615", v));
    CHECK(v == UINT64_MAX);
    v = 7;
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "18446744073709551616", "١"})
        CHECK_FALSE(warden::detail::parse_decimal(bad, v));
    CHECK(v == 7); // unchanged by a refusal
    std::uint8_t small = 0;
    CHECK_FALSE(warden::detail::parse_decimal("256", small));
    CHECK(warden::detail::parse_decimal("255", small));
}
