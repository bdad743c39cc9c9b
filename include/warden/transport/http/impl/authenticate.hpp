// warden/transport/http/impl/authenticate.hpp: `connection`: routing a request, the Host and
// Origin checks, the auth gate (brute-force buckets first) and its audit line, and X-Forwarded-*
// from a trusted proxy.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/object.hpp>

namespace warden::transport::detail {

// A request is handled in two parts: what never waits (`handle_now`, a plain function) and,
// when that part stops short, the rest (`handle`, a coroutine that carries on from `resume_`).
// Most requests are answered by the first part alone, so they cost no coroutine frame of
// their own (Asio allocates each awaited coroutine's frame, and never recycles one over 1 KB).

WARDEN_DECL std::optional<after> connection::route() {
    const unsigned v = request_.version();
    const std::string_view p = path();
    {
        const auto scheme = state_.auth.load(std::memory_order_acquire);
        if (scheme->is_metadata_path(p)) {
            if (request_.method() != http::verb::get && request_.method() != http::verb::head)
                return send(not_allowed("GET", "method not allowed"));
            if (!host_allowed())
                return send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request, "forbidden Host"));
            // Public by design (RFC 9728), readable by browser-based clients too.
            auto res = make(http::status::ok, v,
                            boost::json::serialize(scheme->resource_metadata(state_.core.dispatcher().advertised_scopes())),
                            "application/json");
            res.set(http::field::access_control_allow_origin, "*");
            res.set(http::field::cache_control, "max-age=3600");
            return send(std::move(res));
        }
    }
    if (p == "/healthz") {
        if (request_.method() != http::verb::get && request_.method() != http::verb::head)
            return send(make(http::status::method_not_allowed, v, "", ""));
        return send(make(http::status::ok, v, R"({"status":"ok"})", "application/json"));
    }
    legacy_ = state_.config.legacy_sse && !state_.config.stateless &&
              (p == state_.config.sse_path || p == state_.config.messages_path);
    ws_ = state_.websocket && p == state_.config.websocket_path;
    if (p != state_.config.path && !legacy_ && !ws_)
        return send(rpc_error(http::status::not_found, v, mcp::jsonrpc::invalid_request, "not found"));
    if (!origin_allowed())
        return send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request, "forbidden Origin"));
    if (!host_allowed())
        return send(rpc_error(http::status::forbidden, v, mcp::jsonrpc::invalid_request, "forbidden Host"));
    if (state_.core.log().enabled(log_level::debug))
        state_.core.log().debug("request " + std::string(request_.method_string()) + " " +
                                std::string(request_.target().substr(0, request_.target().find('?'))) + " from " +
                                remote_ + ": " + describe_headers(request_.base()));
    return std::nullopt;
}

WARDEN_DECL http_request_view connection::request_view() {
    http_request_view view{request_.method_string(), request_.target(), &request_.base(), remote_,
                           state_.tls.has_value(), request_.body()};
    if (peer_certificate_) view.client_cert = &*peer_certificate_;
    if (state_.trust_forwarded_headers) forwarded(view);
    return view;
}

