// warden/transport/http/gate.hpp: the auth scheme in force, as the HTTP transport sees it.
//
// The connection code (about a thousand lines of coroutines) talks to the scheme through
// this one interface (and to the stream through any_stream), so that it is compiled once
// whatever the schemes and definitions of the program. A scheme is wrapped once per
// credential load, and a request pays one virtual call per hook it reaches.
#pragma once

#include <warden/auth/failure_limits.hpp>
#include <warden/auth/gate.hpp>
#include <warden/auth/scheme.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::transport::detail {

/// A configured scheme behind the hooks the transport calls.
class http_gate {
public:
    virtual ~http_gate() = default;
    /// What `r` presents: the scheme's name and the brute-force bucket of its credential.
    virtual auth::presented_credential presented(const http_request_view& r) const = 0;
    /// The gate's verdict: a principal, or a challenge.
    virtual gate_result authenticate(const http_request_view& r) const = 0;
    /// Whether `authenticate` may wait on the network (fetching keys, introspection).
    virtual bool may_block() const = 0;
    /// Whether `path` is the scheme's protected-resource metadata document (RFC 9728).
    virtual bool is_metadata_path(std::string_view path) const = 0;
    /// That document, advertising `scopes`.
    virtual boost::json::object resource_metadata(const std::vector<std::string>& scopes) const = 0;
    /// The scheme's own step-up challenge for a missing scope, if it has one.
    virtual std::optional<std::string> step_up(std::string_view why, std::string_view scope) const = 0;
    /// Stops what the scheme runs in the background (key refreshes).
    virtual void stop_background() const = 0;
};

/// `Auth`, configured, behind `http_gate`.
template <class Auth>
class scheme_gate final : public http_gate {
public:
    explicit scheme_gate(Auth scheme) : scheme_(std::move(scheme)) {}

    auth::presented_credential presented(const http_request_view& r) const override {
        return auth::presented<Auth>(r);
    }
    gate_result authenticate(const http_request_view& r) const override { return scheme_.authenticate(r); }
    bool may_block() const override {
        if constexpr (auth::detail::may_block<Auth>) return scheme_.may_block();
        else return false;
    }
    bool is_metadata_path(std::string_view path) const override {
        if constexpr (auth::detail::serves_resource_metadata<Auth>) return scheme_.is_metadata_path(path);
        else return false;
    }
    boost::json::object resource_metadata(const std::vector<std::string>& scopes) const override {
        if constexpr (auth::detail::serves_resource_metadata<Auth>) return scheme_.resource_metadata(scopes);
        else return {};
    }
    std::optional<std::string> step_up(std::string_view why, std::string_view scope) const override {
        if constexpr (auth::detail::has_step_up<Auth>) return scheme_.step_up(why, scope);
        else return std::nullopt;
    }
    void stop_background() const override {
        if constexpr (auth::detail::runs_in_background<Auth>) scheme_.stop_background();
    }

private:
    Auth scheme_;
};

/// What the gate decided for one request. Either the scheme gave its verdict (`gate`), or
/// it was not asked: the caller's buckets are empty (`limit`), or the store that keeps them
/// failed (`store_error`, and the request is refused: without its buckets the gate cannot
/// tell an attacker from a caller). A store error while counting a failure keeps the
/// verdict and is only reported.
struct gate_decision {
    std::optional<gate_result> gate{};
    auth::limit_check limit{};
    std::string store_error{};
};

/// The gate for one request: the brute-force buckets of the client's address and of the
/// credential it presents (`bucket`, empty when it presents none) first, so that a limited
/// caller never reaches verification; then the scheme; a 401 for a presented credential
/// fills its buckets. Synchronous: when `scheme.may_block()` or `limiter.may_block()`, the
/// caller runs it where waiting is allowed.
inline gate_decision decide_gate(const http_gate& scheme, auth::failure_limiter& limiter,
                                 const http_request_view& view, std::string_view bucket) {
    gate_decision d;
    auto verdict = limiter.check(view.remote_address, bucket);
    if (!verdict) {
        d.store_error = verdict.error().message();
        return d;
    }
    if (verdict.value().limited()) {
        d.limit = verdict.value();
        return d;
    }
    d.gate = scheme.authenticate(view);
    if (auto* c = std::get_if<challenge>(&*d.gate); c && c->status == 401 && !bucket.empty()) {
        if (auto r = limiter.record_failure(view.remote_address, bucket); !r) d.store_error = r.error().message();
    } else if (!bucket.empty() && std::holds_alternative<principal>(*d.gate)) {
        if (auto r = limiter.record_success(view.remote_address, bucket); !r) d.store_error = r.error().message();
    }
    return d;
}

/// How a refused request is answered: an HTTP status, a JSON body in RFC 6750's terms, the
/// header fields that go with it, and the reason the audit line records.
struct gate_refusal {
    unsigned status = 0;
    std::string reason{};          ///< audit: rate_limited, unavailable, no_credentials or the challenge's error
    boost::json::object body{};    ///< {"error", "error_description"?}: never the scheme's detail
    std::string www_authenticate{}; ///< the challenge, when the scheme gave one
    std::string dpop_nonce{};       ///< `DPoP-Nonce`, when the scheme asks for a fresh one
    std::optional<std::chrono::seconds> retry_after{};
};

/// The answer to a request `d` refuses, or nothing when `d` lets the caller in: 429 with
/// Retry-After for a limited caller, 503 (Retry-After: 1) when the buckets are unavailable,
/// otherwise the scheme's challenge (its status and WWW-Authenticate; the detail it gives
/// for the log stays out of the response).
inline std::optional<gate_refusal> refusal_of(const gate_decision& d) {
    gate_refusal r;
    if (!d.gate) {
        const bool limited = d.limit.limited();
        r.status = limited ? 429 : 503;
        r.reason = limited ? "rate_limited" : "unavailable";
        r.body = {{"error", limited ? "too_many_requests" : "temporarily_unavailable"},
                  {"error_description", limited ? "too many failed authentication attempts; retry later"
                                                : "authentication is unavailable; retry later"}};
        r.retry_after = limited ? std::chrono::ceil<std::chrono::seconds>(d.limit.retry_after) : std::chrono::seconds(1);
        return r;
    }
    const auto* refused = std::get_if<challenge>(&*d.gate);
    if (!refused) return std::nullopt;
    r.status = refused->status;
    r.reason = refused->error.empty() ? "no_credentials" : refused->error;
    r.body = {{"error", refused->error.empty() ? std::string("unauthorized") : refused->error}};
    if (!refused->description.empty()) r.body.emplace("error_description", refused->description);
    r.www_authenticate = refused->www_authenticate;
    r.dpop_nonce = refused->dpop_nonce;
    return r;
}

} // namespace warden::transport::detail
