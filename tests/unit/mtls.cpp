#include <warden/auth/mtls.hpp>

#include <warden/auth/any_of.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/identity.hpp>

#include "auth_support.hpp"

#include <catch2/catch.hpp>

namespace w = warden;

namespace {
w::auth_settings settings() {
    w::auth_settings s;
    s.mtls.identities = {
        {.san = "URI:spiffe://example.org/ns/ci/sa/deployer", .name = "deployer", .scopes = {"deploy"},
         .tenants = {"acme"}},
        {.san = "DNS:Reporter.Internal.Example", .name = "reporter", .scopes = {"read"}},
    };
    return s;
}
w::client_certificate cert(std::vector<std::string> uris, std::vector<std::string> dns = {}) {
    return {.uris = std::move(uris), .dns_names = std::move(dns), .sha256 = "ab12", .forwarded = false};
}
w::gate_result check(const w::auth::mtls& m, const w::client_certificate* c, std::string_view refusal = {}) {
    test::request r({});
    auto v = r.view();
    v.client_cert = c;
    v.client_cert_refusal = refusal;
    return m.authenticate(v);
}
} // namespace

TEST_CASE("mtls maps an allowlisted subjectAltName to its principal", "[auth][mtls]") {
    auto m = w::auth::mtls::configure({}, settings());
    REQUIRE(m);
    auto uri = cert({"spiffe://example.org/ns/ci/sa/deployer"});
    auto g = check(m.value(), &uri);
    REQUIRE(test::admitted(g));
    CHECK(test::admitted(g)->subject == "deployer");
    CHECK(test::admitted(g)->scheme == "mtls");
    CHECK(test::admitted(g)->client == "spiffe://example.org/ns/ci/sa/deployer");
    CHECK(test::admitted(g)->has_scope("deploy"));
    CHECK(test::admitted(g)->claims.at("certificate_sha256") == "ab12");

    // DNS names compare without regard to case; the other names on the certificate do not matter.
    auto dns = cert({"urn:example:unlisted"}, {"other.example", "reporter.internal.EXAMPLE"});
    g = check(m.value(), &dns);
    REQUIRE(test::admitted(g));
    CHECK(test::admitted(g)->subject == "reporter");
}

TEST_CASE("mtls refuses certificates outside the allowlist with 403", "[auth][mtls]") {
    auto m = w::auth::mtls::configure({}, settings());
    REQUIRE(m);
    struct row {
        const char* what;
        w::client_certificate c;
    };
    const row rows[] = {
        {"no SAN at all (a CN is never read)", cert({})},
        {"URI differs in case", cert({"SPIFFE://example.org/ns/ci/sa/deployer"})},
        {"URI with a suffix", cert({"spiffe://example.org/ns/ci/sa/deployer/x"})},
        {"URI prefix only", cert({"spiffe://example.org/ns/ci/sa/deploye"})},
        {"DNS listed as a URI", cert({"reporter.internal.example"})},
        {"URI listed as DNS", cert({}, {"spiffe://example.org/ns/ci/sa/deployer"})},
        {"a subdomain", cert({}, {"x.reporter.internal.example"})},
        {"two identities at once", cert({"spiffe://example.org/ns/ci/sa/deployer"}, {"reporter.internal.example"})},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto g = check(m.value(), &r.c);
        REQUIRE(test::refused(g));
        CHECK(test::refused(g)->status == 403);
        CHECK(test::refused(g)->error == "access_denied");
    }
    // The same identity named twice (URI and again as URI) is one identity.
    auto twice = cert({"spiffe://example.org/ns/ci/sa/deployer", "spiffe://example.org/ns/ci/sa/deployer"});
    CHECK(test::admitted(check(m.value(), &twice)));
    // No certificate, or one the transport refused (a trusted proxy forwarded a bad one).
    auto none = check(m.value(), nullptr);
    REQUIRE(test::refused(none));
    CHECK(test::refused(none)->status == 403);
    auto bad = check(m.value(), nullptr, "certificate revoked");
    REQUIRE(test::refused(bad));
    CHECK(test::refused(bad)->detail.find("certificate revoked") != std::string::npos);
    CHECK(test::refused(bad)->description == "client certificate not accepted");
}

TEST_CASE("mtls refuses an unusable allowlist at start-up", "[auth][mtls]") {
    auto with = [](std::vector<w::certificate_identity> ids) {
        w::auth_settings s;
        s.mtls.identities = std::move(ids);
        return w::auth::mtls::configure({}, s);
    };
    CHECK_FALSE(with({}));
    CHECK_FALSE(with({{.san = "spiffe://example.org/a", .name = "a"}}));            // no URI:/DNS: prefix
    CHECK_FALSE(with({{.san = "CN:agent", .name = "a"}}));                          // CN is not an identity
    CHECK_FALSE(with({{.san = "DNS:*.internal.example", .name = "a"}}));            // no wildcards
    CHECK_FALSE(with({{.san = "URI:", .name = "a"}}));                              // empty
    CHECK_FALSE(with({{.san = "URI:spiffe://x y", .name = "a"}}));                  // a space
    CHECK_FALSE(with({{.san = "URI:spiffe://x", .name = ""}}));                     // no name
    CHECK_FALSE(with({{.san = "DNS:a.example", .name = "a"}, {.san = "dns:A.example", .name = "b"}})); // twice
    auto e = with({});
    CHECK(e.error().message().find("settings.auth.mtls.identities") != std::string::npos);
    CHECK(with({{.san = "uri:spiffe://example.org/a", .name = "a"}}));
}

TEST_CASE("mtls among alternatives: a certificate decides, else the bearer token", "[auth][mtls][any_of]") {
    using scheme = w::auth::any_of<w::auth::mtls, w::auth::bearer>;
    auto s = settings();
    s.bearer.tokens = {{.name = "ci", .credentials = {"TOKEN"}, .scopes = {"read"}}};
    auto a = scheme::configure(test::credentials({{"TOKEN", "token-0123456789abcdef"}}), s);
    REQUIRE(a);
    // A certificate outside the allowlist is refused even with a valid token beside it.
    test::request r({{"Authorization", "Bearer token-0123456789abcdef"}});
    auto v = r.view();
    auto stranger = cert({"spiffe://example.org/stranger"});
    v.client_cert = &stranger;
    auto g = a.value().authenticate(v);
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 403);
    // Without a certificate, the token is what counts; with nothing, the bearer challenge.
    CHECK(test::admitted(a.value().authenticate(r.view()))->subject == "ci");
    test::request nothing({});
    auto n = a.value().authenticate(nothing.view());
    REQUIRE(test::refused(n));
    CHECK(test::refused(n)->status == 401);
    CHECK(test::refused(n)->www_authenticate.starts_with("Bearer"));
}

TEST_CASE("mtls with identity headers: the tenant must be one the certificate's identity lists", "[auth][mtls]") {
    using scheme = w::auth::with_identity<w::auth::mtls>;
    auto a = scheme::configure({}, settings());
    REQUIRE(a);
    auto deployer = cert({"spiffe://example.org/ns/ci/sa/deployer"});
    test::request acme({{"X-Tenant-ID", "acme"}});
    auto v = acme.view();
    v.client_cert = &deployer;
    auto g = a.value().authenticate(v);
    REQUIRE(test::admitted(g));
    CHECK(test::admitted(g)->tenant == "acme");
    test::request other({{"X-Tenant-ID", "globex"}});
    v = other.view();
    v.client_cert = &deployer;
    g = a.value().authenticate(v);
    REQUIRE(test::refused(g));
    CHECK(test::refused(g)->status == 403);
}
