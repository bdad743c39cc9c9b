// warden/cli.hpp: the command line every example server shares (docs/design.md §1).
//
//     --stdio               serve MCP on stdin/stdout (the default)
//     --listen HOST:PORT    serve Streamable HTTP (plaintext on loopback; HTTPS with --tls-*)
//     --tls-cert FILE       PEM certificate chain for HTTPS
//     --tls-key FILE        PEM private key for HTTPS
//     --tls-client-ca FILE  PEM CAs of accepted client certificates (mutual TLS servers)
//     --tls-client-crl FILE PEM CRLs for them
//     --trusted-proxy ADDR  a TLS terminator whose X-Forwarded-* (and client certificate) is believed
//     --allow-host HOST     a Host the server answers besides its own address (the public name
//                           behind a load balancer); repeatable
//     --stateless           HTTP without sessions: every POST stands alone
//     --instance NAME       this instance's name behind a load balancer (session ids start "NAME.")
//     --metrics HOST:PORT   Prometheus metrics at http://HOST:PORT/metrics (loopback only)
//     --audit-log FILE      the audit log (one JSON line per auth decision) to FILE, or - for stderr
//     --log-level LEVEL     debug, info, notice, warning, error, critical, alert, emergency
//     --env NAME            the deployment to run, for servers with several (else $MCP_ENV)
//     --tenant NAME         the tenant a subcommand acts for (e.g. `login`)
//     --help                usage, including the environment variables the server reads
//     COMMAND               a subcommand the server offers (e.g. `login`), instead of serving
//
// Everything else (tokens, issuers, URLs) comes from environment variables.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/transport/channel.hpp>
#include <warden/transport/http_settings.hpp>

#include <algorithm>
#include <iostream>
#include <optional>

#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace warden {

struct command_line {
    bool stdio = true;
    bool help = false;
    log_level level = log_level::info;
    std::string listen{};   ///< HOST:PORT, when serving HTTP
    std::string path{};     ///< --path: the MCP endpoint's path (default http_settings::path)
    std::string tls_cert{};
    std::string tls_key{};
    std::string tls_client_ca{};  ///< PEM CAs of client certificates (mutual TLS)
    std::string tls_client_crl{}; ///< PEM CRLs for them
    std::vector<std::string> trusted_proxies{}; ///< TLS terminators whose forwarded headers are believed
    std::vector<std::string> allowed_hosts{};   ///< --allow-host: Host values accepted besides the defaults
    bool stateless = false;
    std::string environment{}; ///< --env NAME
    std::string tenant{};      ///< --tenant NAME
    std::string command{};     ///< a subcommand (a bare word), e.g. "login"; empty: serve
    std::string metrics{};     ///< --metrics HOST:PORT
    std::string instance{};    ///< --instance NAME
    std::optional<std::string> audit_log{}; ///< --audit-log FILE ("-": stderr)
};

