// client_certificate_verifier::verify_forwarded (warden/crypto/x509.hpp): the certificate a
// trusted TLS-terminating proxy forwards in a header, URL-encoded as nginx's
// $ssl_client_escaped_cert sends it or as plain PEM. The certificates are made here with
// OpenSSL, each differing from a good client certificate in the one thing its test names.
#include <warden/crypto/x509.hpp>

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace w = warden;
namespace c = warden::crypto;

namespace {

c::owned<EVP_PKEY> new_key() {
    c::owned<EVP_PKEY> k(EVP_EC_gen("P-256"));
    if (!k) throw std::runtime_error("EVP_EC_gen");
    return k;
}

/// What a test certificate says; the defaults make a good client certificate.
struct cert_spec {
    std::string cn = "agent";
    bool ca = false;
    std::string key_usage = "critical,digitalSignature";          ///< empty: no keyUsage
    std::string extended_key_usage = "clientAuth";                ///< empty: no extendedKeyUsage
    std::string san = "URI:spiffe://example.org/agent,DNS:agent.example"; ///< empty: no subjectAltName
    long not_before = -3600;                                      ///< seconds from now
    long not_after = 86400;
};

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    if (value.empty()) return;
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) throw std::runtime_error("X509V3_EXT_conf_nid " + value);
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) throw std::runtime_error("X509_add_ext");
}

/// A certificate for `key` per `spec`, signed by `issuer` with `issuer_key`, or self-signed
/// when `issuer` is null.
c::owned<X509> issue(const cert_spec& spec, EVP_PKEY* key, X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr) {
    static long serial = 1;
    c::owned<X509> cert(X509_new());
    if (!cert) throw std::runtime_error("X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(cert.get(), key);
    X509* signer = issuer ? issuer : cert.get();
    add_ext(cert.get(), signer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, spec.key_usage);
    add_ext(cert.get(), signer, NID_ext_key_usage, spec.extended_key_usage);
    add_ext(cert.get(), signer, NID_subject_alt_name, spec.san);
    if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign");
    return cert;
}

cert_spec ca_spec(std::string cn) {
    return {.cn = std::move(cn), .ca = true, .key_usage = "critical,keyCertSign,cRLSign", .extended_key_usage = "",
            .san = ""};
}

std::string pem_of(X509* cert) {
    c::owned<BIO> out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(out.get(), cert);
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

std::string pem_of(X509_CRL* crl) {
    c::owned<BIO> out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_CRL(out.get(), crl);
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

std::string der_of(X509* cert) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(cert, &der);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

/// The PEM of a DER certificate, 64 columns as PEM_write_bio_X509 writes it.
std::string pem_of_der(std::string_view der) {
    std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                  reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
    b64.resize(static_cast<std::size_t>(n));
    std::string out = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
    return out + "-----END CERTIFICATE-----\n";
}

/// Hex SHA-256 of the DER, computed apart from the code under test.
std::string sha256_hex(X509* cert) {
    const std::string der = der_of(cert);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(der.data(), der.size(), md, &n, EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out.push_back(digits[md[i] >> 4]);
        out.push_back(digits[md[i] & 0xf]);
    }
    return out;
}

/// What nginx's $ssl_client_escaped_cert does to the PEM (ngx_escape_uri, a URI component):
/// every byte but ALPHA, DIGIT and "-._~" as %XX, upper-case hex.
std::string escaped(std::string_view pem) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : pem) {
        const auto u = static_cast<unsigned char>(ch);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
            u == '_' || u == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 0xf]);
        }
    }
    return out;
}

