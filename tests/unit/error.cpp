#include <warden/error.hpp>

#include <catch2/catch.hpp>

#include <system_error>

TEST_CASE("warden errors are error codes with a detail", "[error]") {
    std::error_code ec = warden::errc::timeout;
    CHECK(ec.category().name() == std::string("warden"));
    CHECK(ec.message() == "timed out");

    warden::result<int> r = warden::failure(warden::errc::invalid_params, "limit: expected an integer");
    REQUIRE_FALSE(r);
    CHECK(r.error() == warden::errc::invalid_params);
    CHECK(r.error().message() == "limit: expected an integer");

    warden::result<int> bare = warden::failure(warden::errc::closed);
    CHECK(bare.error().message() == "closed");
}

TEST_CASE("value() on a failed result throws system_error with the detail", "[error]") {
    warden::result<int> r = warden::failure(warden::errc::storage_error, "disk full");
    try {
        (void)r.value();
        FAIL("value() did not throw");
    } catch (const std::system_error& e) {
        CHECK(e.code() == warden::errc::storage_error);
        CHECK(std::string(e.what()).find("disk full") != std::string::npos);
    }
    warden::result<int> ok = 7;
    CHECK(ok.value() == 7);
}
