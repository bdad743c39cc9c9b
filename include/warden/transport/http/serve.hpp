// warden/transport/http/serve.hpp: serving a definition over HTTP: the scheme configured
// and wrapped (`serve_http<Auth, Channel>`, the only code that names the scheme), then the
// listener, the metrics listener, idle-session expiry, credential reloads (SIGHUP and
// periodic) and graceful shutdown (`run_http<Channel>`, in impl/run.hpp).
#pragma once

#include <warden/config.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/transport/http/gate.hpp>
#include <warden/transport/http/policy.hpp>
#include <warden/transport/http/state.hpp>

#include <memory>

namespace warden::transport::detail {

/// Checks the settings against `Channel` and sets up what it needs (the TLS context, the
/// client CAs, the trusted proxies); in warden/transport/http/listen.hpp.
template <class Channel>
result<void> prepare_channel(http_state& state, const net::ip::address& address);

/// Listens, serves and stops, with the scheme already in `state.auth`; in
/// warden/transport/http/impl/run.hpp.
template <class Channel>
int run_http(http_state& state, const net::ip::address& listen_address);

template <class Auth, class Channel>
int serve_http(warden::detail::server_core& core, websocket_handler websocket) {
    const http_settings& cfg = core.config().http;
    http_state state(core, cfg);
    state.websocket = websocket;
    auto address = resolve_listen_address(cfg.address);
    if (!address) {
        core.log().error(address.error().message());
        return exit_config_error;
    }
    if (auto r = prepare_channel<Channel>(state, address.value()); !r) {
        core.log().error(r.error().message());
        return exit_config_error;
    }
    auto scheme = auth::configure_scheme<Auth>(core.credentials(), core.config().auth, core.replay());
    if (!scheme) {
        core.log().error(scheme.error().message());
        return exit_config_error;
    }
    if constexpr (auth::detail::wants_tool_scopes<Auth>) scheme.value().set_default_scope(core.dispatcher().tool_scopes());
    if constexpr (auth::detail::runs_in_background<Auth>) scheme.value().start_background(core.log());
    if constexpr (requires(const Auth& a) { a.audience_binding(); }) {
        if (!scheme.value().audience_binding())
            core.log().warn("AUDIENCE BINDING IS OFF (accept_any_audience_allowing_token_replay): tokens issued for "
                            "other services are accepted here; a stolen token works against this server");
    }
    state.auth.store(std::make_shared<const scheme_gate<Auth>>(std::move(scheme).value()));
    // A rotation (changed credentials) rebuilds the scheme; a broken one keeps the old.
    core.on_credentials_changed([&state, &core](const credential_set& creds) -> result<void> {
        auto next = auth::configure_scheme<Auth>(creds, core.config().auth, core.replay());
        if (!next) return next.error();
        if constexpr (auth::detail::wants_tool_scopes<Auth>) next.value().set_default_scope(core.dispatcher().tool_scopes());
        if constexpr (auth::detail::runs_in_background<Auth>) next.value().start_background(core.log());
        state.auth.store(std::make_shared<const scheme_gate<Auth>>(std::move(next).value()), std::memory_order_release);
        return success();
    });
    return run_http<Channel>(state, address.value());
}

/// What `streamable_http<Channel>::serve<Auth>` runs (warden/transport/http/policy.hpp), with
/// the WebSocket endpoint for `with_websocket<...>`.
template <class Auth, class Channel>
struct http_server {
    static int run(warden::detail::server_core& core, websocket_handler websocket = nullptr) {
        return serve_http<Auth, Channel>(core, websocket);
    }
};

// A channel's set-up, listener, accept loop and connections depend on the channel alone:
// in separate compilation <warden/src.hpp> instantiates them once for every channel, and
// the units that serve a definition use those (warden/config.hpp).
#define WARDEN_DETAIL_CHANNEL_INSTANCES(Channel, ...)                                                  \
    __VA_ARGS__ template result<void> prepare_channel<Channel>(http_state&, const net::ip::address&); \
    __VA_ARGS__ template int run_http<Channel>(http_state&, const net::ip::address&);
#if !WARDEN_HEADER_ONLY
#define WARDEN_DETAIL_EXTERN_CHANNEL(Channel) WARDEN_DETAIL_CHANNEL_INSTANCES(Channel, extern)
WARDEN_FOR_EACH_CHANNEL(WARDEN_DETAIL_EXTERN_CHANNEL)
#undef WARDEN_DETAIL_EXTERN_CHANNEL
#endif

} // namespace warden::transport::detail

// The channel templates' definitions, and with them the connection, the listener and the
// accept loop: in every unit that serves HTTP (header-only), or once, in <warden/src.hpp>,
// which instantiates them for every channel; a unit of a program compiled that way parses
// none of them.
#if WARDEN_HEADER_ONLY
#include <warden/transport/http/impl/run.hpp>
#endif
