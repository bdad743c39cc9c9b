// warden's libFuzzer targets, in one binary: WARDEN_FUZZ_TARGET names the one to run.
//
//   WARDEN_FUZZ_TARGET=jws build/clang/fuzz/warden_fuzz fuzz/corpus/jws -max_total_time=600
//
// Every target feeds hostile bytes to code that reads what a client (or a file, or another
// server) sends, through the same functions the server uses, and checks what must hold
// whatever the input (round trips, never admitting without the key). Crashes, sanitizer
// reports and failed checks abort; each one found becomes a case in tests/unit/fuzz_regressions.cpp.
#include <warden/auth/api_key.hpp>
#include <warden/auth/basic.hpp>
#include <warden/auth/bearer.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/auth/hmac.hpp>
#include <warden/auth/jwt.hpp>
#include <warden/credentials/file.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/jwk.hpp>
#include <warden/crypto/password.hpp>
#include <warden/crypto/x509.hpp>
#include <warden/mcp/request_state.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/memory.hpp>
#include <warden/transport/streamable_http.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace w = warden;

namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "warden_fuzz: invariant broken: %s\n", what);
    std::abort();
}

const std::string bearer_token = "fuzz-token-0123456789abcdef";
const std::string api_key_value = "fuzz-api-key-0123456789abcdef";
const std::string hmac_key_value = "fuzz-hmac-key-0123456789abcdef-0123456789";
const std::string hs256_key = "fuzz-hs256-key-0123456789abcdef0123456789";

w::credential_set credentials() {
    w::credential_set c;
    c.insert({"MCP_TOKEN", "", true, true}, std::string(bearer_token));
    c.insert({"MCP_API_KEY", "", true, true}, std::string(api_key_value));
    c.insert({"MCP_HMAC_KEY", "", true, true}, std::string(hmac_key_value));
    // A cheap scrypt (2^10): the target is the parser, not the hash.
    static const std::string users =
        "alice:" + w::crypto::hash_password("correct horse", {.log2_n = 10, .r = 8, .p = 1}).value();
    c.insert({"MCP_BASIC_USERS", "", true, true}, std::string(users));
    return c;
}

w::auth_settings auth_settings() {
    w::auth_settings s;
    s.bearer.tokens = {{.name = "ci", .credentials = {"MCP_TOKEN"}, .scopes = {"read"}}};
    s.api_key.keys = {{.name = "svc", .credentials = {"MCP_API_KEY"}, .scopes = {"read"}}};
    s.hmac.keys = {{.id = "k1", .credential = "MCP_HMAC_KEY", .client = "signer", .scopes = {"read"}}};
    s.basic.accept_weak_hashes = true; // the cheap hash above
    return s;
}

/// A request with one header field set to the input.
struct one_header {
    boost::beast::http::fields fields;
    one_header(std::string_view name, std::string_view value) {
        // Beast refuses some bytes in field values; the server never sees those either.
        std::string v(value);
        for (char& c : v)
            if (c == '\r' || c == '\n' || c == '\0') c = ' ';
        fields.insert(name, v);
    }
    w::http_request_view view(std::string_view body = {}) const {
        return {"POST", "/mcp", &fields, "192.0.2.1", true, body};
    }
};

/// Never admitted without the secret: a principal from input that lacks it is a bug.
void check_refused_without(const w::gate_result& g, std::string_view input, std::string_view secret, const char* what) {
    if (std::holds_alternative<w::principal>(g) && input.find(secret) == std::string_view::npos) broken(what);
}

void fuzz_base64(std::string_view in) {
    if (auto d = w::crypto::base64url_decode(in)) {
        auto again = w::crypto::base64url_decode(w::crypto::base64url_encode(d.value()));
        if (!again || again.value() != d.value()) broken("base64url round trip");
    }
    if (auto d = w::crypto::base64_decode(in)) {
        auto again = w::crypto::base64_decode(w::crypto::base64_encode(std::span<const unsigned char>(d.value())));
        if (!again || again.value() != d.value()) broken("base64 round trip");
    }
}

const w::crypto::jwk_set& hs256_keys() {
    static const w::crypto::jwk_set keys = [] {
        const std::string jwks = R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" +
                                 w::crypto::base64url_encode(hs256_key) + R"("}]})";
        auto k = w::crypto::parse_jwk_set(jwks, {.allow_symmetric = true});
        if (!k) broken("the fuzz key set does not parse");
        return k.value();
    }();
    return keys;
}

w::auth::jwt_rules hs256_rules() {
    w::auth::jwt_rules r;
    r.issuer = "https://as.example";
    r.audiences = {"https://mcp.example/mcp"};
    r.jws.algorithms = {w::crypto::jws_alg::HS256};
    return r;
}

