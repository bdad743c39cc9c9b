// warden/mcp/dispatcher.hpp: what a transport may ask of the server's MCP side before a
// session answers a request, without reaching the tool registry.
//
// A transport refuses some requests early: a method the server does not serve (the stateless
// era answers 404), a tool the caller may not call (403 with a step-up challenge), headers
// that do not mirror the tool's arguments (400), and it advertises the scopes tools need
// (resource metadata, 401 challenges). `mcp::registry` implements this interface; transports
// hold the interface only (the include-boundary test checks that no transport header reaches
// warden/mcp/registry.hpp).
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/mcp/modern.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::mcp {

/// Why a caller may not call a tool, and the scopes the tool needs (for the challenge).
struct tool_denial {
    std::string why{};                ///< for the log and the 403's error_description
    std::vector<std::string> scopes{}; ///< every scope the tool requires
};

class dispatcher {
public:
    virtual ~dispatcher() = default;

    /// Whether `method` is a request method this server answers: tools/*, resources/*,
    /// prompts/* and completion/complete only when something of the kind is registered.
    virtual bool offers(std::string_view method) const = 0;

    /// Why `caller` may not call tool `name` (its scheme, or a scope it lacks); nothing when
    /// it may, or when there is no such tool (the session answers that one).
    virtual std::optional<tool_denial> deny_tool(std::string_view name, const principal& caller) const = 0;

    /// The arguments tool `name` mirrors into Mcp-Param-* headers; none for an unknown tool.
    virtual std::vector<modern::mirrored_param> mirrored_params(std::string_view name) const = 0;

    /// Every scope some tool requires, sorted, without offline_access (a 401's challenge).
    virtual std::vector<std::string> tool_scopes() const = 0;

    /// The scopes the resource metadata advertises: those tools require and every broader
    /// scope declared to imply one of them.
    virtual std::vector<std::string> advertised_scopes() const = 0;

protected:
    dispatcher() = default;
    dispatcher(const dispatcher&) = default;
    dispatcher& operator=(const dispatcher&) = default;
};

} // namespace warden::mcp
