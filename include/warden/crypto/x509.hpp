// warden/crypto/x509.hpp: verifying client certificates (mutual TLS) with OpenSSL.
//
// A `client_certificate_verifier` holds the CAs that issue client certificates and,
// optionally, their CRLs. It makes a TLS server context ask for a certificate and refuse
// the handshake without a valid one, and it verifies the certificate a trusted
// TLS-terminating proxy forwards in a header. Both paths apply the same rules:
//
// - the chain ends at a configured CA; purpose `sslclient` (an extendedKeyUsage without
//   clientAuth is refused);
// - a leaf with `basicConstraints CA:TRUE` is refused (OpenSSL would accept it);
// - with a CRL file: the leaf is checked against its issuer's CRL, and a missing or
//   expired CRL fails the check (fail closed);
// - identity is read from the subjectAltName (URI and DNS names), never from the CN; a
//   name with control characters or an embedded NUL is dropped.
#pragma once

#include <warden/client_certificate.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/openssl.hpp>
#include <warden/error.hpp>

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace warden::crypto {

namespace detail {
/// A SAN value usable as an identity: printable ASCII, no spaces, no NUL.
inline bool clean_name(const ASN1_STRING* s, std::string& out) {
    const auto* data = ASN1_STRING_get0_data(s);
    const int n = ASN1_STRING_length(s);
    if (!data || n <= 0 || n > 2048) return false;
    for (int i = 0; i < n; ++i)
        if (data[i] <= 0x20 || data[i] >= 0x7f) return false;
    out.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    return true;
}
} // namespace detail

/// The identities `cert` names (URI and DNS subjectAltNames) and its fingerprint.
inline client_certificate describe_certificate(X509* cert, bool forwarded = false) {
    client_certificate out;
    out.forwarded = forwarded;
    owned<GENERAL_NAMES> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
        std::string value;
        if (g->type == GEN_URI && detail::clean_name(g->d.uniformResourceIdentifier, value))
            out.uris.push_back(std::move(value));
        else if (g->type == GEN_DNS && detail::clean_name(g->d.dNSName, value))
            out.dns_names.push_back(std::move(value));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) == 1) out.sha256 = to_hex(md, len);
    return out;
}

/// The check OpenSSL leaves out for client certificates: the leaf must not be a CA.
inline int refuse_ca_leaf(int ok, X509_STORE_CTX* ctx) {
    if (ok != 1 || X509_STORE_CTX_get_error_depth(ctx) != 0) return ok;
    X509* leaf = X509_STORE_CTX_get_current_cert(ctx);
    if (leaf && (X509_get_extension_flags(leaf) & EXFLAG_CA) != 0) {
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_INVALID_CA);
        return 0;
    }
    return ok;
}

/// Why a TLS handshake's client certificate was refused, from the SSL's verify result.
inline std::string verify_failure(const SSL* ssl) {
    const long r = SSL_get_verify_result(ssl);
    if (r == X509_V_ERR_INVALID_CA) return "the client certificate is a CA certificate (CA:TRUE), not a leaf";
    return X509_verify_cert_error_string(r);
}

class client_certificate_verifier {
public:
    /// Loads the CAs (PEM, at least one) and, when `crl_file` is not empty, the CRLs (PEM,
    /// at least one, none expired). Errors name the file and what is wrong with it.
    static result<client_certificate_verifier> load(const std::string& ca_file, const std::string& crl_file) {
        client_certificate_verifier v;
        v.ca_file_ = ca_file;
        v.store_.reset(X509_STORE_new(), openssl_free{});
        if (!v.store_) return failure(errc::internal_error, "OpenSSL could not allocate a certificate store");
        owned<BIO> in(BIO_new_file(ca_file.c_str(), "r"));
        if (!in) return failure(errc::invalid_credentials, "client CA file \"" + ca_file + "\" cannot be read");
        int cas = 0;
        while (X509* c = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
            owned<X509> cert(c);
            if (X509_STORE_add_cert(v.store_.get(), cert.get()) != 1)
                return failure(errc::invalid_credentials, "client CA file \"" + ca_file + "\": a certificate was refused");
            ++cas;
        }
        ERR_clear_error(); // the end of the PEM data reads as an error
        if (cas == 0)
            return failure(errc::invalid_credentials,
                           "client CA file \"" + ca_file + "\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        if (!crl_file.empty()) {
            owned<BIO> crls(BIO_new_file(crl_file.c_str(), "r"));
            if (!crls) return failure(errc::invalid_credentials, "CRL file \"" + crl_file + "\" cannot be read");
            int n = 0;
            while (X509_CRL* c = PEM_read_bio_X509_CRL(crls.get(), nullptr, nullptr, nullptr)) {
                owned<X509_CRL> crl(c);
                const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
                if (next && X509_cmp_current_time(next) < 0)
                    return failure(errc::invalid_credentials,
                                   "CRL file \"" + crl_file + "\" holds an expired CRL (nextUpdate has passed); "
                                   "publish a fresh one");
                if (X509_STORE_add_crl(v.store_.get(), crl.get()) != 1)
                    return failure(errc::invalid_credentials, "CRL file \"" + crl_file + "\": a CRL was refused");
                ++n;
            }
            ERR_clear_error();
            if (n == 0)
                return failure(errc::invalid_credentials,
                               "CRL file \"" + crl_file + "\" holds no PEM CRL (-----BEGIN X509 CRL-----)");
            X509_STORE_set_flags(v.store_.get(), X509_V_FLAG_CRL_CHECK);
            v.crl_check_ = true;
        }
        X509_STORE_set_purpose(v.store_.get(), X509_PURPOSE_SSL_CLIENT);
        X509_STORE_set_depth(v.store_.get(), max_depth);
        X509_STORE_set_verify_cb(v.store_.get(), refuse_ca_leaf);
        return v;
    }