/// Parses the shared options; an unknown option or a bad value is an error that says which.
inline result<command_line> parse_command_line(int argc, const char* const* argv) {
    command_line cl;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&](std::string_view name) -> result<std::string> {
            if (a == name) {
                if (i + 1 >= argc) return failure(errc::invalid_argument, std::string(name) + " needs a value");
                return std::string(argv[++i]);
            }
            return std::string(a.substr(name.size() + 1));
        };
        auto is = [&](std::string_view name) {
            return a == name || (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=');
        };
        if (a == "--stdio") {
            cl.stdio = true;
            cl.listen.clear();
        } else if (a == "--stateless") {
            cl.stateless = true;
        } else if (is("--allow-host")) {
            auto v = value("--allow-host");
            if (!v) return v.error();
            if (v.value().empty()) return failure(errc::invalid_argument, "--allow-host needs a value");
            cl.allowed_hosts.push_back(std::move(v).value());
        } else if (is("--path")) {
            auto v = value("--path");
            if (!v) return v.error();
            const auto& path = v.value();
            if (path.size() < 2 || path.front() != '/' || path.find_first_of("?#% \t") != std::string::npos ||
                path.back() == '/')
                return failure(errc::invalid_argument, "--path needs the endpoint's path, e.g. /tools/mcp (no query, "
                                                       "no trailing slash)");
            cl.path = std::move(v).value();
        } else if (is("--metrics") || is("--audit-log") || is("--instance")) {
            const std::string_view name = a.substr(0, a.find('='));
            auto v = value(name);
            if (!v) return v.error();
            if (v.value().empty()) return failure(errc::invalid_argument, std::string(name) + " needs a value");
            if (name == "--metrics") cl.metrics = std::move(v).value();
            else if (name == "--instance") cl.instance = std::move(v).value();
            else cl.audit_log = std::move(v).value();
        } else if (is("--env") || is("--tenant")) {
            const std::string_view name = a.substr(0, a.find('='));
            auto v = value(name);
            if (!v) return v.error();
            if (v.value().empty()) return failure(errc::invalid_argument, std::string(name) + " needs a value");
            (name == "--env" ? cl.environment : cl.tenant) = std::move(v).value();
        } else if (!a.empty() && a.front() != '-' && cl.command.empty()) {
            cl.command = std::string(a);
        } else if (is("--listen") || is("--tls-cert") || is("--tls-key") || is("--tls-client-ca") ||
                   is("--tls-client-crl") || is("--trusted-proxy")) {
            const std::string_view name = a.substr(0, a.find('='));
            auto v = value(name);
            if (!v) return v.error();
            if (v.value().empty()) return failure(errc::invalid_argument, std::string(name) + " needs a value");
            if (name == "--listen") {
                cl.listen = std::move(v).value();
                cl.stdio = false;
            } else if (name == "--tls-cert") {
                cl.tls_cert = std::move(v).value();
            } else if (name == "--tls-key") {
                cl.tls_key = std::move(v).value();
            } else if (name == "--tls-client-ca") {
                cl.tls_client_ca = std::move(v).value();
            } else if (name == "--tls-client-crl") {
                cl.tls_client_crl = std::move(v).value();
            } else {
                cl.trusted_proxies.push_back(std::move(v).value());
            }
        } else if (a == "--help" || a == "-h") {
            cl.help = true;
        } else if (a == "--log-level" || a.starts_with("--log-level=")) {
            std::string_view v{};
            if (a == "--log-level") {
                if (i + 1 >= argc) return failure(errc::invalid_argument, "--log-level needs a value");
                v = argv[++i];
            } else {
                v = a.substr(std::string_view("--log-level=").size());
            }
            auto l = parse_log_level(v);
            if (!l) return failure(errc::invalid_argument, "--log-level: unknown level \"" + std::string(v) + "\"");
            cl.level = *l;
        } else {
            return failure(errc::invalid_argument, "unknown option \"" + std::string(a) + "\"");
        }
    }
    if (cl.tls_cert.empty() != cl.tls_key.empty())
        return failure(errc::invalid_argument, "--tls-cert and --tls-key go together");
    if (cl.stdio && (!cl.tls_cert.empty() || cl.stateless || !cl.tls_client_ca.empty() || !cl.trusted_proxies.empty() ||
                     !cl.allowed_hosts.empty() || !cl.metrics.empty() || !cl.instance.empty() || !cl.path.empty()))
        return failure(errc::invalid_argument,
                       "--tls-*, --trusted-proxy, --allow-host, --path, --stateless, --metrics and --instance need --listen");
    if (!cl.tls_client_crl.empty() && cl.tls_client_ca.empty())
        return failure(errc::invalid_argument, "--tls-client-crl needs --tls-client-ca");
    return cl;
}

