// Exemplar user policies: declared here, outside warden, and checked by warden's rules
// exactly like its own. They stand in for the HTTP transports, schemes and stores that
// later issues add (which then join these tests with their real types).
#pragma once

#include <warden/definition.hpp>

namespace example {

template <warden::channel_security C, bool Headers = true, bool ClientCerts = false>
struct transport {
    static constexpr warden::channel_security channel = C;
    static constexpr bool carries_http_headers = Headers;
    static constexpr bool verifies_client_certificates = ClientCerts;
};
using plaintext_http = transport<warden::channel_security::plaintext>;
using loopback_http = transport<warden::channel_security::loopback_plaintext>;
using tls_http = transport<warden::channel_security::tls>;
using terminated_http = transport<warden::channel_security::tls_terminated>;
using mtls_http = transport<warden::channel_security::mutual_tls, true, true>;
using pipe = transport<warden::channel_security::local_process, false>;

struct env_source { static constexpr bool production_ready = true; };
struct source_code { static constexpr bool production_ready = false; };

template <bool Http, bool Local, bool Secret, bool Cert, bool Replay, bool Shared, bool Anonymous>
struct scheme {
    static constexpr bool requires_http = Http;
    static constexpr bool requires_local_process = Local;
    static constexpr bool sends_reusable_secret = Secret;
    static constexpr bool requires_client_certificate = Cert;
    static constexpr bool requires_replay_store = Replay;
    static constexpr bool keeps_shared_state = Shared;
    static constexpr bool is_anonymous = Anonymous;
};
using api_key = scheme<true, false, true, false, false, false, false>;
using process = scheme<false, true, false, false, false, false, false>;
using client_cert = scheme<true, false, false, true, false, false, false>;
using signed_requests = scheme<true, false, false, false, true, true, false>;
using nobody = scheme<false, false, false, false, false, false, true>;

template <bool Durable, bool Atomic, bool Shared>
struct store {
    static constexpr bool durable = Durable;
    static constexpr bool atomic_insert_with_expiry = Atomic;
    static constexpr bool shared_across_instances = Shared;
};
using ram = store<false, true, false>;
using plain_files = store<true, false, false>;
using shared_cache = store<true, true, true>;

} // namespace example
