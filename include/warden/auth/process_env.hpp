// warden/auth/process_env.hpp: stdio's authentication: the process boundary.
//
// The MCP authorization spec leaves stdio servers out of OAuth: the client launches the
// server as a child process, and whoever can do that already holds the user's rights.
// The caller is the local user; the server's own credentials come from its environment
// (credentials::env). Rule 2 refuses this scheme on a network transport.
#pragma once

#include <warden/auth/principal.hpp>

#include <pwd.h>
#include <unistd.h>

#include <string>

namespace warden::auth {

struct process_env {
    static constexpr bool requires_http = false;
    static constexpr bool requires_local_process = true;
    static constexpr bool sends_reusable_secret = false;
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = false;

    /// The local user who started the process; holds every scope.
    static principal local_principal() {
        principal p;
        const uid_t uid = ::geteuid();
        p.subject = "local-user:" + std::to_string(uid);
        struct passwd pwd {};
        struct passwd* found = nullptr;
        char buf[1024];
        if (::getpwuid_r(uid, &pwd, buf, sizeof buf, &found) == 0 && found) p.claims["user"] = found->pw_name;
        p.scheme = "process_env";
        p.unrestricted = true;
        return p;
    }
};

} // namespace warden::auth
