#include <warden/version.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("version string matches the macros", "[version]") {
    CHECK(std::string(warden::version_string) == std::to_string(WARDEN_VERSION_MAJOR) + "." +
                                                      std::to_string(WARDEN_VERSION_MINOR) + "." +
                                                      std::to_string(WARDEN_VERSION_PATCH));
}