/// Raw compact tokens: the JWS parser, never admitting a token the key did not sign.
void fuzz_jws(std::string_view in) {
    const auto v = w::crypto::verify_jws(in, hs256_keys(), hs256_rules().jws);
    if (v) {
        // Whatever verified was signed with the key: recompute and compare.
        const auto last = in.rfind('.');
        unsigned char mac[32];
        unsigned int n = 0;
        HMAC(EVP_sha256(), hs256_key.data(), static_cast<int>(hs256_key.size()),
             reinterpret_cast<const unsigned char*>(in.data()), last, mac, &n);
        auto sig = w::crypto::base64url_decode(in.substr(last + 1));
        if (!sig || sig.value() != std::string_view(reinterpret_cast<const char*>(mac), n))
            broken("verify_jws admitted a token the key did not sign");
    }
    (void)w::auth::verify_jwt(in, hs256_keys(), hs256_rules());
}

/// Header and claims of the fuzzer's choosing (separated by a newline), signed with the key:
/// the claim checks on whatever JSON a signer may put in a token.
void fuzz_jwt_claims(std::string_view in) {
    const auto nl = in.find('\n');
    const std::string_view header = nl == std::string_view::npos ? std::string_view(R"({"alg":"HS256","typ":"at+jwt","kid":"k1"})")
                                                                  : in.substr(0, nl);
    const std::string_view claims = nl == std::string_view::npos ? in : in.substr(nl + 1);
    const std::string input = w::crypto::base64url_encode(header) + "." + w::crypto::base64url_encode(claims);
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), hs256_key.data(), static_cast<int>(hs256_key.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
    const std::string token = input + "." + w::crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), n));
    auto c = w::auth::verify_jwt(token, hs256_keys(), hs256_rules());
    if (c && c.value().issuer != "https://as.example") broken("a token of another issuer was admitted");
}

void fuzz_bearer(std::string_view in) {
    static const auto scheme = w::auth::bearer::configure(credentials(), auth_settings()).value();
    one_header h("Authorization", in);
    check_refused_without(scheme.authenticate(h.view()), in, bearer_token, "bearer admitted without the token");
    (void)w::auth::presented<w::auth::bearer>(h.view());
}

void fuzz_basic(std::string_view in) {
    static const auto scheme = w::auth::basic::configure(credentials(), auth_settings()).value();
    one_header raw("Authorization", in);
    (void)scheme.authenticate(raw.view());
    (void)w::auth::presented<w::auth::basic>(raw.view());
    one_header encoded("Authorization", "Basic " + w::crypto::base64_encode(in));
    const auto g = scheme.authenticate(encoded.view());
    if (std::holds_alternative<w::principal>(g) && in != "alice:correct horse") broken("basic admitted a wrong password");
}

void fuzz_api_key(std::string_view in) {
    using scheme_type = w::auth::api_key<"X-API-Key">;
    static const auto scheme = scheme_type::configure(credentials(), auth_settings()).value();
    one_header h("X-API-Key", in);
    check_refused_without(scheme.authenticate(h.view()), in, api_key_value, "api_key admitted without the key");
    (void)w::auth::presented<scheme_type>(h.view());
}

