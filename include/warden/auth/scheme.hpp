// warden/auth/scheme.hpp: how the server builds an auth scheme at run time.
//
// Its traits and these run-time members, the hooks the server calls, are tabled in
// warden/auth/requirements.hpp; here they are configured and checked: a near-miss hook (the
// right name, another signature) does not compile (`detail::hooks_fit`).
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/storage/store.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <concepts>
#include <memory>
#include <string_view>
#include <vector>

namespace warden::auth {

/// What a scheme that refuses replayed requests needs of the definition's storage.
class replay_store {
public:
    virtual ~replay_store() = default;
    /// Records `key` for `ttl`: true the first time, false when it is already recorded (a
    /// replay), an error when the store cannot answer (the scheme then fails closed).
    virtual result<bool> remember(std::string_view key, std::chrono::milliseconds ttl) = 0;
    /// True when remembering waits on the network (the scheme then runs off the I/O threads).
    virtual bool may_block() const noexcept { return false; }
};

/// A replay_store over the definition's store (`insert_if_absent` in the namespace "replay").
class storage_replay_store final : public replay_store {
public:
    explicit storage_replay_store(std::shared_ptr<storage::store> store) : store_(std::move(store)) {}
    result<bool> remember(std::string_view key, std::chrono::milliseconds ttl) override {
        return store_->insert_if_absent("replay", key, "1", ttl);
    }
    bool may_block() const noexcept override { return store_->may_block(); }

private:
    std::shared_ptr<storage::store> store_;
};

namespace detail {
template <class A>
concept configurable = requires(const credential_set& c, const auth_settings& s) {
    { A::configure(c, s) } -> std::same_as<result<A>>;
};
template <class A>
concept configurable_with_replay_store =
    requires(const credential_set& c, const auth_settings& s, std::shared_ptr<replay_store> rs) {
        { A::configure(c, s, rs) } -> std::same_as<result<A>>;
    };
template <class A>
concept declares_variables = requires(const auth_settings& s) {
    { A::variables(s) } -> std::same_as<std::vector<variable>>;
};
template <class A>
concept has_presents = requires(const http_request_view& r) {
    { A::presents(r) } -> std::same_as<bool>;
};
template <class A>
concept serves_resource_metadata = requires(const A& a, std::string_view p, const std::vector<std::string>& ts) {
    { a.resource_metadata(ts) } -> std::same_as<boost::json::object>;
    { a.is_metadata_path(p) } -> std::same_as<bool>;
};
template <class A>
concept wants_tool_scopes = requires(A& a, const std::vector<std::string>& ts) { a.set_default_scope(ts); };
template <class A>
concept may_block = requires(const A& a) {
    { a.may_block() } -> std::convertible_to<bool>;
};
template <class A>
concept runs_in_background = requires(A& a, const A& c, const logger& log) {
    a.start_background(log);
    c.stop_background();
};
/// A scheme whose credential travels in headers other than Authorization (API keys).
template <class A>
concept names_credential_headers = requires {
    { A::credential_headers() } -> std::convertible_to<std::vector<std::string_view>>;
};
template <class A>
std::vector<std::string_view> credential_headers_of() {
    if constexpr (names_credential_headers<A>) return A::credential_headers();
    else return {};
}
template <class A>
concept has_step_up = requires(const A& a, std::string_view s) {
    { a.step_up(s, s) } -> std::same_as<std::string>;
};

/// Near misses. The server looks for each optional hook with `if constexpr`, so a member
/// with a hook's name and another signature would be ignored in silence: a scheme that
/// meant to run off the I/O threads, or to stop its key refresh, would not. A member named
/// like a hook must fit the table above. (A name that is overloaded or a template cannot
/// be checked this way and is taken as it is.)
template <class A>
struct hooks_fit {
    static_assert(!requires { &A::presents; } || has_presents<A>,
                  "warden: auth scheme hook presents does not fit; expected "
                  "`static bool presents(const http_request_view&)` (warden/auth/scheme.hpp)");
    static_assert(!requires { &A::may_block; } || may_block<A>,
                  "warden: auth scheme hook may_block does not fit; expected `bool may_block() const` "
                  "(warden/auth/scheme.hpp)");
    static_assert(!requires { &A::set_default_scope; } || wants_tool_scopes<A>,
                  "warden: auth scheme hook set_default_scope does not fit; expected "
                  "`void set_default_scope(const std::vector<std::string>&)` (warden/auth/scheme.hpp)");
    static_assert(!(requires { &A::resource_metadata; } || requires { &A::is_metadata_path; }) ||
                      serves_resource_metadata<A>,
                  "warden: auth scheme hooks resource_metadata and is_metadata_path go together; expected "
                  "`boost::json::object resource_metadata(const std::vector<std::string>&) const` and "
                  "`bool is_metadata_path(std::string_view) const` (warden/auth/scheme.hpp)");
    static_assert(!(requires { &A::start_background; } || requires { &A::stop_background; }) ||
                      runs_in_background<A>,
                  "warden: auth scheme hooks start_background and stop_background go together; expected "
                  "`void start_background(const logger&)` and `void stop_background() const` "
                  "(warden/auth/scheme.hpp)");
    static_assert(!requires { &A::credential_headers; } || names_credential_headers<A>,
                  "warden: auth scheme hook credential_headers does not fit; expected "
                  "`static std::vector<std::string_view> credential_headers()` (warden/auth/scheme.hpp)");
    static_assert(!requires { &A::step_up; } || has_step_up<A>,
                  "warden: auth scheme hook step_up does not fit; expected "
                  "`std::string step_up(std::string_view why, std::string_view scope) const` "
                  "(warden/auth/scheme.hpp)");
    static constexpr bool value = true;
};
} // namespace detail

/// The traits of a scheme whose client sends the same secret in an HTTP header with every
/// request (bearer tokens, API keys, Basic): rule 1 wants a confidential channel for it.
struct header_secret_traits {
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = false;
    static constexpr bool sends_reusable_secret = true;
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = false;
};

/// The variables scheme `A` needs declared (none unless it says).
template <class A>
std::vector<variable> scheme_variables(const auth_settings& s) {
    if constexpr (detail::declares_variables<A>) return A::variables(s);
    else return {};
}

/// Scheme `A` built from loaded credentials (default-constructed unless it is configurable).
template <class A>
result<A> configure_scheme(const credential_set& c, const auth_settings& s,
                           const std::shared_ptr<replay_store>& replay = nullptr) {
    if constexpr (detail::configurable_with_replay_store<A>) {
        if (A::requires_replay_store && !replay)
            return failure(errc::invalid_argument, "this auth scheme needs a replay store");
        return A::configure(c, s, replay);
    } else if constexpr (detail::configurable<A>) {
        return A::configure(c, s);
    } else {
        (void)replay;
        return A{};
    }
}

} // namespace warden::auth
