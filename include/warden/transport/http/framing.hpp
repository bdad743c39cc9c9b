// warden/transport/http/framing.hpp: what a request head must pass before anything reads it.
//
// Framing that a proxy in front of the server could read differently from it (request
// smuggling), and the fields that every later decision rests on (Host, Origin) given once
// and well formed, each with the answer RFC 9112 gives: 400 and close, or 501 for a transfer
// coding the server does not implement. Plain functions over the bytes and the parsed head,
// so that each rule is tested without a socket.
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace warden::transport::detail {

/// A head refused: the status and why (for the body and the log).
struct head_refusal {
    boost::beast::http::status status;
    std::string_view reason;
};

/// True when the request head at the start of `bytes` is complete and one of its lines after
/// the request line begins with a space or a tab: obs-fold, a field value continued on the
/// next line (RFC 9112 §5.2), or whitespace before the first field (§2.2). Beast would join
/// such a value; a proxy in front may not, so the server refuses the request instead.
inline bool has_folded_line(std::string_view bytes) {
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) return false;
    const std::string_view head = bytes.substr(0, end + 2);
    for (auto at = head.find("\r\n"); at != std::string_view::npos && at + 2 < head.size();
         at = head.find("\r\n", at + 2))
        if (head[at + 2] == ' ' || head[at + 2] == '\t') return true;
    return false;
}

/// The refusal of a parsed request head, if any. `chunked` is what the parser found (chunked
/// is the last transfer coding).
template <class Fields>
std::optional<head_refusal> check_head(const boost::beast::http::header<true, Fields>& h, bool chunked) {
    namespace http = boost::beast::http;
    const bool has_te = h.count(http::field::transfer_encoding) > 0;
    if (has_te && h.count(http::field::content_length))
        return head_refusal{http::status::bad_request, "both Content-Length and Transfer-Encoding"};
    if (has_te) {
        // Any coding but a final chunked leaves the body's length unknown (RFC 9112 §6.3).
        if (!chunked) return head_refusal{http::status::bad_request, "chunked is not the final transfer coding"};
        std::size_t codings = 0;
        for (auto [it, last] = h.equal_range(http::field::transfer_encoding); it != last; ++it)
            for ([[maybe_unused]] auto coding : http::token_list(it->value())) ++codings;
        if (codings != 1) return head_refusal{http::status::not_implemented, "unsupported transfer coding"};
    }
    // Host: exactly one in HTTP/1.1 (RFC 9112 §3.2), as host[:port] without userinfo.
    const auto hosts = h.count(http::field::host);
    if (hosts > 1) return head_refusal{http::status::bad_request, "more than one Host field"};
    if (hosts == 0 && h.version() >= 11) return head_refusal{http::status::bad_request, "no Host field"};
    if (hosts == 1) {
        const std::string_view host = h[http::field::host];
        // A client sends the same Host on every request: the thread remembers the last
        // value that passed, and parses only a different one.
        thread_local std::string last_good;
        if (host.empty() || host != last_good) {
            auto authority = boost::urls::parse_authority(host);
            if (host.empty() || !authority || authority->has_userinfo())
                return head_refusal{http::status::bad_request, "a Host field that is not host[:port]"};
            if (host.size() <= 256) last_good.assign(host);
        }
    }
    if (h.count(http::field::origin) > 1) return head_refusal{http::status::bad_request, "more than one Origin field"};
    return std::nullopt;
}

} // namespace warden::transport::detail
