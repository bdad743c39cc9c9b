// warden/src.hpp: warden's implementation, for separate compilation.
//
// Include this header in exactly one translation unit of the program, with
// WARDEN_SEPARATE_COMPILATION defined in every unit (warden/config.hpp says what is then
// compiled once). The CMake target `warden::compiled` does both:
//
//     target_link_libraries(my_server PRIVATE warden::compiled)
#pragma once

#if !defined(WARDEN_SEPARATE_COMPILATION)
#error "<warden/src.hpp> is for separate compilation: define WARDEN_SEPARATE_COMPILATION in every translation unit (or link the CMake target warden::compiled), or include only warden's ordinary headers"
#endif

#include <warden/transport/streamable_http.hpp>
#include <warden/warden.hpp>

// g++ 12 gives the frame of a non-inline coroutine that holds a lambda or a local class a
// type "with no linkage" and warns about it (-Wsubobject-linkage); the same code inline
// draws no warning. The frame is private to this unit either way.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif
#include <warden/detail/impl/http_fetch.hpp>
#include <warden/detail/impl/server_core.hpp>
#include <warden/detail/impl/strict_json.hpp>
#include <warden/mcp/impl/session_dispatch.hpp>
#include <warden/mcp/impl/session_methods.hpp>
#include <warden/mcp/impl/session_stateless.hpp>
#include <warden/mcp/impl/session_listen.hpp>
#include <warden/mcp/impl/session_client_requests.hpp>
#include <warden/mcp/impl/tasks.hpp>
#include <warden/transport/detail/impl/event_stream.hpp>
#include <warden/transport/http/impl/read_loop.hpp>
#include <warden/transport/http/impl/authenticate.hpp>
#include <warden/transport/http/impl/session_era.hpp>
#include <warden/transport/http/impl/stateless.hpp>
#include <warden/transport/http/impl/sse_writer.hpp>
#include <warden/transport/http/impl/legacy_sse.hpp>
#include <warden/transport/http/impl/websocket.hpp>
#include <warden/transport/http/impl/metrics_listener.hpp>
#include <warden/transport/http/impl/run.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace warden::transport::detail {
#define WARDEN_DETAIL_DEFINE_CHANNEL(Channel) WARDEN_DETAIL_CHANNEL_INSTANCES(Channel, )
WARDEN_FOR_EACH_CHANNEL(WARDEN_DETAIL_DEFINE_CHANNEL)
#undef WARDEN_DETAIL_DEFINE_CHANNEL
} // namespace warden::transport::detail
