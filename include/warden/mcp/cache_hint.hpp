// warden/mcp/cache_hint.hpp: how long a result of the stateless era may be reused, and by
// whom (MCP 2026-07-28 `ttlMs` and `cacheScope`).
#pragma once

#include <chrono>

namespace warden {

/// Who may reuse a cached result (MCP 2026-07-28 `cacheScope`): `everyone` ("public", no
/// caller-specific data) or only the same `caller` ("private", the same authorization).
enum class cache_scope { caller, everyone };
/// How long a result may be reused (`ttlMs`) and by whom. Hints for clients and caches,
/// never access control.
struct cache_hint {
    std::chrono::milliseconds ttl{0};
    cache_scope scope = cache_scope::caller;
};

} // namespace warden
