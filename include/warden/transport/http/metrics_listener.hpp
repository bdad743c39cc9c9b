// warden/transport/http/metrics_listener.hpp: the Prometheus listener (GET /metrics on its
// own loopback port).
#pragma once

#include <warden/config.hpp>
#include <warden/error.hpp>
#include <warden/metrics.hpp>
#include <warden/transport/http/state.hpp>
#include <warden/transport/http_settings.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace warden::transport::detail {

/// One connection to the metrics listener: GET /metrics, nothing else.
WARDEN_DECL net::awaitable<void> serve_metrics(tcp::socket socket);

/// Accepts metrics connections until the acceptor closes.
WARDEN_DECL net::awaitable<void> metrics_accept_loop(tcp::acceptor& acceptor);

/// Opens the metrics listener `cfg` asks for (loopback only).
inline result<void> listen_metrics(const http_settings& cfg, tcp::acceptor& acceptor) {
    auto address = resolve_listen_address(cfg.metrics_address);
    if (!address) return address.error();
    if (!address.value().is_loopback())
        return failure(errc::invalid_argument, "metrics_address " + cfg.metrics_address +
                                                   " is not a loopback address: the metrics listener has no "
                                                   "authentication, so it listens on loopback only (scrape it "
                                                   "from the host or a sidecar)");
    tcp::endpoint endpoint(address.value(), *cfg.metrics_port);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return failure(errc::invalid_argument, "cannot listen on " + endpoint.address().to_string() + ":" +
                                                   std::to_string(*cfg.metrics_port) + " for metrics: " + ec.message());
    return success();
}

} // namespace warden::transport::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/transport/http/impl/metrics_listener.hpp>
#endif