WARDEN_DECL std::optional<after> connection::admit(std::shared_ptr<const http_gate> scheme, gate_decision& d,
                                                   const http_request_view& view,
                                                   const auth::presented_credential& offered) {
    const unsigned v = request_.version();
    if (d.gate && !d.store_error.empty() && state_.store_errors.due())
        state_.core.log().error("could not count a failed authentication from " + view.remote_address + ": " +
                                d.store_error);
    if (auto refusal = refusal_of(d)) {
        const std::string what = "refused " + std::string(request_.method_string()) + " " + std::string(path()) +
                                 " from " + view.remote_address + ": ";
        if (d.limit.limited()) {
            metrics::global().rate_limited.with({d.limit.by}).inc();
            state_.core.log().info(what + "429 too many failed authentications (" + std::string(d.limit.by) + ")");
        } else if (!d.gate) {
            if (state_.store_errors.due()) // one line per 10 s: an outage is no log flood
                state_.core.log().error(what + "503 the brute-force buckets are unavailable: " + d.store_error);
        } else {
            // The log says why; the response only gives the RFC 6750 code.
            const auto& c = std::get<challenge>(*d.gate);
            state_.core.log().info(what + std::to_string(c.status) +
                                   (c.error.empty() ? std::string(" no credentials") : " " + c.error) +
                                   (!c.detail.empty()        ? " (" + c.detail + ")"
                                    : c.description.empty() ? std::string()
                                                            : " (" + c.description + ")"));
        }
        audit_authentication(view, offered, "deny", refusal->reason, refusal->status, nullptr);
        auto res = make(static_cast<http::status>(refusal->status), v, boost::json::serialize(refusal->body),
                        "application/json");
        if (!refusal->www_authenticate.empty()) res.set(http::field::www_authenticate, refusal->www_authenticate);
        if (!refusal->dpop_nonce.empty()) res.set("DPoP-Nonce", refusal->dpop_nonce);
        if (refusal->retry_after) res.set(http::field::retry_after, std::to_string(refusal->retry_after->count()));
        res.set("X-Request-Id", request_id_);
        return send(std::move(res));
    }
    gate_result& gate = *d.gate;
    // A plain POST carries at most one tools/call: with `one_line_per_allowed_call`, its
    // authentication line waits for that call's authorization, or for the end of the request
    // (finish_request settles it).
    const bool one_exchange = !legacy_ && !ws_ && request_.method() == http::verb::post;
    settle_audit_ = one_exchange;
    auto& who = std::get<principal>(gate);
    who.address = view.remote_address;
    who.request_id = request_id_;
    audit_authentication(view, offered, "allow", "ok", 0, &who, one_exchange);
    caller_ = std::move(who);
    checked_gate_ = std::move(scheme);
    checked_at_ = std::chrono::steady_clock::now();
    // What comes next and never waits: the first part of a plain POST.
    if (one_exchange) return post_now();
    resume_ = resume::dispatch;
    return std::nullopt;
}

WARDEN_DECL std::optional<after> connection::handle_now() {
    resume_ = resume::start;
    const auto scheme = state_.auth.load(std::memory_order_acquire);
    const auto limiter = state_.core.failure_limiter();
    if (limiter->may_block() || scheme->may_block()) return std::nullopt; // handle() asks off this thread
    if (auto done = route()) return done;
    auto view = request_view();
    request_id_ = state_.next_request_id();
    const auth::presented_credential offered = scheme->presented(view);
    if (!offered.digest.token.empty()) view.digest = &offered.digest;
    auto d = decide_gate(*scheme, *limiter, view, offered.bucket);
    return admit(scheme, d, view, offered);
}

WARDEN_DECL net::awaitable<after> connection::handle() {
    if (resume_ == resume::start) {
        if (auto done = route()) co_return *done;
        auto view = request_view();
        const auto scheme = state_.auth.load(std::memory_order_acquire);
        const auto limiter = state_.core.failure_limiter();
        request_id_ = state_.next_request_id();
        const auth::presented_credential offered = scheme->presented(view);
        if (!offered.digest.token.empty()) view.digest = &offered.digest;
        gate_decision d;
        if (limiter->may_block() || scheme->may_block()) {
            // The scheme or the limiter's store may wait on the network (keys, introspection,
            // Redis): on the worker pool, so that the I/O thread keeps serving meanwhile.
            co_await net::co_spawn(
                state_.core.workers(),
                [&]() -> net::awaitable<void> {
                    d = decide_gate(*scheme, *limiter, view, offered.bucket);
                    co_return;
                },
                net::use_awaitable);
        } else {
            d = decide_gate(*scheme, *limiter, view, offered.bucket);
        }
        if (auto done = admit(scheme, d, view, offered)) co_return *done;
    }
    // (Separate statements: g++ 12 destroys the awaitable of `co_await (c ? f() : g())` twice.)
    switch (resume_) {
    case resume::modern: co_return co_await post_modern(std::move(*message_));
    case resume::direct: co_return co_await send_direct(&*direct_, false);
    case resume::post_rest: co_return co_await post_rest();
    default: break;
    }
    const std::string_view p = path();
    if (legacy_ && p == state_.config.sse_path) co_return co_await legacy_open();
    if (legacy_) co_return co_await legacy_post();
    if (ws_) co_return co_await state_.websocket(*this);
    switch (request_.method()) {
    case http::verb::get: co_return co_await get();
    case http::verb::delete_: co_return co_await del();
    default:
        co_return send(not_allowed(state_.config.stateless ? "POST" : "GET, POST, DELETE", "method not allowed"));
    }
}

