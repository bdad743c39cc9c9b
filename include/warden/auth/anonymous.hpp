// warden/auth/anonymous.hpp: no authentication, said out loud.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/principal.hpp>

namespace warden::auth {

/// No authentication at all. Rule 7 allows it on a network only on loopback, or outside
/// profile::production.
struct anonymous {
    static constexpr bool requires_http = false;
    static constexpr bool requires_local_process = false;
    static constexpr bool sends_reusable_secret = false;
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = true;

    static principal local_principal() {
        principal p;
        p.subject = "anonymous";
        p.scheme = "anonymous";
        return p;
    }

    /// Every HTTP request is the anonymous caller.
    static gate_result authenticate(const http_request_view&) { return local_principal(); }
};

} // namespace warden::auth
