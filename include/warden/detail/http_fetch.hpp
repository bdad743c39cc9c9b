// warden/detail/http_fetch.hpp: one bounded HTTP exchange, for what a server fetches for
// itself (an issuer's JWK set and metadata, token endpoints, upstream APIs).
//
// HTTPS with certificate and host name verification against the system's CAs (or a given
// CA file); plain HTTP only when the caller allows it and only to a loopback address. A
// deadline covers the whole exchange (resolve, connect, handshake, request, response); the
// body has a size cap; redirects are not followed (a 3xx is an error). Host names are
// resolved on a thread of their own: getaddrinfo has no timeout, and a resolver that never
// answers costs the caller no more than the deadline. Runs on its own
// io_context, so it may be called from any thread that is allowed to wait.
#pragma once

#include <warden/config.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/loopback.hpp>
#include <warden/error.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>


#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace warden::detail {

struct fetch_options {
    std::chrono::milliseconds timeout{5000};
    std::size_t max_bytes = 512 * 1024;
    bool allow_loopback_http = false; ///< plain http:// to 127.0.0.0/8, ::1 or localhost
    std::string ca_file{};            ///< PEM CAs to trust instead of the system's
    /// Resolves a host name: the system's resolver unless set (a test's slow DNS). It runs on
    /// a thread of its own, so that `timeout` bounds it like the rest of the exchange.
    std::function<result<std::vector<boost::asio::ip::address>>(const std::string& host)> resolve{};
};

/// What to send besides GET: a method, a body and extra header fields.
struct request_parts {
    std::string method{}; ///< empty: GET, or POST when there is a body
    std::string body{};
    std::string content_type{};
    std::vector<std::pair<std::string, std::string>> headers{};
};

struct fetched {
    unsigned status = 0;
    std::string body{};
    std::optional<std::chrono::seconds> max_age{}; ///< from Cache-Control, when it says
    std::string content_type{};
    std::string www_authenticate{}; ///< the first WWW-Authenticate field, if any
    std::string dpop_nonce{};       ///< a DPoP-Nonce field (RFC 9449 §8, §9), if any
};

/// `max-age=N` of a Cache-Control value (no-store/no-cache count as 0).
inline std::optional<std::chrono::seconds> cache_max_age(std::string_view cc) {
    std::optional<std::chrono::seconds> out;
    while (!cc.empty()) {
        auto comma = cc.find(',');
        std::string_view d = cc.substr(0, comma);
        while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
        while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
        if (d == "no-store" || d == "no-cache") return std::chrono::seconds(0);
        if (d.starts_with("max-age=")) {
            long v = 0;
            bool ok = d.size() > 8 && d.size() <= 18;
            for (char c : d.substr(8)) ok = ok && c >= '0' && c <= '9';
            if (ok) {
                for (char c : d.substr(8)) v = v * 10 + (c - '0');
                out = std::chrono::seconds(v);
            }
        }
        if (comma == std::string_view::npos) break;
        cc.remove_prefix(comma + 1);
    }
    return out;
}

/// `v` percent-encoded for an application/x-www-form-urlencoded body (every byte outside
/// the unreserved set escaped).
inline std::string form_encode(std::string_view v) { return boost::urls::encode(v, boost::urls::unreserved_chars); }

/// The Authorization value of OAuth client_secret_basic (RFC 6749 §2.3.1: both parts
/// form-encoded before base64).
inline std::string client_secret_basic(std::string_view client_id, std::string_view secret) {
    std::string pair = form_encode(client_id) + ":" + form_encode(secret);
    std::string out = "Basic " + crypto::base64_encode(pair);
    crypto::cleanse(pair.data(), pair.size());
    return out;
}

/// `url` as an error message or a log line may show it: scheme, host, port and path; never
/// userinfo, query or fragment, where credentials travel.
inline std::string redacted_url(std::string_view url) {
    auto u = boost::urls::parse_uri(url);
    if (!u) return "(a malformed URL)";
    std::string out = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
    out += u->encoded_path();
    if (u->has_query() || u->has_fragment()) out += "?[redacted]";
    return out;
}

/// GETs `url`, or POSTs when `parts` has a body. The error says what failed, naming the
/// URL; never a header value or the body (they may carry credentials).
WARDEN_DECL result<fetched> http_request(const std::string& url, const fetch_options& opt, const request_parts& parts);

inline result<fetched> http_get(const std::string& url, const fetch_options& opt = {}) { return http_request(url, opt, {}); }

} // namespace warden::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/detail/impl/http_fetch.hpp>
#endif
