// warden/detail/impl/http_fetch.hpp: one bounded HTTP exchange over Beast (plain or TLS).
// Included by warden/detail/http_fetch.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/detail/http_fetch.hpp>

#include <warden/transport/http/any_stream.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <boost/url/parse.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace warden::detail {

/// The addresses of `host` (an address literal is its own), or an error by `deadline`. A
/// name is resolved by a detached thread that outlives a caller who stopped waiting; at most
/// 16 are pending at once, so that a resolver that hangs cannot pile threads up.
inline result<std::vector<boost::asio::ip::address>> resolve_by(const std::string& host, const fetch_options& opt,
                                                                 std::chrono::steady_clock::time_point deadline) {
    namespace net = boost::asio;
    boost::system::error_code ec;
    if (auto literal = net::ip::make_address(host, ec); !ec) return std::vector<net::ip::address>{literal};
    static std::atomic<int> pending_threads{0};
    if (pending_threads.fetch_add(1) >= 16) {
        pending_threads.fetch_sub(1);
        return failure(errc::overloaded, "cannot resolve " + host + ": too many resolutions pending");
    }
    struct shared {
        std::mutex mutex;
        std::condition_variable done;
        std::optional<result<std::vector<net::ip::address>>> answer;
    };
    auto state = std::make_shared<shared>();
    try {
        std::thread([state, host, resolve = opt.resolve] {
            result<std::vector<net::ip::address>> r = std::vector<net::ip::address>{};
            if (resolve) {
                r = resolve(host);
            } else {
                net::io_context ctx;
                net::ip::tcp::resolver resolver(ctx);
                boost::system::error_code rec;
                auto found = resolver.resolve(host, "", rec);
                if (rec) r = failure(errc::closed, "cannot resolve " + host + ": " + rec.message());
                else
                    for (const auto& e : found) r.value().push_back(e.endpoint().address());
            }
            std::lock_guard lock(state->mutex);
            state->answer = std::move(r);
            pending_threads.fetch_sub(1);
            state->done.notify_all();
        }).detach();
    } catch (const std::system_error&) {
        pending_threads.fetch_sub(1);
        return failure(errc::overloaded, "cannot resolve " + host + ": no thread to resolve it");
    }
    std::unique_lock lock(state->mutex);
    if (!state->done.wait_until(lock, deadline, [&] { return state->answer.has_value(); }))
        return failure(errc::timeout, "cannot resolve " + host + " in time");
    if (*state->answer && state->answer->value().empty())
        return failure(errc::closed, "cannot resolve " + host + ": no address");
    return std::move(*state->answer);
}

