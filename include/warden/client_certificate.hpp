// warden/client_certificate.hpp: a client certificate as warden describes it, once verified:
// what crypto/x509.hpp produces from a TLS handshake or a trusted proxy's header, and what the
// auth gate (auth::mtls, with_identity) reads. Its own header, so that crypto/ needs nothing
// of auth/.
#pragma once

#include <string>
#include <vector>

namespace warden {

/// A client certificate the transport verified (warden/crypto/x509.hpp): the identities
/// it names in its subjectAltName. The subject's CN is deliberately absent: identity never
/// comes from it.
struct client_certificate {
    std::vector<std::string> uris{};      ///< URI SANs, e.g. "spiffe://example.org/agent"
    std::vector<std::string> dns_names{}; ///< DNS SANs
    std::string sha256{};                 ///< hex SHA-256 of the DER certificate
    bool forwarded = false;               ///< reported by a trusted TLS-terminating proxy
};

} // namespace warden
