#include <warden/transport/modern_only.hpp>

#include <warden/transport/stdio.hpp>
#include <warden/transport/streamable_http.hpp>

#include <catch2/catch.hpp>

namespace wt = warden::transport;

TEST_CASE("modern_only: narrows a transport that serves both eras to 2026-07-28", "[modern]") {
    using http = wt::streamable_http<wt::loopback>;
    STATIC_REQUIRE(wt::serves_both_eras<http>);
    STATIC_REQUIRE(wt::serves_both_eras<wt::stdio>);
    STATIC_REQUIRE_FALSE(wt::serves_both_eras<wt::modern_only<http>>);
    STATIC_REQUIRE_FALSE(wt::modern_only<wt::stdio>::serves_session_era);
    // Everything else of the transport is kept: its channel and its traits.
    STATIC_REQUIRE(wt::modern_only<http>::channel == http::channel);
    STATIC_REQUIRE(wt::modern_only<http>::carries_http_headers);
    STATIC_REQUIRE_FALSE(wt::modern_only<wt::stdio>::carries_http_headers);
}
