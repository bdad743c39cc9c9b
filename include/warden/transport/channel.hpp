// warden/transport/channel.hpp: what an HTTP transport's channel guarantees.
//
// The channel is the template argument of `transport::streamable_http<Channel>`; its
// traits feed the composition rules (a bearer token over `loopback` is fine, over a
// plaintext network it is not), and its runtime checks hold the promise the traits make.
//
// | channel                 | security             | runtime guarantee                                        |
// |-------------------------|----------------------|----------------------------------------------------------|
// | `loopback`              | loopback_plaintext   | refuses to bind anything but 127.0.0.0/8 or ::1           |
// | `tls`                   | tls                  | TLS 1.2+, security level 2, certificate and key checked   |
// | `behind_tls_terminator` | tls_terminated       | X-Forwarded-For/-Proto honoured only from trusted proxies |
// | `mutual_tls`            | mutual_tls           | as `tls`, and every client presents a certificate that    |
// |                         |                      | chains to the client CA (warden/crypto/x509.hpp)         |
// | `behind_mtls_terminator`| tls_terminated       | as `behind_tls_terminator`; the client certificate the    |
// |                         |                      | proxy forwards is re-verified against the client CA; the  |
// |                         |                      | header is ignored from anyone else                        |
#pragma once

#include <warden/traits.hpp>

namespace warden::transport {

/// Plaintext HTTP that only this host can reach.
struct loopback {
    static constexpr channel_security security = channel_security::loopback_plaintext;
    static constexpr bool encrypted = false;
    static constexpr bool verifies_client_certificates = false;
};

/// HTTPS: TLS terminated by warden itself.
struct tls {
    static constexpr channel_security security = channel_security::tls;
    static constexpr bool encrypted = true;
    static constexpr bool verifies_client_certificates = false;
};

/// Plaintext HTTP from a TLS-terminating proxy the operator runs (nginx, a cloud LB).
struct behind_tls_terminator {
    static constexpr channel_security security = channel_security::tls_terminated;
    static constexpr bool encrypted = false;
    static constexpr bool verifies_client_certificates = false;
};

/// HTTPS with client certificates: the handshake fails without one that verifies against
/// `http_settings::tls_client_ca_file` (and the CRL in `tls_client_crl_file`, if given).
struct mutual_tls {
    static constexpr channel_security security = channel_security::mutual_tls;
    static constexpr bool encrypted = true;
    static constexpr bool verifies_client_certificates = true;
};

/// Plaintext HTTP from a TLS-terminating proxy that asks clients for certificates and
/// forwards the one it got in `http_settings::client_certificate_header` (nginx:
/// `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`). Only the proxies in
/// `trusted_proxies` are believed, and what they forward is verified again.
struct behind_mtls_terminator {
    static constexpr channel_security security = channel_security::tls_terminated;
    static constexpr bool encrypted = false;
    static constexpr bool verifies_client_certificates = true;
};

} // namespace warden::transport

/// Applies `X` to every channel above (separate compilation instantiates each once).
#define WARDEN_FOR_EACH_CHANNEL(X)                                                                     \
    X(::warden::transport::loopback)                                                                   \
    X(::warden::transport::tls)                                                                        \
    X(::warden::transport::behind_tls_terminator)                                                      \
    X(::warden::transport::mutual_tls)                                                                 \
    X(::warden::transport::behind_mtls_terminator)