/// Only the whitespace escaped: '+', '/' and '=' of the base64 stay as they are.
std::string whitespace_escaped(std::string_view pem) {
    std::string out;
    for (const char ch : pem) {
        if (ch == '\n') out += "%0A";
        else if (ch == ' ') out += "%20";
        else out.push_back(ch);
    }
    return out;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// A trusted CA with a verifier for it, a second CA nobody trusts, and a good client
/// certificate of the trusted one.
struct pki {
    warden_test::temp_dir dir{"warden-x509"};
    c::owned<EVP_PKEY> ca_key = new_key();
    c::owned<X509> ca = issue(ca_spec("warden test client CA"), ca_key.get());
    c::owned<EVP_PKEY> other_key = new_key();
    c::owned<X509> other_ca = issue(ca_spec("another CA"), other_key.get());
    c::owned<EVP_PKEY> leaf_key = new_key();
    c::owned<X509> good;
    std::string good_pem;
    std::vector<c::client_certificate_verifier> verifier;

    pki() {
        // A good certificate whose base64 holds '+' and '/' (ECDSA signatures differ each
        // time), so that the tests below see them survive the decoding.
        do {
            good = leaf();
            good_pem = pem_of(good.get());
        } while (good_pem.find('+') == std::string::npos || good_pem.find('/') == std::string::npos);
        write_file(dir / "ca.pem", pem_of(ca.get()));
        auto v = c::client_certificate_verifier::load(dir / "ca.pem", "");
        if (!v) throw std::runtime_error(v.error().message());
        verifier.push_back(std::move(v).value());
    }
    c::owned<X509> leaf(const cert_spec& spec = {}) { return issue(spec, leaf_key.get(), ca.get(), ca_key.get()); }
    w::result<w::client_certificate> verify(std::string_view header) const {
        return verifier.front().verify_forwarded(header);
    }
};

pki& shared() {
    static pki p;
    return p;
}

} // namespace

TEST_CASE("verify_forwarded accepts a certificate of the configured CA, URL-encoded or plain", "[crypto][x509]") {
    auto& p = shared();
    const std::string fingerprint = sha256_hex(p.good.get());
    REQUIRE(fingerprint.size() == 64);
    REQUIRE_FALSE(p.verifier.front().checks_crl());
    struct row {
        const char* what;
        std::string header;
    };
    const row rows[] = {
        {"URL-encoded as nginx's $ssl_client_escaped_cert", escaped(p.good_pem)},
        {"plain PEM", p.good_pem},
        {"only the whitespace escaped: '+' is a plus, not a space", whitespace_escaped(p.good_pem)},
        {"lower-case hex in the escapes", [&] {
             std::string s = escaped(p.good_pem);
             for (std::size_t at = 0; (at = s.find("%0A", at)) != std::string::npos;) s.replace(at, 3, "%0a");
             return s;
         }()},
        {"without the final newline", p.good_pem.substr(0, p.good_pem.size() - 1)},
        {"CRLF line ends, URL-encoded", [&] {
             std::string s;
             for (const char ch : p.good_pem) s += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
             return escaped(s);
         }()},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto v = p.verify(r.header);
        CHECK(v);
        if (!v) continue;
        CHECK(v.value().uris == std::vector<std::string>{"spiffe://example.org/agent"});
        CHECK(v.value().dns_names == std::vector<std::string>{"agent.example"});
        CHECK(v.value().sha256 == fingerprint);
        CHECK(v.value().forwarded);
    }
    // Without an extendedKeyUsage a certificate may be used for anything: accepted.
    auto any_use = p.leaf({.extended_key_usage = ""});
    CHECK(p.verify(escaped(pem_of(any_use.get()))));
}

TEST_CASE("verify_forwarded names identities from the subjectAltName only", "[crypto][x509]") {
    auto& p = shared();
    // A DNS name with a space and one with a control character are dropped; IP and email
    // names are no identities; the CN is never read.
    auto mixed = p.leaf({.san = "URI:spiffe://example.org/agent,DNS:bad name.example,DNS:tab\tname.example,"
                                "DNS:ok.example,IP:192.0.2.1,email:agent@example.org"});
    auto v = p.verify(escaped(pem_of(mixed.get())));
    REQUIRE(v);
    CHECK(v.value().uris == std::vector<std::string>{"spiffe://example.org/agent"});
    CHECK(v.value().dns_names == std::vector<std::string>{"ok.example"});
    // No subjectAltName: verified, with no identity (auth::mtls then refuses it).
    auto nameless = p.leaf({.cn = "spiffe://example.org/agent", .san = ""});
    v = p.verify(escaped(pem_of(nameless.get())));
    REQUIRE(v);
    CHECK(v.value().uris.empty());
    CHECK(v.value().dns_names.empty());
    CHECK(v.value().sha256 == sha256_hex(nameless.get()));
}

