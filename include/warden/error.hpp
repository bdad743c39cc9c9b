// warden/error.hpp: expected failures as values.
//
// Every operation that can fail for reasons outside the programmer's control returns
// `warden::result<T>`, a Boost.Outcome result whose error is a `warden::error`: a
// `std::error_code` in the warden category plus a human-readable detail. The detail is
// written for the operator or the client and never contains a secret.
#pragma once

#include <boost/outcome/std_result.hpp>

#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

namespace warden {

/// Error conditions reported by warden. The numbering is stable.
enum class errc {
    parse_error = 1,         ///< bytes that are not valid JSON
    invalid_request,         ///< JSON that is not a valid JSON-RPC message
    method_not_found,        ///< no such method, tool, prompt or resource
    invalid_params,          ///< parameters that do not fit the method
    internal_error,          ///< a bug or an unexpected failure inside the server
    not_initialized,         ///< a request before the initialize handshake
    already_initialized,     ///< a second initialize on one session
    duplicate_request_id,    ///< an id that is already in flight
    message_too_large,       ///< a message over the configured size cap
    batch_not_supported,     ///< a batch where the negotiated version forbids them
    insufficient_scope,      ///< the principal lacks a scope the operation needs
    missing_credentials,     ///< required credentials absent at start-up
    invalid_credentials,     ///< credentials present but unusable
    capability_missing,      ///< the client did not declare a capability the call needs
    client_error,            ///< the client answered a server request with an error
    timeout,                 ///< a bounded wait ran out
    cancelled,               ///< the operation was cancelled
    closed,                  ///< the peer or the session is gone
    resource_not_found,      ///< no resource with that URI
    storage_error,           ///< a storage backend failed
    invalid_argument,        ///< a caller-supplied value is out of its domain
    overloaded,              ///< a bound on concurrent work was reached
};

namespace detail {
class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "warden"; }
    std::string message(int code) const override {
        switch (static_cast<errc>(code)) {
        case errc::parse_error: return "parse error";
        case errc::invalid_request: return "invalid request";
        case errc::method_not_found: return "method not found";
        case errc::invalid_params: return "invalid params";
        case errc::internal_error: return "internal error";
        case errc::not_initialized: return "server not initialized";
        case errc::already_initialized: return "already initialized";
        case errc::duplicate_request_id: return "duplicate request id";
        case errc::message_too_large: return "message too large";
        case errc::batch_not_supported: return "batches not supported";
        case errc::insufficient_scope: return "insufficient scope";
        case errc::missing_credentials: return "missing credentials";
        case errc::invalid_credentials: return "invalid credentials";
        case errc::capability_missing: return "client capability missing";
        case errc::client_error: return "client returned an error";
        case errc::timeout: return "timed out";
        case errc::cancelled: return "cancelled";
        case errc::closed: return "closed";
        case errc::resource_not_found: return "resource not found";
        case errc::storage_error: return "storage error";
        case errc::invalid_argument: return "invalid argument";
        case errc::overloaded: return "overloaded";
        }
        return "unknown warden error";
    }
};
} // namespace detail

/// The category of every `errc`.
inline const std::error_category& warden_category() noexcept {
    static const detail::error_category_impl category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), warden_category()}; }

} // namespace warden

template <>
struct std::is_error_code_enum<warden::errc> : std::true_type {};

namespace warden {

/// An error code with a detail message for people. The detail never holds a secret.
struct error {
    std::error_code code;
    std::string detail;

    /// "detail" when there is one, else the code's message.
    std::string message() const { return detail.empty() ? code.message() : detail; }
    friend bool operator==(const error& e, errc c) noexcept { return e.code == make_error_code(c); }
};

/// Outcome's hooks: `error` behaves as an error code with a payload.
inline std::error_code make_error_code(const error& e) noexcept { return e.code; }
[[noreturn]] inline void outcome_throw_as_system_error_with_payload(const error& e) {
    throw std::system_error(e.code, e.detail);
}

/// The result of an operation that can fail: a `T` or a `warden::error`.
template <class T>
using result = boost::outcome_v2::std_result<T, error>;

/// Makes the failure `{c, detail}` for a `result`.
inline auto failure(errc c, std::string detail = {}) {
    return boost::outcome_v2::failure(error{make_error_code(c), std::move(detail)});
}

using boost::outcome_v2::success;

} // namespace warden