    /// Makes `ctx` require a valid client certificate in every handshake. Sessions are not
    /// resumed, so every connection's certificate is checked (against the current CRL).
    result<void> apply(SSL_CTX* ctx) const {
        SSL_CTX_set1_cert_store(ctx, store_.get());
        X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
        X509_VERIFY_PARAM_set_depth(param, max_depth);
        if (crl_check_) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, refuse_ca_leaf);
        // Tell clients which CAs we accept, so they pick the right certificate.
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file_.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
        static constexpr unsigned char context[] = "warden-mtls";
        SSL_CTX_set_session_id_context(ctx, context, sizeof context - 1);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, 0);
        return success();
    }

    /// Verifies a certificate a trusted proxy forwarded: one PEM certificate, URL-encoded as
    /// nginx's `$ssl_client_escaped_cert` makes it (plain PEM is accepted too).
    result<client_certificate> verify_forwarded(std::string_view header_value) const {
        if (header_value.size() > max_forwarded_bytes)
            return failure(errc::invalid_argument, "forwarded client certificate too large");
        std::string pem;
        if (header_value.find('%') != std::string_view::npos) {
            auto pct = boost::urls::make_pct_string_view(header_value);
            if (pct.has_error()) return failure(errc::invalid_argument, "forwarded client certificate: bad %-encoding");
            const boost::urls::decode_view decoded(*pct);
            pem.assign(decoded.begin(), decoded.end());
        } else {
            pem.assign(header_value);
        }
        const auto not_one = [] {
            return failure(errc::invalid_argument, "forwarded client certificate is not one PEM certificate");
        };
        // Exactly one certificate: its BEGIN line as a line of its own, and after its END
        // line nothing but line ends and spaces (no chain, no second block, no garbage).
        if (!pem.starts_with("-----BEGIN CERTIFICATE-----\n") && !pem.starts_with("-----BEGIN CERTIFICATE-----\r\n"))
            return not_one();
        owned<BIO> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
        owned<X509> cert(
            in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
        ERR_clear_error();
        if (!cert) return failure(errc::invalid_argument, "forwarded client certificate cannot be parsed");
        char* rest = nullptr;
        const long left = BIO_get_mem_data(in.get(), &rest);
        for (long i = 0; i < left; ++i)
            if (rest[i] != '\n' && rest[i] != '\r' && rest[i] != ' ' && rest[i] != '\t') return not_one();
        owned<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
        if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), cert.get(), nullptr) != 1)
            return failure(errc::internal_error, "OpenSSL could not set up certificate verification");
        const int ok = X509_verify_cert(ctx.get());
        const int err = X509_STORE_CTX_get_error(ctx.get());
        ERR_clear_error();
        if (ok != 1)
            return failure(errc::invalid_credentials,
                           err == X509_V_ERR_INVALID_CA
                               ? std::string("the client certificate is a CA certificate (CA:TRUE), not a leaf")
                               : std::string(X509_verify_cert_error_string(err)));
        return describe_certificate(cert.get(), true);
    }

    bool checks_crl() const noexcept { return crl_check_; }

    static constexpr int max_depth = 4;
    static constexpr std::size_t max_forwarded_bytes = 16 * 1024;

private:
    client_certificate_verifier() = default;
    std::shared_ptr<X509_STORE> store_{};
    std::string ca_file_{};
    bool crl_check_ = false;
};

} // namespace warden::crypto