void fuzz_hmac(std::string_view in) {
    static const auto replay = std::make_shared<w::auth::storage_replay_store>(std::make_shared<w::storage::memory_store>());
    static const auto scheme = w::auth::hmac::configure(credentials(), auth_settings(), replay).value();
    one_header h("Authorization", in);
    const auto g = scheme.authenticate(h.view(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"));
    if (std::holds_alternative<w::principal>(g)) broken("hmac admitted a request the fuzzer could not sign");
    (void)w::auth::presented<w::auth::hmac>(h.view());
}

/// Well-formed UTF-8 (what a state's data always is: serialized JSON).
bool utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        std::uint32_t cp = n == 1 ? c : c & (0x7f >> n);
        for (std::size_t k = 1; k < n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d >> 6) != 2) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

void fuzz_request_state(std::string_view in) {
    static const auto sealer = w::mcp::request_state_sealer::from_key(std::string(32, 'k')).value();
    const w::mcp::request_state_binding b{"6:bearer0:2:ci0:", "tools/call", "digest"};
    if (sealer.open(b, in)) broken("a requestState the key did not seal was opened");
    // A real one, with the input as its data, opens to the input.
    if (!utf8(in)) return;
    const auto sealed = sealer.seal(b, in);
    auto opened = sealer.open(b, sealed);
    if (sealed.size() <= w::mcp::request_state_sealer::max_sealed_size && (!opened || opened.value() != in))
        broken("a sealed requestState did not open to its data");
}

void fuzz_encrypted_file(std::string_view in) {
    static const auto codec = w::storage::aead_codec::make(std::string(32, 'a'), std::string(32, 'b')).value();
    if (codec->open("server/tenant/account", in)) broken("a record the keys did not seal was opened");
    auto sealed = codec->seal("server/tenant/account", in);
    if (!sealed) broken("sealing failed");
    auto opened = codec->open("server/tenant/account", sealed.value());
    if (!opened || opened.value() != in) broken("a sealed record did not open to its contents");
    if (codec->open("server/tenant/other", sealed.value())) broken("a record opened in another slot");
}

void fuzz_credential_file(std::string_view in) {
    static const std::string dir = [] {
        char tmpl[] = "/tmp/warden-fuzz-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        if (!d) broken("mkdtemp");
        return std::string(d);
    }();
    const std::string path = dir + "/MCP_TOKEN";
    ::unlink(path.c_str());
    {
        std::ofstream(path, std::ios::binary) << in;
    }
    ::chmod(path.c_str(), 0600);
    auto r = w::credentials::file::read(path);
    if (in.size() <= w::credentials::file::max_bytes && !r) broken("a private credential file was not read");
}

// ---- a client certificate forwarded by a trusted proxy ----

// The client CA the target trusts, made once with the openssl command line (P-256, valid
// 2000-2126); its key was thrown away. The seeds in fuzz/corpus/forwarded_certificate are
// its leaf (URI:spiffe://fuzz.example/agent, DNS:agent.fuzz.example) URL-encoded as nginx
// sends it (1) and plain (2), the CA itself (3), an expired leaf it signed with the same
// names (4) and random bytes (5): without a signed leaf among them, no input would get past
// the chain check. A new CA means new seeds.
constexpr std::string_view forwarded_ca_pem = R"(-----BEGIN CERTIFICATE-----
MIIBdDCCARmgAwIBAgIBATAKBggqhkjOPQQDAjAgMR4wHAYDVQQDDBV3YXJkZW4g
ZnV6eiBjbGllbnQgQ0EwIBcNMDAwMTAxMDAwMDAwWhgPMjEyNjAxMDEwMDAwMDBa
MCAxHjAcBgNVBAMMFXdhcmRlbiBmdXp6IGNsaWVudCBDQTBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABOFBc7MlRE7TSjnwxJvZwbeZ0jMyrGxDQ//ntr5ncg1IEgKy
WXuatiYECUoN2azXiedS7RFR7YSmLw6quJGFdMyjQjBAMA8GA1UdEwEB/wQFMAMB
Af8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBTGjhjxvo0TUqSaUQg722ebWqIj
2TAKBggqhkjOPQQDAgNJADBGAiEA6QQDFaRzKp+lD1G0G6BceGD4mzzZvPqAGXKa
m5ShQTcCIQCkuuWGiPguSLcH86T+0L3ogoup53hwMWIwNcZzuUDmSA==
-----END CERTIFICATE-----
)";

const w::crypto::client_certificate_verifier& forwarded_verifier() {
    static const w::crypto::client_certificate_verifier v = [] {
        char path[] = "/tmp/warden-fuzz-ca-XXXXXX";
        const int fd = ::mkstemp(path);
        if (fd < 0) broken("mkstemp");
        if (::write(fd, forwarded_ca_pem.data(), forwarded_ca_pem.size()) !=
            static_cast<ssize_t>(forwarded_ca_pem.size()))
            broken("writing the fuzz client CA");
        ::close(fd);
        auto loaded = w::crypto::client_certificate_verifier::load(path, "");
        ::unlink(path);
        if (!loaded) broken("the fuzz client CA does not load");
        return std::move(loaded).value();
    }();
    return v;
}

/// The input as nginx's $ssl_client_escaped_cert escapes a PEM: all but ALPHA, DIGIT, "-._~".
std::string url_escaped(std::string_view in) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : in) {
        const auto u = static_cast<unsigned char>(ch);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
            u == '_' || u == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0xf]);
        }
    }
    return out;
}

/// The header value as the verifier gets it: never accepting what the CA did not sign (both
/// leaves it signed name the one identity checked here), and judging a plain PEM and its
/// URL-encoded form alike.
void fuzz_forwarded_certificate(std::string_view in) {
    const auto& verifier = forwarded_verifier();
    const auto plain = verifier.verify_forwarded(in);
    if (plain) {
        const auto& c = plain.value();
        if (!c.forwarded || c.uris != std::vector<std::string>{"spiffe://fuzz.example/agent"} ||
            c.dns_names != std::vector<std::string>{"agent.fuzz.example"} || c.sha256.size() != 64)
            broken("a forwarded certificate the CA did not sign was accepted");
    }
    // An input with a '%' is read as encoded already; the rest must read the same escaped.
    if (in.find('%') != std::string_view::npos) return;
    const std::string escaped = url_escaped(in);
    if (escaped.size() > w::crypto::client_certificate_verifier::max_forwarded_bytes) return;
    const auto encoded = verifier.verify_forwarded(escaped);
    if (plain.has_value() != encoded.has_value() ||
        (plain && plain.value().sha256 != encoded.value().sha256) ||
        (!plain && plain.error().message() != encoded.error().message()))
        broken("a forwarded certificate and its URL-encoded form were judged apart");
}