WARDEN_DECL net::awaitable<std::optional<std::string>> connection::recheck_caller() {
    if (caller_.expires && std::chrono::system_clock::now() >= *caller_.expires)
        co_return std::optional<std::string>("credentials expired");
    auto gate = state_.auth.load(std::memory_order_acquire);
    const auto now = std::chrono::steady_clock::now();
    if (!caller_.reverifiable || (gate == checked_gate_ && now - checked_at_ < state_.config.reauthenticate_interval))
        co_return std::nullopt;
    checked_gate_ = gate;
    checked_at_ = now;
    const auto view = request_view();
    std::optional<gate_result> verdict;
    if (gate->may_block()) {
        co_await net::co_spawn(
            state_.core.workers(),
            [&]() -> net::awaitable<void> {
                verdict = gate->authenticate(view);
                co_return;
            },
            net::use_awaitable);
    } else {
        verdict = gate->authenticate(view);
    }
    const auto* again = std::get_if<principal>(&*verdict);
    if (!again || again->subject != caller_.subject || again->scheme != caller_.scheme)
        co_return std::optional<std::string>("credentials no longer accepted");
    caller_.expires = again->expires; // an introspection answer may say later
    co_return std::nullopt;
}

WARDEN_DECL void connection::audit_authentication(const http_request_view& view,
                                             const auth::presented_credential& offered, std::string_view decision,
                                             std::string_view reason, unsigned status, const principal* who,
                                             bool pending) {
    const std::string_view scheme_name = who && !who->scheme.empty() ? std::string_view(who->scheme)
                                                                      : std::string_view(offered.scheme);
    // Reasons come from a fixed vocabulary (RFC 6750 codes and ours): safe as labels.
    metrics::global().auth_decisions.with({scheme_name, decision, reason}).inc();
    const auto& audit = state_.core.audit();
    if (!audit) return;
    thread_local std::string http_line;
    http_line.assign(request_.method_string()).append(" ").append(path());
    audit_event e{.event = "authentication", .decision = decision, .reason = reason, .status = status,
                  .scheme = scheme_name, .who = who, .http = http_line};
    if (fields_.method.present()) e.method = fields_.method.value.substr(0, 64);
    // Mcp-Name names the tool of a tools/call only (a prompt, a URI or a task id otherwise).
    if (e.method == "tools/call" && fields_.name.present()) e.tool = fields_.name.value.substr(0, 128);
    e.request_id = request_id_;
    e.address = view.remote_address;
    // A thread mostly hears from the caller it heard from last: the keyed digest of the same
    // bucket is remembered (a bucket is itself a digest; neither reveals the credential).
    thread_local std::string last_bucket, last_fingerprint;
    if (offered.bucket.empty()) {
        e.credential = {};
    } else {
        if (offered.bucket != last_bucket) {
            last_fingerprint = crypto::fingerprint(offered.bucket, 16);
            last_bucket = offered.bucket;
        }
        e.credential = last_fingerprint;
    }
    if (pending) audit->record_pending(e);
    else audit->record(e);
}

WARDEN_DECL void connection::forwarded(http_request_view& view) {
    boost::system::error_code ec;
    auto peer = net::ip::make_address(remote_, ec);
    if (ec || std::find(state_.trusted_proxies.begin(), state_.trusted_proxies.end(), peer) ==
                  state_.trusted_proxies.end())
        return;
    if (auto proto = request_.find("x-forwarded-proto"); proto != request_.end())
        view.secure = lower(proto->value()) == "https";
    if (auto xff = request_.find("x-forwarded-for"); xff != request_.end()) {
        // The proxy appends the address it saw last; earlier entries are the client's claims.
        std::string_view list = xff->value();
        auto comma = list.rfind(',');
        std::string_view last = comma == std::string_view::npos ? list : list.substr(comma + 1);
        while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
        while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
        if (!last.empty()) view.remote_address = std::string(last);
    }
    // The client certificate the proxy verified, verified again here.
    forwarded_certificate_.reset();
    if (!state_.client_certs) return;
    auto cert = request_.find(state_.config.client_certificate_header);
    if (cert == request_.end() || cert->value().empty()) return;
    if (request_.count(state_.config.client_certificate_header) > 1) {
        view.client_cert_refusal = "several client certificate headers";
        return;
    }
    auto verified = state_.client_certs->verify_forwarded(cert->value());
    if (!verified) {
        forwarded_refusal_ = verified.error().message();
        view.client_cert_refusal = forwarded_refusal_;
        return;
    }
    forwarded_certificate_ = std::move(verified).value();
    view.client_cert = &*forwarded_certificate_;
}

} // namespace warden::transport::detail