TEST_CASE("verify_forwarded refuses a certificate the chain, the clock or the purpose rules out", "[crypto][x509]") {
    auto& p = shared();
    auto stranger_key = new_key();
    // A CA of the trusted CA's name with another key: only the signature tells them apart.
    auto impostor = issue(ca_spec("warden test client CA"), stranger_key.get());
    // The good certificate with one byte of its signature changed.
    std::string tampered = der_of(p.good.get());
    tampered.back() = static_cast<char>(tampered.back() ^ 0x01);

    struct row {
        const char* what;
        c::owned<X509> cert; // null: `pem` below
        std::string pem;
        std::string reason;
    };
    std::vector<row> rows;
    rows.push_back({"issued by a CA that is not configured",
                    issue({}, p.leaf_key.get(), p.other_ca.get(), p.other_key.get()), "",
                    "unable to get local issuer certificate"});
    rows.push_back({"self-signed", issue({}, p.leaf_key.get()), "", "self-signed certificate"});
    rows.push_back({"issued by an impostor with the CA's name",
                    issue({}, p.leaf_key.get(), impostor.get(), stranger_key.get()), "",
                    "certificate signature failure"});
    rows.push_back({"signature altered", nullptr, pem_of_der(tampered), "certificate signature failure"});
    rows.push_back({"expired", p.leaf({.not_before = -2 * 86400, .not_after = -60}), "", "certificate has expired"});
    rows.push_back(
        {"not yet valid", p.leaf({.not_before = 3600, .not_after = 2 * 86400}), "", "certificate is not yet valid"});
    rows.push_back({"extendedKeyUsage without clientAuth", p.leaf({.extended_key_usage = "serverAuth"}), "",
                    "unsuitable certificate purpose"});
    rows.push_back({"keyUsage without digitalSignature", p.leaf({.key_usage = "critical,keyEncipherment"}), "",
                    "unsuitable certificate purpose"});
    rows.push_back({"a CA certificate the trusted CA issued",
                    p.leaf({.ca = true, .key_usage = "", .extended_key_usage = ""}), "",
                    "the client certificate is a CA certificate (CA:TRUE), not a leaf"});
    // Its keyUsage (keyCertSign, cRLSign) already rules it out; see below for one whose does not.
    rows.push_back({"the trusted CA's own certificate", nullptr, pem_of(p.ca.get()), "unsuitable certificate purpose"});
    for (auto& r : rows) {
        INFO(r.what);
        const std::string pem = r.cert ? pem_of(r.cert.get()) : r.pem;
        for (const std::string& header : {escaped(pem), pem}) {
            const auto v = p.verify(header);
            CHECK_FALSE(v);
            if (v) continue;
            CHECK(v.error() == w::errc::invalid_credentials);
            CHECK(v.error().message() == r.reason);
        }
    }

    // A trusted CA whose keyUsage also allows digitalSignature, presented as the client: only
    // the CA:TRUE check refuses it.
    auto signing_ca = issue({.cn = "signing CA",
                             .ca = true,
                             .key_usage = "critical,digitalSignature,keyCertSign,cRLSign",
                             .extended_key_usage = "",
                             .san = "URI:spiffe://example.org/agent"},
                            stranger_key.get());
    warden_test::temp_dir dir("warden-x509-ca");
    write_file(dir / "ca.pem", pem_of(signing_ca.get()));
    auto v = c::client_certificate_verifier::load(dir / "ca.pem", "");
    REQUIRE(v);
    const auto anchor = v.value().verify_forwarded(escaped(pem_of(signing_ca.get())));
    REQUIRE_FALSE(anchor);
    CHECK(anchor.error() == w::errc::invalid_credentials);
    CHECK(anchor.error().message() == "the client certificate is a CA certificate (CA:TRUE), not a leaf");
}