/// Parses "HOST:PORT", "[V6]:PORT" or "localhost:PORT".
inline result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        return failure(errc::invalid_argument, "--listen needs HOST:PORT, e.g. 127.0.0.1:8080");
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    auto ps = text.substr(colon + 1);
    if (!detail::parse_decimal(ps, port) || port > 65535)
        return failure(errc::invalid_argument, "--listen: bad port \"" + std::string(ps) + "\"");
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

/// Applies --listen, --tls-cert, --tls-key and --stateless to `http`.
inline result<void> configure_http(const command_line& cl, http_settings& http) {
    if (cl.stdio) return success();
    auto where = parse_listen(cl.listen);
    if (!where) return where.error();
    http.address = where.value().first;
    http.port = where.value().second;
    http.tls_certificate_file = cl.tls_cert;
    http.tls_private_key_file = cl.tls_key;
    http.tls_client_ca_file = cl.tls_client_ca;
    http.tls_client_crl_file = cl.tls_client_crl;
    http.trusted_proxies = cl.trusted_proxies;
    http.allowed_hosts.insert(http.allowed_hosts.end(), cl.allowed_hosts.begin(), cl.allowed_hosts.end());
    http.stateless = cl.stateless;
    http.instance = cl.instance;
    if (!cl.path.empty()) http.path = cl.path;
    if (!cl.metrics.empty()) {
        auto m = parse_listen(cl.metrics);
        if (!m) return failure(errc::invalid_argument, "--metrics needs HOST:PORT on loopback, e.g. 127.0.0.1:9464");
        http.metrics_address = m.value().first;
        http.metrics_port = m.value().second;
    }
    return success();
}

/// Which transports an example offers.
enum class example_kind {
    stdio_or_http, ///< stdio by default, HTTP with --listen
    http_only,     ///< its auth scheme reads HTTP headers: --listen, 127.0.0.1:8080 by default
};

/// The --help text: usage, options, and the environment variables `vars`.
inline std::string usage(std::string_view program, std::string_view summary, std::span<const variable> vars,
                         example_kind kind = example_kind::stdio_or_http) {
    const bool http = kind == example_kind::http_only;
    std::string out{};
    out += "usage: " + std::string(program) +
           (http ? " [--listen HOST:PORT [--tls-cert FILE --tls-key FILE]] [--stateless] [--log-level LEVEL]\n\n"
                 : " [--stdio | --listen HOST:PORT [--tls-cert FILE --tls-key FILE] [--stateless]] [--log-level "
                   "LEVEL]\n\n");
    out += std::string(summary) + "\n\n";
    out += http ? "options:\n"
                  "  --listen HOST:PORT  serve MCP over Streamable HTTP at http://HOST:PORT/mcp (default\n"
                  "                      127.0.0.1:8080; loopback only without TLS)\n"
                : "options:\n"
                  "  --stdio             serve MCP over stdin/stdout (default)\n"
                  "  --listen HOST:PORT  serve MCP over Streamable HTTP at http://HOST:PORT/mcp (loopback only\n"
                  "                      without TLS)\n";
    out += 
           "  --tls-cert FILE     PEM certificate chain: serve HTTPS\n"
           "  --tls-key FILE      PEM private key for --tls-cert\n"
           "  --tls-client-ca FILE   PEM CAs whose client certificates are accepted (mutual TLS)\n"
           "  --tls-client-crl FILE  PEM CRLs for them: revoked certificates are refused\n"
           "  --trusted-proxy ADDR   a TLS-terminating proxy whose forwarded headers are believed\n"
           "  --path PATH         the MCP endpoint's path (default /mcp), e.g. /tools/mcp\n"
           "  --allow-host HOST   a Host header accepted besides the server's own address (the public\n"
           "                      name behind a load balancer); repeatable\n"
           "  --stateless         HTTP without sessions: every POST stands alone\n"
           "  --instance NAME     this instance's name behind a load balancer: session ids start with\n"
           "                      NAME. so the balancer can route them back (examples/deployment)\n"
           "  --metrics HOST:PORT Prometheus metrics at http://HOST:PORT/metrics (a loopback address)\n"
           "  --audit-log FILE    one JSON line per authentication and authorization decision, appended\n"
           "                      to FILE (- for stderr); on by default in production deployments\n"
           "  --env NAME          the deployment to run, for servers with several (default: $MCP_ENV)\n"
           "  --log-level LEVEL   debug, info, notice, warning, error, critical, alert, emergency (default info)\n"
           "  --help              show this text\n";
    if (!vars.empty()) {
        out += "\nenvironment:\n";
        for (const auto& v : vars)
            out += "  " + v.name + (v.required ? "" : " (optional)") + (v.description.empty() ? "" : "  " + v.description) +
                   "\n";
    }
    return out;
}

