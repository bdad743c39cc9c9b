// warden/transport/http/mcp_fields.hpp: the header fields a request's handling reads several
// times, found in one pass over its head.
#pragma once

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/fields.hpp>

#include <string_view>

namespace warden::transport::detail {

/// The MCP fields of a request head and the two media-type fields, each as its first value
/// (what `fields::find` gives) and how many times it appears. Beast keeps fields in a tree
/// whose lookups compare names case-insensitively; a name of 20 letters costs about 800
/// instructions, and a stateless request asked for these up to a dozen times. The views point
/// into the head they were read from.
struct mcp_fields {
    struct field {
        std::string_view value;
        unsigned count = 0;
        bool present() const { return count > 0; }
    };
    field protocol_version; ///< MCP-Protocol-Version
    field method;           ///< Mcp-Method
    field name;             ///< Mcp-Name
    field session_id;       ///< Mcp-Session-Id
    field accept;           ///< Accept
    field content_type;     ///< Content-Type

    mcp_fields() = default;
    explicit mcp_fields(const boost::beast::http::fields& head) {
        namespace http = boost::beast::http;
        for (const auto& f : head) {
            field* slot = nullptr;
            switch (f.name()) {
            case http::field::accept: slot = &accept; break;
            case http::field::content_type: slot = &content_type; break;
            case http::field::unknown: slot = mcp_field(f.name_string()); break;
            default: break;
            }
            if (slot && slot->count++ == 0) slot->value = f.value();
        }
    }

private:
    field* mcp_field(std::string_view n) {
        if (n.size() < 8 || !boost::beast::iequals(n.substr(0, 4), "mcp-")) return nullptr;
        if (boost::beast::iequals(n, "mcp-protocol-version")) return &protocol_version;
        if (boost::beast::iequals(n, "mcp-method")) return &method;
        if (boost::beast::iequals(n, "mcp-name")) return &name;
        if (boost::beast::iequals(n, "mcp-session-id")) return &session_id;
        return nullptr;
    }
};

} // namespace warden::transport::detail
