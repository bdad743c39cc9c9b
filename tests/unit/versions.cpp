#include <warden/mcp/versions.hpp>

#include <catch2/catch.hpp>

TEST_CASE("the session era's revisions, newest first", "[versions]") {
    namespace mcp = warden::mcp;
    CHECK(mcp::supported_versions.front() == "2025-11-25");
    CHECK(mcp::supported_versions.back() == "2024-11-05");
    for (auto v : mcp::supported_versions) CHECK(mcp::is_supported_version(v));
    CHECK_FALSE(mcp::is_supported_version("2026-07-28")); // the stateless era is negotiated per request
    CHECK_FALSE(mcp::is_supported_version("2025-11-25 "));
    CHECK_FALSE(mcp::is_supported_version(""));
}

TEST_CASE("JSON-RPC batches only where the revision has them", "[versions]") {
    namespace mcp = warden::mcp;
    CHECK(mcp::version_allows_batches("2024-11-05"));
    CHECK(mcp::version_allows_batches("2025-03-26"));
    CHECK_FALSE(mcp::version_allows_batches("2025-06-18"));
    CHECK_FALSE(mcp::version_allows_batches("2025-11-25"));
}