/// What every example's main() does first: parses the shared command line into `s` (a
/// `warden::settings`: log level, HTTP listen options, the declared `env` variables).
/// Returns the exit status when the program should stop at once: 0 after --help, 2 after a
/// bad option (the error and the usage go to stderr).
template <class Settings>
std::optional<int> configure_example(int argc, const char* const* argv, std::string_view program,
                                     std::string_view summary, std::span<const variable> env, Settings& s,
                                     command_line& cl, example_kind kind = example_kind::stdio_or_http) {
    auto parsed = parse_command_line(argc, argv);
    if (parsed && kind == example_kind::http_only && parsed.value().stdio) {
        const bool asked = std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--stdio"; });
        if (asked)
            parsed = failure(errc::invalid_argument,
                             "--stdio: this server authenticates HTTP requests; on stdio an MCP client passes "
                             "credentials in the environment instead");
        else {
            parsed.value().stdio = false;
            parsed.value().listen = "127.0.0.1:8080";
        }
    }
    if (parsed) {
        if (auto r = configure_http(parsed.value(), s.http); !r) parsed = r.error();
    }
    if (!parsed) {
        std::cerr << program << ": " << parsed.error().message() << "\n" << usage(program, summary, env, kind);
        return 2;
    }
    cl = std::move(parsed).value();
    if (cl.help) {
        std::cout << usage(program, summary, env, kind);
        return 0;
    }
    s.log_threshold = cl.level;
    s.credentials.assign(env.begin(), env.end());
    if constexpr (requires { s.audit.file; })
        if (cl.audit_log) {
            s.audit.enabled = true;
            s.audit.file = *cl.audit_log == "-" ? std::string() : *cl.audit_log;
        }
    return std::nullopt;
}

/// Calls `serve(std::type_identity<Channel>{})` with the HTTP channel the command line asks
/// for: `transport::tls` with --tls-cert, else `transport::loopback`. Examples use it to
/// pick their definition: `[&]<class C>(std::type_identity<C>) { server<def<C>> s{...}; ... }`.
template <class F>
int on_channel(const command_line& cl, F serve) {
    if (!cl.tls_cert.empty()) return serve(std::type_identity<transport::tls>{});
    return serve(std::type_identity<transport::loopback>{});
}

/// The same for servers that may also run behind a TLS-terminating load balancer:
/// `transport::behind_tls_terminator` with --trusted-proxy (whose X-Forwarded-For then
/// names the client, so per-address limits count clients, not the proxy), else as
/// `on_channel`.
template <class F>
int on_proxied_channel(const command_line& cl, F serve) {
    if (!cl.trusted_proxies.empty() && cl.tls_cert.empty())
        return serve(std::type_identity<transport::behind_tls_terminator>{});
    return on_channel(cl, serve);
}

/// The same for servers that authenticate by client certificate:
/// `transport::behind_mtls_terminator` with --trusted-proxy, else `transport::mutual_tls`.
template <class F>
int on_client_certificate_channel(const command_line& cl, F serve) {
    if (!cl.trusted_proxies.empty()) return serve(std::type_identity<transport::behind_mtls_terminator>{});
    return serve(std::type_identity<transport::mutual_tls>{});
}

} // namespace warden
