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

} // namespace warden::transport::detail
