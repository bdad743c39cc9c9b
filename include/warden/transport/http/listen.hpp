// warden/transport/http/listen.hpp: the listening address, the channel's set-up (TLS
// context, client-certificate CAs, trusted proxies), and one accepted socket served to its
// end (TLS handshake, the connection, the close).
#pragma once

#include <warden/crypto/x509.hpp>
#include <warden/transport/channel.hpp>
#include <warden/transport/http/connection.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <optional>
#include <string>

namespace warden::transport::detail {

template <class Channel>
result<void> prepare_channel(http_state& state, const net::ip::address& address) {
    const auto& cfg = state.config;
    if (!cfg.instance.empty() && !session_table::valid_instance_name(cfg.instance))
        return failure(errc::invalid_argument, "instance name \"" + cfg.instance +
                                                   "\": use 1-32 letters, digits, '-' or '_' (it starts session ids)");
    if constexpr (Channel::security == channel_security::loopback_plaintext) {
        if (!address.is_loopback())
            return failure(errc::invalid_argument,
                           "transport::streamable_http<loopback> refuses to listen on " + address.to_string() +
                               ": it serves plaintext to this host only; bind 127.0.0.1 or ::1, or use the tls or "
                               "behind_tls_terminator channel");
    }
    if constexpr (!Channel::verifies_client_certificates) {
        if (!cfg.tls_client_ca_file.empty() || !cfg.tls_client_crl_file.empty())
            return failure(errc::invalid_argument, "a client CA or CRL is configured but this transport does not verify "
                                                   "client certificates; use transport::streamable_http<mutual_tls>");
    }
    if constexpr (Channel::security != channel_security::tls_terminated) {
        if (!cfg.trusted_proxies.empty())
            return failure(errc::invalid_argument, "trusted proxies are configured but this transport does not sit "
                                                   "behind a proxy; use transport::streamable_http<behind_tls_terminator>");
    }
    if constexpr (Channel::verifies_client_certificates) {
        if (cfg.tls_client_ca_file.empty())
            return failure(errc::invalid_argument, "client certificates need the CA that issues them "
                                                   "(--tls-client-ca FILE)");
        auto verifier = crypto::client_certificate_verifier::load(cfg.tls_client_ca_file, cfg.tls_client_crl_file);
        if (!verifier) return verifier.error();
        state.client_certs.emplace(std::move(verifier).value());
    }
    if constexpr (Channel::encrypted) {
        if (cfg.tls_certificate_file.empty() || cfg.tls_private_key_file.empty())
            return failure(errc::invalid_argument, "the tls channel needs a certificate and a key (--tls-cert FILE "
                                                   "--tls-key FILE)");
        state.tls.emplace(net::ssl::context::tls_server);
        auto& ctx = *state.tls;
        ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                        net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                        net::ssl::context::single_dh_use);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        SSL_CTX_set_security_level(ctx.native_handle(), 2);
        boost::system::error_code ec;
        ctx.use_certificate_chain_file(cfg.tls_certificate_file, ec);
        if (ec)
            return failure(errc::invalid_credentials, "TLS certificate \"" + cfg.tls_certificate_file +
                                                          "\" cannot be used: " + ec.message());
        ctx.use_private_key_file(cfg.tls_private_key_file, net::ssl::context::pem, ec);
        if (ec && ec.message().find("mismatch") != std::string::npos)
            return failure(errc::invalid_credentials, "the TLS private key \"" + cfg.tls_private_key_file +
                                                          "\" does not match the certificate \"" +
                                                          cfg.tls_certificate_file + "\"");
        if (ec)
            return failure(errc::invalid_credentials, "TLS private key \"" + cfg.tls_private_key_file +
                                                          "\" cannot be used: " + ec.message());
        if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
            return failure(errc::invalid_credentials, "the TLS private key does not match the certificate");
        if (state.client_certs)
            if (auto applied = state.client_certs->apply(ctx.native_handle()); !applied) return applied.error();
    }
    // A server reachable beyond this host answers only to the names it is known by: with any
    // Host accepted, a page that rebinds its own DNS name to this address can talk to the
    // server from a browser inside the network. Without a list, the certificate's names.
    state.certificate_hosts.clear();
    if (!address.is_loopback() && cfg.allowed_hosts.empty()) {
        if constexpr (Channel::encrypted)
            if (X509* leaf = SSL_CTX_get0_certificate(state.tls->native_handle()))
                for (const auto& name : crypto::describe_certificate(leaf).dns_names)
                    state.certificate_hosts.push_back(lower(name));
        if (state.certificate_hosts.empty() && !cfg.any_host_by_profile)
            return failure(errc::invalid_argument,
                           "listening on " + address.to_string() + " with no allowed-host list would answer any Host "
                           "header (DNS rebinding); name the host names clients use (--allow-host NAME, "
                           "http_settings::allowed_hosts; \"*\" accepts any), or give a TLS certificate with DNS names "
                           "(profile::development and profile::test accept any Host)");
    }
    if constexpr (Channel::security == channel_security::tls_terminated) {
        for (const auto& p : cfg.trusted_proxies) {
            boost::system::error_code ec;
            auto a = net::ip::make_address(p, ec);
            if (ec) return failure(errc::invalid_argument, "trusted proxy \"" + p + "\" is not an address");
            state.trusted_proxies.push_back(a);
        }
        state.trust_forwarded_headers = true;
        if constexpr (Channel::verifies_client_certificates) {
            if (state.trusted_proxies.empty())
                return failure(errc::invalid_argument, "client certificates forwarded by a proxy need the proxy's "
                                                       "address (--trusted-proxy ADDRESS)");
            if (cfg.client_certificate_header.empty())
                return failure(errc::invalid_argument, "client certificates forwarded by a proxy need the header "
                                                       "it uses (http_settings::client_certificate_header)");
        }
    }
    return success();
}

