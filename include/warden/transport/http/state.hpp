// warden/transport/http/state.hpp: what the connections of one HTTP server share
// (`http_state`: settings, sessions, the scheme in force, counters), and small helpers for
// request heads.
#pragma once

#include <warden/audit.hpp>
#include <warden/auth/gate.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/crypto/x509.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/detail/server_core.hpp>
#include <warden/transport/detail/http_session.hpp>
#include <warden/transport/http/gate.hpp>
#include <warden/transport/http_settings.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::transport::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

inline std::string lower(std::string_view s) { return warden::detail::lower_ascii(s); }

/// True when the Accept header admits `type` ("application/json", "text/event-stream").
inline bool accepts(std::string_view accept, std::string_view type) {
    const std::string_view major = type.substr(0, type.find('/') + 1); // "application/"
    std::size_t pos = 0;
    while (pos <= accept.size()) {
        std::size_t end = accept.find(',', pos);
        if (end == std::string_view::npos) end = accept.size();
        std::string_view item = accept.substr(pos, end - pos);
        item = item.substr(0, item.find(';'));
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (beast::iequals(item, type) || item == "*/*" ||
            (item.size() == major.size() + 1 && item.back() == '*' && beast::iequals(item.substr(0, major.size()), major)))
            return true;
        pos = end + 1;
    }
    return false;
}

/// The request's authority for an `Origin` value ("http://host:port" -> "host:port").
inline std::optional<std::string> origin_authority(std::string_view origin) {
    auto p = origin.find("://");
    if (p == std::string_view::npos) return std::nullopt;
    return lower(origin.substr(p + 3));
}

/// Everything the connections of one server share.
/// What a handled request leaves the connection to do.
enum class after { keep_alive, close };

class connection;
/// Serves the WebSocket endpoint on an upgrade request that passed the gate
/// (warden/transport/websocket.hpp).
using websocket_handler = net::awaitable<after> (*)(connection&);

struct http_state {
    warden::detail::server_core& core;
    const http_settings& config;
    std::vector<std::string> allowed_hosts; ///< lower-case; empty = any
    std::vector<std::string> certificate_hosts; ///< the TLS certificate's DNS names, when they stand in for the list
    bool check_hosts = true;
    session_table sessions;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopping{false};
    std::optional<net::ssl::context> tls;
    /// Channels that verify client certificates: the CAs (and CRLs) they chain to.
    std::optional<crypto::client_certificate_verifier> client_certs;
    bool trust_forwarded_headers = false;
    std::vector<net::ip::address> trusted_proxies;
    /// The WebSocket endpoint, when the transport's type has one (`with_websocket`).
    websocket_handler websocket = nullptr;
    /// The auth scheme in force; replaced whole when credentials change.
    std::atomic<std::shared_ptr<const http_gate>> auth;

    /// Sessions that live for one request (stateless requests), so that shutdown can
    /// cancel their handlers once the grace period is over.
    using request_list = std::list<std::weak_ptr<http_session>>;
    request_list::iterator track_request(const std::shared_ptr<http_session>& s) {
        std::lock_guard lock(requests_mutex);
        return requests.insert(requests.end(), s);
    }
    void untrack_request(request_list::iterator it) {
        std::lock_guard lock(requests_mutex);
        requests.erase(it);
    }
    void close_requests() {
        std::vector<std::shared_ptr<http_session>> live;
        {
            std::lock_guard lock(requests_mutex);
            for (auto& w : requests)
                if (auto s = w.lock()) live.push_back(std::move(s));
        }
        for (auto& s : live) s->close();
    }
    std::mutex requests_mutex;
    request_list requests;

    /// A new request id: this run's random prefix and a counter, e.g. "5f3a91c2-1b".
    std::string next_request_id() {
        const auto n = request_counter.fetch_add(1, std::memory_order_relaxed);
        char buf[32];
        const auto end = std::to_chars(buf, buf + sizeof buf, n, 16).ptr;
        std::string id;
        id.reserve(request_id_prefix.size() + 1 + static_cast<std::size_t>(end - buf));
        id.append(request_id_prefix).append("-").append(buf, end);
        return id;
    }
    std::string request_id_prefix = [] {
        const std::string b = crypto::random_bytes(4);
        return crypto::to_hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
    }();
    std::atomic<std::uint64_t> request_counter{1};

    /// At most one log line per interval for a repeated failure (a store that is down).
    struct log_throttle {
        std::atomic<std::int64_t> last{std::numeric_limits<std::int64_t>::min() / 2};
        std::chrono::seconds every{10};
        bool due() {
            const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
            auto seen = last.load(std::memory_order_relaxed);
            return now - seen >= std::chrono::milliseconds(every).count() &&
                   last.compare_exchange_strong(seen, now, std::memory_order_relaxed);
        }
    } store_errors, misrouted;

    http_state(warden::detail::server_core& c, const http_settings& s)
        : core(c), config(s), sessions(s.max_sessions, s.session_idle_timeout, s.instance) {}
};

/// True for header fields whose values are credentials or act as one.
inline bool sensitive_header(std::string_view name) {
    const std::string n = lower(name);
    for (const char* word : {"authorization", "cookie", "key", "secret", "token", "signature", "password", "session",
                             "credential", "auth"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

/// The header fields for a debug log line; sensitive values shown as a short hash only.
inline std::string describe_headers(const http::fields& fields) {
    std::string out;
    for (const auto& f : fields) {
        if (!out.empty()) out += "; ";
        out.append(f.name_string()).append(": ");
        if (sensitive_header(f.name_string()))
            out += "[redacted " + crypto::fingerprint(f.value()) + "]";
        else
            out.append(f.value().substr(0, 200));
    }
    return out;
}


/// The address to listen on: numeric, or "localhost" for 127.0.0.1.
inline result<net::ip::address> resolve_listen_address(const std::string& host) {
    if (host == "localhost") return net::ip::make_address("127.0.0.1");
    boost::system::error_code ec;
    auto a = net::ip::make_address(host, ec);
    if (ec) return failure(errc::invalid_argument, "cannot listen on \"" + host + "\": not a numeric address");
    return a;
}

} // namespace warden::transport::detail
