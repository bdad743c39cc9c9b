// warden/transport/requirements.hpp: what a transport policy is (concept
// `warden::transport_policy`), at compile time and at run time.
//
// | expression                        | type                 | meaning                                                |
// |-----------------------------------|----------------------|--------------------------------------------------------|
// | `T::channel`                      | `const channel_security` | what the channel guarantees (warden/traits.hpp)    |
// | `T::carries_http_headers`         | `const bool`         | requests arrive with HTTP headers                      |
// | `T::verifies_client_certificates` | `const bool`         | the TLS layer verifies a client certificate            |
// | `T::serves_session_era`           | `const bool`         | optional (default true): initialize and sessions, not only 2026-07-28 (`modern_only<T>` sets it false) |
// | `T::template serve<A>(core)`      | `int`                | run time: serves until shut down; the process exit status (0, or 78 for a configuration error) |
//
// The traits are `static constexpr` members, checked by the concept and read by the
// composition rules (warden/rules.hpp); the traits alone name a definition. `serve` is asked
// for only when `server<D>::run()` is compiled. `A` is the definition's auth scheme; `core`
// is a `warden::server_core&` (warden/detail/server_core.hpp), through which a transport opens
// sessions (`open_session`), reads its settings (`config()`), logs (`log()`), runs handlers
// (`workers()`), asks what the server offers (`dispatcher()`) and registers its stopper
// (`set_stopper`). transport::stdio and transport::streamable_http<Channel> are the two
// transports; see their headers for how each serves.
#pragma once

#include <warden/traits.hpp>

#include <concepts>

namespace warden {

template <class T>
concept transport_policy = requires {
    { T::channel } -> std::convertible_to<channel_security>;
    { T::carries_http_headers } -> std::convertible_to<bool>;
    { T::verifies_client_certificates } -> std::convertible_to<bool>;
    typename detail::constant_expression<T::channel>;
    typename detail::constant_expression<T::carries_http_headers>;
    typename detail::constant_expression<T::verifies_client_certificates>;
};

} // namespace warden