/// `Stream`, named through `Channel` so that a template's use of it waits for the template's
/// own instantiation: a non-dependent stream type in a template's body has its operations
/// (the TLS engine's, through `stream_of`'s virtual functions) compiled in every unit that
/// includes the template, whatever channel, if any, that unit serves.
template <class Channel, class Stream>
struct stream_for {
    using type = Stream;
};

template <class Channel>
net::awaitable<void> serve_socket(http_state& state, tcp::socket socket) {
    using tcp_stream_type = typename stream_for<Channel, beast::tcp_stream>::type;
    using tls_stream_type = typename stream_for<Channel, beast::ssl_stream<beast::tcp_stream>>::type;
    struct guard {
        std::atomic<std::size_t>& n;
        ~guard() { --n; }
    } g{state.connections};
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    tcp_stream_type tcp_stream(std::move(socket));
    if constexpr (Channel::encrypted) {
        tls_stream_type stream(std::move(tcp_stream), *state.tls);
        beast::get_lowest_layer(stream).expires_after(state.config.header_timeout);
        auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
        std::optional<client_certificate> peer;
        if constexpr (Channel::verifies_client_certificates) {
            if (hec) {
                // Say why, once per refused connection: the client only sees a TLS alert.
                if (SSL_get_verify_result(stream.native_handle()) != X509_V_OK)
                    state.core.log().info("TLS handshake from " + remote + " refused: client certificate: " +
                                          crypto::verify_failure(stream.native_handle()));
                else if (hec != net::error::eof && hec != net::error::operation_aborted)
                    state.core.log().info("TLS handshake from " + remote + " failed: " + hec.message());
                co_return;
            }
            X509* cert = SSL_get0_peer_certificate(stream.native_handle());
            if (!cert) co_return; // SSL_VERIFY_FAIL_IF_NO_PEER_CERT makes this unreachable
            peer = crypto::describe_certificate(cert);
        }
        if (hec) co_return;
        beast::get_lowest_layer(stream).expires_never();
        stream_of<tls_stream_type> erased(stream);
        connection c(state, erased, std::move(remote), std::move(peer));
        co_await c.run();
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await erased.async_shutdown(net::as_tuple(net::use_awaitable));
    } else {
        stream_of<tcp_stream_type> erased(tcp_stream);
        connection c(state, erased, std::move(remote));
        co_await c.run();
        // Lingering close: after our last response, read (and drop) what the client is still
        // sending for a moment, so that closing does not reset the connection and destroy the
        // response (a 413 or 400) before the client has read it.
        tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp_stream.expires_after(std::chrono::milliseconds(500));
        std::array<char, 16 * 1024> scratch;
        for (std::size_t drained = 0; drained < 1024 * 1024;) {
            auto [rec, n] = co_await tcp_stream.async_read_some(net::buffer(scratch), net::as_tuple(net::use_awaitable));
            if (rec) break;
            drained += n;
        }
    }
}

} // namespace warden::transport::detail
