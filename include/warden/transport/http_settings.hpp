// warden/transport/http_settings.hpp: how an HTTP transport listens, and its limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warden {

struct http_settings {
    std::string address = "127.0.0.1";     ///< where to listen (a numeric address, or "localhost")
    std::uint16_t port = 8080;              ///< 0 picks a free port (see `on_listening`)
    std::string path = "/mcp";              ///< the MCP endpoint
    std::size_t io_threads = 0;             ///< 0 = one per core the process may run on
    bool stateless = false;                 ///< no sessions: every POST stands alone
    /// The 2024-11-05 HTTP+SSE transport beside Streamable HTTP: GET `sse_path` opens a
    /// stream whose first event names the endpoint to POST messages to.
    bool legacy_sse = true;
    std::string sse_path = "/sse";
    std::string messages_path = "/messages";
    /// Where a `with_websocket<...>` transport serves MCP over WebSocket (subprotocol "mcp"):
    /// `ws` on loopback, `wss` over the tls channel. Other transports have no such endpoint.
    std::string websocket_path = "/ws";

    std::size_t max_header_bytes = 8 * 1024;       ///< larger request heads get 431
    std::size_t max_body_bytes = 4 * 1024 * 1024;  ///< larger bodies get 413, decided before reading them
    std::chrono::milliseconds header_timeout{10'000}; ///< a request head must arrive within this (408)
    std::chrono::milliseconds body_timeout{30'000};   ///< and its body within this (408)
    std::chrono::milliseconds idle_timeout{60'000};   ///< a keep-alive connection may stay idle this long
    std::size_t max_connections = 10'000;          ///< further connections are closed at once

    /// Prometheus metrics (warden/metrics.hpp) at GET /metrics on a listener of their own,
    /// which has no authentication and so binds a loopback address only (a scraper on the
    /// host, or a sidecar). Unset: no listener; 0: a free port (the log line names it).
    std::optional<std::uint16_t> metrics_port{};
    std::string metrics_address = "127.0.0.1";

    /// This instance's name when several run behind a load balancer (`--instance NAME`):
    /// 1-32 of [A-Za-z0-9_-]. Session ids then start with "NAME." so the balancer can route a
    /// session's requests back to the instance that holds it (examples/deployment/nginx.conf
    /// maps the prefix to the instance), and an instance that receives another's session
    /// refuses it with 404 (the client starts a new session) and logs the misrouting.
    std::string instance{};

    std::size_t max_sessions = 10'000;                      ///< further initialize requests get 503
    std::chrono::milliseconds session_idle_timeout{600'000}; ///< idle sessions are ended after this
    std::chrono::milliseconds sse_heartbeat{15'000};         ///< a comment line keeps idle streams alive
    /// A long-lived stream (WebSocket, SSE) asks the gate again at least this often, and
    /// at its next heartbeat after a reload rebuilt the gate; it ends at once when its
    /// credential expires, and when the gate no longer lets its caller in.
    std::chrono::milliseconds reauthenticate_interval{60'000};

    /// Host header values accepted besides the defaults (for a loopback bind:
    /// 127.0.0.1:P, localhost:P and [::1]:P): "host:port", "host" (any port),
    /// "*.example.com" (one label under the domain, any port), or "*" (any Host). Empty and
    /// not on loopback: the TLS certificate's DNS names; without those, start-up fails,
    /// except under profile::development and profile::test (any Host).
    std::vector<std::string> allowed_hosts{};
    /// Set by server<D> from its profile (development, test): a server beyond loopback with
    /// no allowed-host list answers any Host. A value set by hand is overwritten.
    bool any_host_by_profile = false;
    /// Origins accepted besides the request's own (scheme://host[:port]).
    std::vector<std::string> allowed_origins{};

    std::string tls_certificate_file{}; ///< PEM chain, for the `tls` channel
    std::string tls_private_key_file{}; ///< PEM key, for the `tls` channel
    /// PEM CAs that issue client certificates (the `mutual_tls` and `behind_mtls_terminator`
    /// channels), and optionally their CRLs: with a CRL file, every client certificate is
    /// checked against its issuer's CRL, and a missing or expired one refuses it.
    std::string tls_client_ca_file{};
    std::string tls_client_crl_file{};
    /// Where a trusted proxy puts the client certificate (`behind_mtls_terminator`):
    /// URL-encoded PEM, as nginx's $ssl_client_escaped_cert.
    std::string client_certificate_header = "X-SSL-Client-Cert";
    /// Addresses of the TLS-terminating proxies whose X-Forwarded-For/-Proto are believed
    /// (the `behind_tls_terminator` channel).
    std::vector<std::string> trusted_proxies{};
};

} // namespace warden
