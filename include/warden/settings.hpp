// warden/settings.hpp: the run-time settings every server takes (`server(info, settings)`),
// and the exit status of a server whose configuration is unusable.
#pragma once

#include <warden/audit.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/log.hpp>
#include <warden/mcp/session_options.hpp>
#include <warden/storage/settings.hpp>
#include <warden/transport/http_settings.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace warden {

/// The exit status of a server whose configuration (credentials, settings) is unusable.
inline constexpr int exit_config_error = 78; // EX_CONFIG

/// Run-time settings common to every server.
struct settings {
    log_level log_threshold = log_level::info;      ///< the server's own diagnostics (stderr)
    std::vector<variable> credentials{};              ///< what the credential source must provide
    std::map<std::string, std::string, std::less<>> literal_credentials{}; ///< credentials::literal only
    mcp::session_options session{};                   ///< per-session limits
    std::size_t worker_threads = 8;                 ///< threads that run handlers
    std::chrono::milliseconds shutdown_grace{5'000}; ///< how long in-flight work may finish on shutdown
    http_settings http{};                           ///< for the HTTP transports
    auth_settings auth{};                           ///< for the static-credential auth schemes
    storage_settings storage{};                     ///< for the storage policy (directory, keys, Redis)
    std::string credentials_directory{};            ///< credentials::file: where NAME files live
    std::map<std::string, command_spec, std::less<>> credential_commands{}; ///< credentials::command: helpers by variable
    /// How often an HTTP server reloads its credentials to pick up a rotation (a changed
    /// credential file); SIGHUP reloads at once. Zero: only on SIGHUP.
    std::chrono::milliseconds credential_reload_interval{2'000};
    /// The credential holding the key that seals `requestState` in the stateless era (MCP
    /// 2026-07-28): base64 of 32 random bytes. Optional (a random key of the process is used);
    /// instances behind a balancer need the same key (a warning says so when it is missing).
    std::string request_state_key_variable = "WARDEN_REQUEST_STATE_KEY";
    /// The audit log (warden/audit.hpp): one JSON line per authentication and authorization
    /// decision; on by default in profile::production.
    audit_settings audit{};
};

} // namespace warden