TEST_CASE("verify_forwarded reads one PEM certificate and refuses what is not one", "[crypto][x509]") {
    auto& p = shared();
    const std::string& good = p.good_pem;
    auto stranger = issue({}, p.leaf_key.get(), p.other_ca.get(), p.other_key.get());
    const std::string stranger_pem = pem_of(stranger.get());
    const std::string body_start = "-----BEGIN CERTIFICATE-----\n";

    SECTION("one certificate and nothing after it") {
        // A second certificate (a chain the proxy should not send), garbage or a NUL after
        // the first: refused, not ignored. Line ends and spaces after it are fine.
        for (const std::string& tail :
             {stranger_pem, pem_of(p.ca.get()), std::string("garbage\n"), std::string(1, '\0'), std::string("x")}) {
            INFO(tail);
            const auto v = p.verify(escaped(good + tail));
            REQUIRE_FALSE(v);
            CHECK(v.error().message() == "forwarded client certificate is not one PEM certificate");
        }
        for (const std::string& tail : {std::string("\n"), std::string("\r\n  \n"), std::string("\t")}) {
            const auto v = p.verify(escaped(good + tail));
            REQUIRE(v);
            CHECK(v.value().sha256 == sha256_hex(p.good.get()));
        }
        // Nor a BEGIN line with more after it, which PEM reading would skip for the next.
        auto v = p.verify(escaped("-----BEGIN CERTIFICATE-----garbage\n" + good));
        REQUIRE_FALSE(v);
        CHECK(v.error().message() == "forwarded client certificate is not one PEM certificate");
        // A good certificate after a bad one: still more than one.
        v = p.verify(escaped(stranger_pem + good));
        REQUIRE_FALSE(v);
        CHECK(v.error().message() == "forwarded client certificate is not one PEM certificate");
    }
    SECTION("not a PEM certificate at the start") {
        const std::string rows[] = {
            "",
            "garbage",
            "\n" + good,                       // anything before the PEM
            " " + good,
            "garbage\n" + good,
            good.substr(body_start.size()),    // no BEGIN line
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
            "-----BEGIN X509 CERTIFICATE-----\n" + good.substr(body_start.size()),
            "-----begin certificate-----\n" + good.substr(body_start.size()),
        };
        for (const auto& r : rows) {
            INFO(r);
            for (const std::string& header : {r, escaped(r)}) {
                const auto v = p.verify(header);
                CHECK_FALSE(v);
                if (v) continue;
                CHECK(v.error() == w::errc::invalid_argument);
                CHECK(v.error().message() == "forwarded client certificate is not one PEM certificate");
            }
        }
        // DER, not PEM (escaped only: its bytes may hold a '%', which would read as a bad escape).
        const auto der = p.verify(escaped(der_of(p.good.get())));
        REQUIRE_FALSE(der);
        CHECK(der.error().message() == "forwarded client certificate is not one PEM certificate");
    }
    SECTION("a PEM certificate that does not parse") {
        const std::size_t end = good.find("-----END");
        const std::string rows[] = {
            good.substr(0, good.size() / 2),                               // cut in the middle
            good.substr(0, end),                                           // no END line
            good.substr(0, end - 20) + good.substr(end),                   // part of the body missing
            body_start + "-----END CERTIFICATE-----\n",                    // empty body
            body_start,                                                    // BEGIN line only
            body_start + "not*base64\n-----END CERTIFICATE-----\n",        // not base64
            body_start + "AAAA\n-----END CERTIFICATE-----\n",              // base64 of no certificate
            good.substr(0, 100) + std::string(1, '\0') + good.substr(101), // a NUL in the body
            good.substr(0, end) + "-----END PRIVATE KEY-----\n",           // mismatched END line
            body_start + "garbage\n" + good,                               // a BEGIN line inside the body
            [&] { // nginx's older $ssl_client_cert: every line after the first indented with a tab
                std::string s;
                for (const char ch : good) s += ch == '\n' ? std::string("\n\t") : std::string(1, ch);
                return s;
            }(),
        };
        for (const auto& r : rows) {
            INFO(r);
            for (const std::string& header : {r, escaped(r)}) {
                const auto v = p.verify(header);
                CHECK_FALSE(v);
                if (v) continue;
                CHECK(v.error() == w::errc::invalid_argument);
                CHECK(v.error().message() == "forwarded client certificate cannot be parsed");
            }
        }
    }
}

TEST_CASE("verify_forwarded refuses a bad %-encoding", "[crypto][x509]") {
    auto& p = shared();
    const std::string good = escaped(p.good_pem);
    const std::string rows[] = {
        good + "%",                                               // '%' at the end
        good + "%0",                                              // one hex digit
        good.substr(0, 40) + "%G0" + good.substr(40),             // not hex
        good.substr(0, 40) + "%%" + good.substr(40),              // "%%" is no escape
        "%2",                                                     // nothing but a short escape
        "%",
        p.good_pem + "%",                                         // one '%' makes a plain PEM read as encoded
        p.good_pem.substr(0, 40) + "%zz" + p.good_pem.substr(40), // ... and its escapes must be right
    };
    for (const auto& r : rows) {
        INFO(r);
        const auto v = p.verify(r);
        CHECK_FALSE(v);
        if (v) continue;
        CHECK(v.error() == w::errc::invalid_argument);
        CHECK(v.error().message() == "forwarded client certificate: bad %-encoding");
    }
    // Decoded once: a doubly encoded certificate is not PEM after one decoding.
    const auto twice = p.verify(escaped(good));
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message() == "forwarded client certificate is not one PEM certificate");
    // A well-formed escape of a byte that has no place in PEM decodes, then fails as PEM.
    const auto nul = p.verify("%00" + good);
    REQUIRE_FALSE(nul);
    CHECK(nul.error().message() == "forwarded client certificate is not one PEM certificate");
}

