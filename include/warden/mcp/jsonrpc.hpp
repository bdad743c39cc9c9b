// warden/mcp/jsonrpc.hpp: JSON-RPC 2.0 messages as MCP uses them.
//
// Classifies parsed JSON into requests, notifications and responses, validates ids (MCP:
// a string or an integer, never null or fractional), and builds responses that echo the
// id exactly as received.
#pragma once

#include <warden/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace warden::mcp::jsonrpc {

/// JSON-RPC 2.0 error codes.
enum code : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,
    resource_not_found = -32002, ///< MCP: resources/read of an unknown URI
};

/// The JSON-RPC code for a warden error.
inline int code_for(const error& e) noexcept {
    if (e.code.category() != warden_category()) return internal_error;
    switch (static_cast<errc>(e.code.value())) {
    case errc::parse_error: return parse_error;
    case errc::method_not_found: return method_not_found;
    case errc::invalid_params: return invalid_params;
    case errc::resource_not_found: return resource_not_found;
    case errc::invalid_request:
    case errc::not_initialized:
    case errc::already_initialized:
    case errc::duplicate_request_id:
    case errc::message_too_large:
    case errc::batch_not_supported:
    case errc::insufficient_scope: return invalid_request;
    default: return internal_error;
    }
}

/// True for an id MCP allows: a string, or an integer that JSON represents exactly.
inline bool valid_id(const boost::json::value& id) noexcept { return id.is_string() || id.is_int64() || id.is_uint64(); }

enum class kind { request, notification, response, invalid };

/// What a parsed message is. `why` says what is wrong with an invalid one.
struct classified {
    kind what = kind::invalid;
    std::string_view why;
};

inline classified classify(const boost::json::value& v) noexcept {
    const auto* obj = v.if_object();
    if (!obj) return {kind::invalid, "a JSON-RPC message must be an object"};
    const auto* version = obj->if_contains("jsonrpc");
    if (!version || !version->is_string() || version->get_string() != "2.0")
        return {kind::invalid, "\"jsonrpc\" must be \"2.0\""};
    const auto* method = obj->if_contains("method");
    const auto* id = obj->if_contains("id");
    if (method) {
        if (!method->is_string()) return {kind::invalid, "\"method\" must be a string"};
        if (const auto* params = obj->if_contains("params"); params && !params->is_object())
            return {kind::invalid, "\"params\" must be an object"};
        if (!id) return {kind::notification, {}};
        if (!valid_id(*id)) return {kind::invalid, "\"id\" must be a string or an integer"};
        return {kind::request, {}};
    }
    if (id && (obj->contains("result") || obj->contains("error"))) {
        if (obj->contains("result") && obj->contains("error"))
            return {kind::invalid, "a response carries \"result\" or \"error\", not both"};
        return {kind::response, {}};
    }
    return {kind::invalid, "not a request, notification or response"};
}

/// `{"jsonrpc":"2.0","id":id,"result":result}`.
inline boost::json::object make_result(const boost::json::value& id, boost::json::value result) {
    boost::json::object o;
    o.reserve(3);
    o.emplace("jsonrpc", "2.0");
    o.emplace("id", id);
    o.emplace("result", std::move(result));
    return o;
}

/// `{"jsonrpc":"2.0","id":id,"error":{"code":..,"message":..[,"data":..]}}`.
inline boost::json::object make_error(const boost::json::value& id, int code, std::string_view message,
                                      boost::json::value data = nullptr) {
    boost::json::object err;
    err.emplace("code", code);
    err.emplace("message", message);
    if (!data.is_null()) err.emplace("data", std::move(data));
    boost::json::object o;
    o.reserve(3);
    o.emplace("jsonrpc", "2.0");
    o.emplace("id", id);
    o.emplace("error", std::move(err));
    return o;
}

inline boost::json::object make_error(const boost::json::value& id, const error& e) {
    return make_error(id, code_for(e), e.message());
}

/// `{"jsonrpc":"2.0","method":method,"params":params}`.
inline boost::json::object make_notification(std::string_view method, boost::json::object params) {
    boost::json::object o;
    o.reserve(3);
    o.emplace("jsonrpc", "2.0");
    o.emplace("method", method);
    o.emplace("params", std::move(params));
    return o;
}

/// `{"jsonrpc":"2.0","id":id,"method":method,"params":params}`.
inline boost::json::object make_request(const boost::json::value& id, std::string_view method,
                                        boost::json::object params) {
    boost::json::object o = make_notification(method, std::move(params));
    o.emplace("id", id);
    return o;
}

/// A key that identifies an id exactly: the string 7 and the number 7 differ.
inline std::string id_key(const boost::json::value& id) { return boost::json::serialize(id); }

} // namespace warden::mcp::jsonrpc
