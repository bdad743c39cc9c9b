// One of two translation units that include every warden header; linking them together
// proves the headers define nothing twice (no non-inline functions or variables). Built
// against warden::compiled (WARDEN_SEPARATE_COMPILATION), it proves the headers and
// <warden/src.hpp> define nothing twice and leave nothing undefined.
#include <warden/warden.hpp>
#include <warden/auth/oauth_resource_server.hpp>
#include <warden/transport/http/metrics_listener.hpp>
#include <warden/transport/streamable_http.hpp>
#include <warden/transport/websocket.hpp>
#include <warden/upstream/client.hpp>

std::string odr_a() {
    warden::secret s(std::string_view("value-a"));
    auto schema = warden::mcp::schema_for<std::vector<int>>();
    return std::string(warden::version_string) + s.fingerprint() + boost::json::serialize(schema) +
           std::string(warden::to_string(warden::log_level::info)) + warden::make_error_code(warden::errc::timeout).category().name();
}

// A function compiled once in separate compilation (a coroutine, in the HTTP transport): the
// same function, at the same address, seen from both units.
using odr_entry = void (*)();
odr_entry odr_a_entry() { return reinterpret_cast<odr_entry>(&warden::transport::detail::serve_metrics); }