TEST_CASE("verify_forwarded refuses a header longer than max_forwarded_bytes before reading it", "[crypto][x509]") {
    auto& p = shared();
    constexpr std::size_t cap = c::client_certificate_verifier::max_forwarded_bytes;
    STATIC_REQUIRE(cap == 16 * 1024);
    const auto too_large = [](const w::result<w::client_certificate>& v) {
        return !v && v.error() == w::errc::invalid_argument &&
               v.error().message() == "forwarded client certificate too large";
    };
    // The good certificate padded with newlines after its END line, to the cap and past it.
    std::string plain = p.good_pem;
    REQUIRE(plain.size() < cap);
    plain.resize(cap, '\n');
    CHECK(p.verify(plain));
    CHECK(too_large(p.verify(plain + "\n")));
    // The cap applies to the header as sent, not to what it decodes to.
    std::string encoded = escaped(p.good_pem);
    while (encoded.size() + 3 <= cap) encoded += "%0A";
    encoded.resize(cap, ' '); // 0 to 2 more spaces after the END line
    CHECK(p.verify(encoded));
    CHECK(too_large(p.verify(encoded + "%0A")));
    // Checked first: garbage of the cap's length is read, one byte more is not.
    const auto at_cap = p.verify(std::string(cap, 'A'));
    REQUIRE_FALSE(at_cap);
    CHECK(at_cap.error().message() == "forwarded client certificate is not one PEM certificate");
    CHECK(too_large(p.verify(std::string(cap + 1, 'A'))));
    CHECK(too_large(p.verify(std::string(cap + 1, '%'))));
}

TEST_CASE("verify_forwarded with a CRL: revoked refused, and an issuer without a CRL fails closed", "[crypto][x509]") {
    auto& p = shared();
    auto revoked = p.leaf();
    auto kept = p.leaf();
    // The trusted CA's CRL lists `revoked`; the second configured CA publishes none.
    c::owned<X509_CRL> crl(X509_CRL_new());
    REQUIRE(crl);
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(p.ca.get()));
    const std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> last(X509_gmtime_adj(nullptr, -3600), ASN1_TIME_free);
    const std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(X509_gmtime_adj(nullptr, 86400), ASN1_TIME_free);
    X509_CRL_set1_lastUpdate(crl.get(), last.get());
    X509_CRL_set1_nextUpdate(crl.get(), next.get());
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(revoked.get()));
    X509_REVOKED_set_revocationDate(entry, last.get());
    X509_CRL_add0_revoked(crl.get(), entry);
    X509_CRL_sort(crl.get());
    REQUIRE(X509_CRL_sign(crl.get(), p.ca_key.get(), EVP_sha256()) > 0);

    warden_test::temp_dir dir("warden-x509-crl");
    write_file(dir / "cas.pem", pem_of(p.ca.get()) + pem_of(p.other_ca.get()));
    write_file(dir / "crl.pem", pem_of(crl.get()));
    auto v = c::client_certificate_verifier::load(dir / "cas.pem", dir / "crl.pem");
    REQUIRE(v);
    CHECK(v.value().checks_crl());

    auto ok = v.value().verify_forwarded(escaped(pem_of(kept.get())));
    REQUIRE(ok);
    CHECK(ok.value().sha256 == sha256_hex(kept.get()));
    auto gone = v.value().verify_forwarded(escaped(pem_of(revoked.get())));
    REQUIRE_FALSE(gone);
    CHECK(gone.error() == w::errc::invalid_credentials);
    CHECK(gone.error().message() == "certificate revoked");
    auto other = issue({}, p.leaf_key.get(), p.other_ca.get(), p.other_key.get());
    auto no_crl = v.value().verify_forwarded(escaped(pem_of(other.get())));
    REQUIRE_FALSE(no_crl);
    CHECK(no_crl.error() == w::errc::invalid_credentials);
    CHECK(no_crl.error().message() == "unable to get certificate CRL");
    // Without the CRL the same certificate passes: the refusal above is the CRL check's.
    CHECK(p.verify(escaped(pem_of(revoked.get()))));
}
