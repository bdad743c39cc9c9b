// warden/transport/http/stateless_checks.hpp: the checks a POST of the 2026-07-28 era passes
// before a session sees it (its envelope, and the headers that mirror its body).
#pragma once

#include <warden/mcp/dispatcher.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/modern.hpp>
#include <warden/transport/http/mcp_fields.hpp>

#include <boost/beast/http/fields.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::transport::detail {

/// Checks a stateless-era request whose body calls `method` with `params`, sent with the
/// header fields `headers` (`fields`: its MCP fields, read once), on a server serving the protocol versions `supported` and
/// offering what `server` says. In the revision's order, the first failure wins:
///
/// 1. the envelope in params._meta is malformed: -32602;
/// 2. MCP-Protocol-Version, Mcp-Method or Mcp-Name appears twice (an intermediary might read
///    the other copy), MCP-Protocol-Version is missing or differs from params._meta's: -32020;
/// 3. the declared version is not served: -32022 (the supported versions in its data);
/// 4. Mcp-Method is missing or differs from the body's method: -32020;
/// 5. the server does not offer the method: -32601, HTTP 404;
/// 6. Mcp-Name is missing or differs from the member the method names (params.name or
///    params.uri): -32020;
/// 7. for tools/call, an Mcp-Param-* header the tool mirrors is missing, differs from the
///    argument, appears twice, or comes for an argument absent or null in the body: -32020.
///
/// Every refusal is HTTP 400 unless it says otherwise. Nothing when the request may go on.
inline std::optional<mcp::modern::rejection> check_stateless_request(const boost::beast::http::fields& headers,
                                                                      const mcp_fields& fields,
                                                                      std::string_view method,
                                                                      const boost::json::object& params,
                                                                      const std::vector<std::string>& supported,
                                                                      const mcp::dispatcher& server) {
    namespace modern = mcp::modern;
    auto mismatch = [](std::string text) {
        return mcp::modern::rejection{modern::header_mismatch, std::move(text), nullptr, 400};
    };
    const auto env = modern::read_envelope(params, supported);
    const auto* rej = std::get_if<modern::rejection>(&env);
    if (rej && rej->code == mcp::jsonrpc::invalid_params) return modern::rejection{rej->code, rej->message, nullptr, 400};
    const std::string body_version(modern::meta_of(params)->at(modern::meta_protocol_version).get_string());
    for (const auto& [f, name] : {std::pair{&fields.protocol_version, "mcp-protocol-version"},
                                  std::pair{&fields.method, "mcp-method"}, std::pair{&fields.name, "mcp-name"}})
        if (f->count > 1) return mismatch(std::string("the ") + name + " header appears more than once");
    if (!fields.protocol_version.present()) return mismatch("the MCP-Protocol-Version header is required");
    if (modern::trim_ows(fields.protocol_version.value) != body_version)
        return mismatch("Header mismatch: MCP-Protocol-Version does not match params._meta");
    if (rej) return modern::rejection{rej->code, rej->message, rej->data, 400};
    if (!fields.method.present()) return mismatch("the Mcp-Method header is required");
    if (modern::trim_ows(fields.method.value) != method)
        return mismatch("Header mismatch: Mcp-Method does not match the body's method");
    if (!server.offers(method))
        return modern::rejection{mcp::jsonrpc::method_not_found, "method not found: " + std::string(method), nullptr,
                                 404};
    if (const auto member = modern::name_member(method); !member.empty()) {
        if (!fields.name.present()) return mismatch("the Mcp-Name header is required for " + std::string(method));
        const auto named = modern::decode_header_value(fields.name.value);
        const auto* b = params.if_contains(member);
        if (!named || !b || !b->is_string() || b->get_string() != *named)
            return mismatch("Header mismatch: Mcp-Name does not match params." + std::string(member));
    }
    if (method != "tools/call") return std::nullopt;
    const auto* name = params.if_contains("name");
    if (!name || !name->is_string()) return std::nullopt;
    static const boost::json::object no_arguments;
    const auto* a = params.if_contains("arguments");
    const auto& args = a && a->is_object() ? a->get_object() : no_arguments;
    for (const auto& m : server.mirrored_params(name->get_string())) {
        const auto want = modern::header_text(args, m);
        const std::string field = "mcp-param-" + m.header;
        const auto copies = headers.count(field);
        // Absent or null in the body: no header is expected, and one that came anyway would
        // tell an intermediary something the tool never sees.
        const bool matches = !want ? copies == 0 : copies == 1 && [&] {
            const auto got = modern::decode_header_value(headers.find(field)->value());
            return got && *got == *want;
        }();
        if (!matches)
            return mismatch("Header mismatch: Mcp-Param-" + m.header +
                            (!want ? " has no value in the body" : copies == 0 ? " is missing" : " does not match the body"));
    }
    return std::nullopt;
}

} // namespace warden::transport::detail
