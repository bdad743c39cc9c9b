// warden/config.hpp: header-only (the default) or separate compilation.
//
// warden is header-only: include its headers and build. A program with many translation
// units, or a CI that rebuilds often, can compile the part of warden that does not depend
// on the program's policies once instead: define WARDEN_SEPARATE_COMPILATION in every
// translation unit (the CMake target `warden::compiled` does this) and include
// <warden/src.hpp> in exactly one of them (`warden::compiled` builds that unit for you).
//
// What is compiled once: the HTTP connection (its reading, gating, both protocol eras, SSE,
// legacy HTTP+SSE and WebSocket), the listener, accept loop and serve/shutdown code of every
// channel, the metrics listener, the MCP session (dispatch, methods, the stateless era,
// listen, requests to the client), the server core's constructor and its sessions' making,
// the strict JSON parse of security decisions (detail/strict_json.hpp), and the HTTP client
// that fetches keys, metadata and tokens (detail/http_fetch.hpp). Templates over the user's
// own types (the scheme, tools' argument types, the definition) stay in the user's
// translation units either way.
#pragma once

#if defined(WARDEN_SEPARATE_COMPILATION)
/// 1 when warden's implementation is compiled into the including unit, 0 when one unit
/// of the program compiles it from <warden/src.hpp>.
#define WARDEN_HEADER_ONLY 0
/// Marks the definition of a function compiled once in separate compilation.
#define WARDEN_DECL
#else
#define WARDEN_HEADER_ONLY 1
#define WARDEN_DECL inline
#endif
