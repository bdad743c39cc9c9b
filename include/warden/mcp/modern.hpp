// warden/mcp/modern.hpp: the stateless era of MCP (revision 2026-07-28), the parts that a
// session and a transport share.
//
// A request of this era carries its protocol version and the client's capabilities in
// `params._meta` and stands alone: nothing is negotiated or remembered between requests.
// This header parses that envelope, names the era's error codes, knows which methods the
// era has, and decodes the values of the HTTP headers that mirror the body (`Mcp-Name`,
// `Mcp-Param-*`, with their `=?base64?...?=` form). Checks return a `rejection`: the
// JSON-RPC code, a message, `data`, and the HTTP status the revision gives it.
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/log.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <cctype>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace warden::mcp::modern {

/// The revision this era serves.
inline constexpr std::string_view version = "2026-07-28";

/// Reserved `_meta` keys.
inline constexpr std::string_view meta_protocol_version = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view meta_client_capabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view meta_client_info = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view meta_log_level = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view meta_server_info = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view meta_subscription_id = "io.modelcontextprotocol/subscriptionId";

/// The era's JSON-RPC error codes.
enum code : int {
    header_mismatch = -32020,           ///< an HTTP header disagrees with the body, or is missing
    missing_client_capability = -32021, ///< the request needs a capability the client did not declare
    unsupported_protocol_version = -32022,
};

/// How a request is refused: a JSON-RPC error and the HTTP status that goes with it.
struct rejection {
    int code = 0;
    std::string message{};
    boost::json::value data{};
    unsigned http_status = 400;
};

/// What a modern request declares about its client.
struct envelope {
    std::string version{};
    boost::json::object capabilities{};
    std::optional<log_level> level{}; ///< log messages only when present, at or above it
};

inline const boost::json::object* meta_of(const boost::json::object& params) {
    const auto* m = params.if_contains("_meta");
    return m && m->is_object() ? &m->get_object() : nullptr;
}

/// True when the request claims the modern era: its `params._meta` names a protocol version.
inline bool claims_modern(const boost::json::object& message) {
    const auto* p = message.if_contains("params");
    if (!p || !p->is_object()) return false;
    const auto* m = meta_of(p->get_object());
    return m && m->contains(meta_protocol_version);
}

/// The versions a server lists: the modern one, then (for a dual-era server) the session
/// era's, newest first.
template <std::size_t N>
const std::vector<std::string>& supported_list(bool session_era_too, const std::array<std::string_view, N>& legacy) {
    static const std::vector<std::string> modern_only{std::string(version)};
    static const std::vector<std::string> both = [&] {
        std::vector<std::string> out{std::string(version)};
        for (auto v : legacy) out.emplace_back(v);
        return out;
    }();
    return session_era_too ? both : modern_only;
}

/// Reads the envelope of `params`: -32602 when `_meta`, its version or its capabilities are
/// missing or malformed, or the log level is not a level; -32022 when the version is not
/// served (`supported` goes into the error's data).
inline std::variant<envelope, rejection> read_envelope(const boost::json::object& params,
                                                       const std::vector<std::string>& supported) {
    const auto* meta = meta_of(params);
    if (!meta) return rejection{-32602, "the request needs params._meta with \"" + std::string(meta_protocol_version) +
                                            "\" and \"" + std::string(meta_client_capabilities) + "\""};
    const auto* v = meta->if_contains(meta_protocol_version);
    if (!v || !v->is_string())
        return rejection{-32602, "params._meta needs a string \"" + std::string(meta_protocol_version) + "\""};
    const auto* caps = meta->if_contains(meta_client_capabilities);
    if (!caps || !caps->is_object())
        return rejection{-32602, "params._meta needs an object \"" + std::string(meta_client_capabilities) + "\""};
    envelope e;
    if (const auto* l = meta->if_contains(meta_log_level)) {
        std::optional<log_level> parsed{};
        if (l->is_string()) parsed = parse_log_level(l->get_string());
        if (!parsed)
            return rejection{-32602, "\"" + std::string(meta_log_level) + "\" must be one of debug, info, notice, "
                                                                          "warning, error, critical, alert, emergency"};
        e.level = parsed;
    }
    const std::string_view want = v->get_string();
    if (want != version) {
        boost::json::array list{};
        for (const auto& s : supported) list.emplace_back(s);
        return rejection{unsupported_protocol_version, "Unsupported protocol version",
                         boost::json::object{{"supported", std::move(list)}, {"requested", want}}};
    }
    e.version = std::string(want);
    e.capabilities = caps->get_object();
    return e;
}

/// The methods a client may call in this era.
inline bool is_request_method(std::string_view m) noexcept {
    constexpr std::array<std::string_view, 10> methods = {
        "server/discover", "tools/list",     "tools/call",          "resources/list", "resources/templates/list",
        "resources/read",  "prompts/list",   "prompts/get",         "completion/complete", "subscriptions/listen"};
    for (auto x : methods)
        if (x == m) return true;
    return false;
}

/// Methods whose result may be input-required (MRTR).
inline bool may_require_input(std::string_view m) noexcept {
    return m == "tools/call" || m == "prompts/get" || m == "resources/read";
}

/// The member of `params` that `Mcp-Name` mirrors for `method`, or empty.
inline std::string_view name_member(std::string_view method) noexcept {
    if (method == "tools/call" || method == "prompts/get") return "name";
    if (method == "resources/read") return "uri";
    if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") return "taskId"; // the tasks extension
    return {};
}

/// Why `answer` cannot be the client's result of `client_method` (an inputResponses entry),
/// or nothing.
inline std::optional<std::string> malformed_answer(std::string_view client_method, const boost::json::value& answer) {
    if (!answer.is_object()) return "must be an object";
    const auto& a = answer.get_object();
    if (client_method == "elicitation/create") {
        const auto* action = a.if_contains("action");
        if (!action || !action->is_string() ||
            (action->get_string() != "accept" && action->get_string() != "decline" && action->get_string() != "cancel"))
            return "\"action\" must be accept, decline or cancel";
        if (const auto* c = a.if_contains("content"); c && !c->is_object()) return "\"content\" must be an object";
    } else if (client_method == "sampling/createMessage") {
        const auto* content = a.if_contains("content");
        if (!content || (!content->is_object() && !content->is_array())) return "\"content\" is missing";
    } else if (client_method == "roots/list") {
        const auto* roots = a.if_contains("roots");
        if (!roots || !roots->is_array()) return "\"roots\" must be an array";
    }
    return std::nullopt;
}

/// The capability a request to the client needs ("elicitation", "sampling", "roots").
inline std::string_view capability_for(std::string_view client_method) noexcept {
    if (client_method == "elicitation/create") return "elicitation";
    if (client_method == "sampling/createMessage") return "sampling";
    if (client_method == "roots/list") return "roots";
    return {};
}

/// A header value without the optional whitespace around it (RFC 9110 OWS: SP, HTAB).
inline std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The value a mirrored header carries: `=?base64?B?=` is decoded (strict standard base64
/// with padding; an error when malformed), anything else is taken literally. Values with
/// characters outside visible ASCII and space are refused (they must be sent encoded).
inline std::optional<std::string> decode_header_value(std::string_view raw) {
    const std::string_view v = trim_ows(raw);
    constexpr std::string_view prefix = "=?base64?";
    constexpr std::string_view suffix = "?=";
    if (v.size() >= prefix.size() + suffix.size() && v.substr(0, prefix.size()) == prefix &&
        v.substr(v.size() - suffix.size()) == suffix) {
        const auto b64 = v.substr(prefix.size(), v.size() - prefix.size() - suffix.size());
        if (b64.size() % 4 != 0) return std::nullopt;
        auto decoded = crypto::base64_decode(b64);
        if (!decoded) return std::nullopt;
        return std::string(decoded.value().begin(), decoded.value().end());
    }
    for (unsigned char c : v)
        if (c < 0x20 || c > 0x7e) return std::nullopt;
    return std::string(v);
}

/// A tool parameter mirrored into `Mcp-Param-{header}` (`x-mcp-header` in its schema).
struct mirrored_param {
    std::vector<std::string> path{}; ///< property names from the schema's root
    std::string header{};            ///< the {Name} of Mcp-Param-{Name}
};

namespace detail {
inline bool is_tchar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
inline void collect_mirrored(const boost::json::object& schema, std::vector<std::string>& path,
                             std::vector<mirrored_param>& out) {
    const auto* props = schema.if_contains("properties");
    if (!props || !props->is_object()) return;
    for (const auto& kv : props->get_object()) {
        if (!kv.value().is_object()) continue;
        const auto& p = kv.value().get_object();
        path.emplace_back(kv.key());
        if (const auto* h = p.if_contains("x-mcp-header"); h && h->is_string())
            out.push_back({path, std::string(h->get_string())});
        collect_mirrored(p, path, out);
        path.pop_back();
    }
}
} // namespace detail

/// The parameters of a tool's input schema that are mirrored into headers. Throws
/// std::invalid_argument for an `x-mcp-header` the revision does not allow (empty, not a
/// token, repeated, or on a property that is not a string, integer or boolean).
inline std::vector<mirrored_param> mirrored_params(const boost::json::object& input_schema) {
    std::vector<mirrored_param> out;
    std::vector<std::string> path;
    detail::collect_mirrored(input_schema, path, out);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& h = out[i].header;
        bool token = !h.empty();
        for (char c : h) token = token && detail::is_tchar(c);
        if (!token)
            throw std::invalid_argument("warden: x-mcp-header \"" + h + "\" must be a non-empty HTTP token");
        for (std::size_t j = 0; j < i; ++j) {
            std::string a = out[j].header, b = h;
            for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (a == b) throw std::invalid_argument("warden: x-mcp-header \"" + h + "\" appears twice");
        }
        // The property's type: walk the schema again.
        const boost::json::object* node = &input_schema;
        for (const auto& step : out[i].path) node = &node->at("properties").at(step).get_object();
        const auto* type = node->if_contains("type");
        if (!type || !type->is_string() ||
            (type->get_string() != "string" && type->get_string() != "integer" && type->get_string() != "boolean"))
            throw std::invalid_argument("warden: x-mcp-header \"" + h +
                                        "\" must be on a property of type string, integer or boolean");
    }
    return out;
}

/// The text a body value has in its header: strings as they are, integers in decimal,
/// booleans as true/false; nothing for absent or null values (no header is expected).
inline std::optional<std::string> header_text(const boost::json::object& arguments, const mirrored_param& m) {
    const boost::json::value* v = nullptr;
    const boost::json::object* at = &arguments;
    for (std::size_t i = 0; i < m.path.size(); ++i) {
        v = at->if_contains(m.path[i]);
        if (!v) return std::nullopt;
        if (i + 1 < m.path.size()) {
            if (!v->is_object()) return std::nullopt;
            at = &v->get_object();
        }
    }
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_bool()) return std::string(v->get_bool() ? "true" : "false");
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    if (v->is_double()) { // 42.0 is the integer 42; anything else has no header form
        const double d = v->get_double();
        constexpr double limit = 9007199254740991.0; // 2^53 - 1, what the revision allows
        if (std::isfinite(d) && d >= -limit && d <= limit && d == std::trunc(d))
            return std::to_string(static_cast<std::int64_t>(d));
    }
    return std::string("\x01"); // a value no header can equal (the body will fail its schema anyway)
}

} // namespace warden::mcp::modern