// ---- JSON-RPC: parsing and dispatch of a session ----

class null_outbound final : public w::mcp::outbound {
public:
    void send(std::string message, const boost::json::value*, bool) override {
        if (message.empty()) broken("an empty message was sent");
    }
};

w::detail::server_core& core() {
    static w::detail::server_core* c = [] {
        w::settings s;
        s.log_threshold = w::log_level::emergency;
        s.worker_threads = 1;
        s.http.port = 0;
        s.http.legacy_sse = false; // a stream that never ends would stall the target (no WebSocket either:
                                   // http_state::websocket is null unless a with_websocket transport sets it)
        s.http.header_timeout = std::chrono::milliseconds(200);
        s.http.body_timeout = std::chrono::milliseconds(200);
        s.auth = auth_settings();
        auto* p = new w::detail::server_core({.name = "fuzz", .version = "1"}, std::move(s));
        auto echo = [](const boost::json::object& a, w::call_context&) {
            return w::tool_result::text(boost::json::serialize(a));
        };
        using F = decltype(echo);
        p->registry().add_tool(w::tool_spec{.name = "echo", .description = "echo", .scopes = {"read"}},
                               w::mcp::make_tool_handler(std::move(echo)), w::mcp::input_schema_for<F>(),
                               w::mcp::output_schema_for<F>());
        p->set_credentials(credentials());
        return p;
    }();
    return *c;
}

void fuzz_jsonrpc(std::string_view in) {
    w::principal who{.subject = "ci", .scheme = "bearer", .scopes = {"read"}};
    auto session = core().open_session(who, std::make_shared<null_outbound>(), false);
    session->receive_text(in);
    session->wait_idle(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    session->close();
}

// ---- HTTP: the request path up to and through the auth gate, on a real socket ----

void fuzz_http(std::string_view in) {
    namespace net = boost::asio;
    using w::transport::detail::http_state;
    static http_state* state = [] {
        auto* s = new http_state(core(), core().config().http);
        s->auth.store(std::make_shared<const w::transport::detail::scheme_gate<w::auth::bearer>>(
            w::auth::bearer::configure(core().credentials(), core().config().auth).value()));
        s->allowed_hosts = {"127.0.0.1:8080"};
        return s;
    }();
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) broken("socketpair");
    net::io_context io(1);
    net::ip::tcp::socket server(io);
    server.assign(net::ip::tcp::v4(), fds[1]);
    // The whole request, then end of input: what a client that sent it and waits does.
    for (std::size_t off = 0; off < in.size();) {
        const auto n = ::send(fds[0], in.data() + off, in.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::shutdown(fds[0], SHUT_WR);
    ++state->connections;
    net::co_spawn(io, w::transport::detail::serve_socket<w::transport::loopback>(*state, std::move(server)),
                  net::detached);
    io.run_for(std::chrono::seconds(3));
    ::close(fds[0]); // a stream that is still open ends with its client
    io.run();
}

struct target {
    const char* name;
    void (*run)(std::string_view);
};
constexpr target targets[] = {
    {"base64", fuzz_base64},
    {"jws", fuzz_jws},
    {"jwt_claims", fuzz_jwt_claims},
    {"bearer", fuzz_bearer},
    {"basic", fuzz_basic},
    {"api_key", fuzz_api_key},
    {"hmac", fuzz_hmac},
    {"request_state", fuzz_request_state},
    {"encrypted_file", fuzz_encrypted_file},
    {"credential_file", fuzz_credential_file},
    {"forwarded_certificate", fuzz_forwarded_certificate},
    {"jsonrpc", fuzz_jsonrpc},
    {"http", fuzz_http},
};
void (*chosen)(std::string_view) = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* name = std::getenv("WARDEN_FUZZ_TARGET");
    for (const auto& t : targets)
        if (name && std::string_view(name) == t.name) chosen = t.run;
    if (!chosen) {
        std::fprintf(stderr, "warden_fuzz: set WARDEN_FUZZ_TARGET to one of:");
        for (const auto& t : targets) std::fprintf(stderr, " %s", t.name);
        std::fprintf(stderr, "\n");
        std::exit(2);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    chosen(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