/// GETs `url`, or POSTs when `parts` has a body. The error says what failed, naming the
/// URL; never a header value or the body (they may carry credentials).
WARDEN_DECL result<fetched> http_request(const std::string& url, const fetch_options& opt, const request_parts& parts) {
    namespace net = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    const std::string shown = redacted_url(url); // what errors name: no userinfo, no query
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return failure(errc::invalid_argument, shown + " is not an absolute URL");
    const std::string scheme(parsed->scheme());
    std::string host(parsed->host_address());
    const bool tls = scheme == "https";
    if (!tls && !(scheme == "http" && opt.allow_loopback_http && loopback_host(host)))
        return failure(errc::invalid_argument, shown + ": only https URLs are fetched" +
                                                   (scheme == "http" ? " (plain http only to loopback, outside profile::production)"
                                                                     : ""));
    const std::uint16_t port = parsed->has_port() ? parsed->port_number() : tls ? 443 : 80;
    std::string target(parsed->encoded_path());
    if (target.empty()) target = "/";
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

    const std::string method = !parts.method.empty() ? parts.method : parts.body.empty() ? "GET" : "POST";
    const http::verb method_verb = http::string_to_verb(method);
    if (method_verb == http::verb::unknown) return failure(errc::invalid_argument, "unknown HTTP method " + method);
    const std::string verb = method + " ";
    // Declared before the io_context, so that a timed-out exchange (destroyed with the
    // io_context) never outlives what it refers to.
    std::optional<net::ssl::context> ssl;
    if (tls) {
        ssl.emplace(net::ssl::context::tls_client);
        boost::system::error_code ec;
        if (opt.ca_file.empty()) ssl->set_default_verify_paths(ec);
        else ssl->load_verify_file(opt.ca_file, ec);
        if (ec) return failure(errc::invalid_argument, "cannot load the CAs to verify " + shown + ": " + ec.message());
        ssl->set_verify_mode(net::ssl::verify_peer);
        SSL_CTX_set_min_proto_version(ssl->native_handle(), TLS1_2_VERSION);
    }
    const auto deadline = std::chrono::steady_clock::now() + opt.timeout;
    auto addresses = resolve_by(host, opt, deadline);
    if (!addresses) {
        auto e = addresses.error();
        e.detail = verb + shown + ": " + e.message();
        return e;
    }
    std::vector<net::ip::tcp::endpoint> endpoints;
    for (const auto& a : addresses.value()) endpoints.emplace_back(a, port);
    std::optional<result<fetched>> outcome;
    net::io_context ioc;
    auto run = [&]() -> net::awaitable<void> {
        auto fail = [&](std::string what) { outcome = failure(errc::closed, verb + shown + ": " + what); };
        http::request<http::string_body> req{method_verb, target, 11};
        req.set(http::field::host, std::string(parsed->encoded_host_and_port()));
        req.set(http::field::user_agent, "warden");
        req.set(http::field::accept, "application/json");
        for (const auto& [name, value] : parts.headers) req.set(name, value);
        if (!parts.body.empty() || method_verb == http::verb::post || method_verb == http::verb::put ||
            method_verb == http::verb::patch) {
            if (!parts.content_type.empty()) req.set(http::field::content_type, parts.content_type);
            req.body() = parts.body;
            req.prepare_payload();
        }
        http::response_parser<http::string_body> res;
        res.body_limit(opt.max_bytes);
        res.header_limit(16 * 1024);
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        // The exchange reads and writes through any_stream, as the server's connections do:
        // Beast's HTTP algorithms are compiled once for both kinds of stream, and the TLS
        // engine's operations are the server's own (warden/transport/http/any_stream.hpp).
        beast::tcp_stream tcp(ioc);
        std::tie(ec, std::ignore) = co_await tcp.async_connect(endpoints, net::as_tuple(net::use_awaitable));
        if (ec) co_return fail("cannot connect: " + ec.message());
        std::optional<beast::ssl_stream<beast::tcp_stream>> secured;
        std::unique_ptr<transport::detail::any_stream> stream;
        if (tls) {
            secured.emplace(std::move(tcp), *ssl);
            if (!SSL_set_tlsext_host_name(secured->native_handle(), host.c_str()))
                co_return fail("cannot set the TLS server name");
            secured->set_verify_callback(net::ssl::host_name_verification(host));
            std::tie(ec) = co_await secured->async_handshake(net::ssl::stream_base::client, net::as_tuple(net::use_awaitable));
            if (ec) co_return fail("TLS handshake failed: " + ec.message());
            stream = std::make_unique<transport::detail::stream_of<beast::ssl_stream<beast::tcp_stream>>>(*secured);
        } else {
            stream = std::make_unique<transport::detail::stream_of<beast::tcp_stream>>(tcp);
        }
        std::tie(ec, std::ignore) = co_await http::async_write(*stream, req, net::as_tuple(net::use_awaitable));
        if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(*stream, buffer, res, net::as_tuple(net::use_awaitable));
        if (ec == http::error::body_limit) co_return fail("response larger than " + std::to_string(opt.max_bytes) + " bytes");
        if (ec) co_return fail(ec.message());
        auto& m = res.get();
        fetched f;
        f.status = m.result_int();
        if (f.status >= 300 && f.status < 400) co_return fail("redirect refused (HTTP " + std::to_string(f.status) + ")");
        if (auto cc = m.find(http::field::cache_control); cc != m.end()) f.max_age = cache_max_age(cc->value());
        if (auto ct = m.find(http::field::content_type); ct != m.end()) f.content_type = std::string(ct->value());
        if (auto wa = m.find(http::field::www_authenticate); wa != m.end()) f.www_authenticate = std::string(wa->value());
        if (auto dn = m.find("DPoP-Nonce"); dn != m.end() && dn->value().size() <= 512) f.dpop_nonce = std::string(dn->value());
        f.body = std::move(m.body());
        outcome = std::move(f);
    };
    net::co_spawn(ioc, run(), [](std::exception_ptr) {});
    ioc.run_until(deadline);
    ERR_clear_error(); // what a failed handshake left in this thread's OpenSSL error queue
    if (!outcome) return failure(errc::timeout, verb + shown + ": no answer within " + std::to_string(opt.timeout.count()) + " ms");
    return std::move(*outcome);
}

} // namespace warden::detail
