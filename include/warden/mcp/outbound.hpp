// warden/mcp/outbound.hpp: where a session's messages go; each transport implements it.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace warden::mcp {

/// Where a session's messages go. Implemented by each transport; called from any thread.
class outbound {
public:
    virtual ~outbound() = default;
    /// Sends one serialized message. `related` is the id of the client request it belongs
    /// to (its response, or a notification or request sent while serving it), else null;
    /// `final` is true for that request's response.
    virtual void send(std::string message, const boost::json::value* related, bool final) = 0;
    /// The request `related` ends without a response (the client cancelled it).
    virtual void abandoned(const boost::json::value& related) { (void)related; }
    /// The response to `id` that is a JSON-RPC error with `code` (a transport of the
    /// stateless era maps some codes to HTTP statuses). By default, `send`.
    virtual void send_error_response(std::string message, const boost::json::value& id, int code) {
        (void)code;
        send(std::move(message), &id, true);
    }
};

} // namespace warden::mcp
