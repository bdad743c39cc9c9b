#include <warden/mcp/session_options.hpp>

#include <catch2/catch.hpp>

TEST_CASE("session_options: limits and stateless-era cache hints by default", "[session_options]") {
    const warden::mcp::session_options o;
    CHECK(o.page_size == 100);
    CHECK(o.max_in_flight == 256);
    CHECK(o.max_message_bytes == 4u * 1024 * 1024);
    CHECK(o.client_request_timeout == std::chrono::seconds(60));
    // Lists are the same for every caller; a resource may not be: private, and not reused.
    CHECK(o.list_cache.scope == warden::cache_scope::everyone);
    CHECK(o.list_cache.ttl == std::chrono::minutes(5));
    CHECK(o.resource_cache.scope == warden::cache_scope::caller);
    CHECK(o.resource_cache.ttl == std::chrono::milliseconds(0));
}
