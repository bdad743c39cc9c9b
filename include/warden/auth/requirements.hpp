// warden/auth/requirements.hpp: what an auth scheme is (concept `warden::auth_scheme_policy`),
// at compile time and at run time.
//
// Traits, `static constexpr`, checked by the concept and read by the composition rules
// (warden/rules.hpp):
//
// | expression                       | type         | meaning                                                  |
// |----------------------------------|--------------|----------------------------------------------------------|
// | `A::requires_http`               | `const bool` | reads its credentials from HTTP headers                  |
// | `A::requires_local_process`      | `const bool` | trusts the process boundary (stdio only)                 |
// | `A::sends_reusable_secret`       | `const bool` | the client sends a secret that can be replayed           |
// | `A::requires_client_certificate` | `const bool` | identity comes from a verified client certificate        |
// | `A::requires_replay_store`       | `const bool` | keeps a replay cache (needs atomic insert-with-expiry)   |
// | `A::keeps_shared_state`          | `const bool` | keeps state every instance must see (replay, rotation)   |
// | `A::is_anonymous`                | `const bool` | authenticates nobody                                     |
//
// A scheme that trusts the process boundary (stdio) has `A::local_principal()` returning the
// `principal` every request runs as.
//
// At run time, these members decide how it runs (warden/auth/scheme.hpp calls them). Only `authenticate` is required of a scheme served over HTTP,
// as a member or a static member function (`a.authenticate(r)` calls either); every other
// row is optional. A scheme with no `configure` is used as a default-constructed value, so
// a scheme with only a static `authenticate` works. An optional member with a hook's name
// and another signature does not compile (`detail::hooks_fit`): it would be ignored.
//
// | expression                 | type                    | meaning                                          |
// |----------------------------|-------------------------|--------------------------------------------------|
// | `A::variables(s)`          | `std::vector<variable>` | credentials it needs, declared to the source     |
// | `A::configure(creds, s)`   | `result<A>`             | the scheme built from the loaded credentials      |
// | `A::configure(creds, s, rs)` | `result<A>`           | the same, for a scheme that refuses replays       |
// | `A::presents(r)`           | `bool`                  | the request carries this scheme's credential     |
// | `a.authenticate(r)`        | `gate_result`           | a principal or a challenge (warden/auth/gate.hpp) |
// | `a.resource_metadata(ts)` | `boost::json::object` | RFC 9728 metadata; `ts`: the tools' scopes       |
// | `a.is_metadata_path(p)`  | `bool`                  | `p` is where that metadata is served             |
// | `a.set_default_scope(ts)` | `void`                 | told the tools' scopes once they are registered  |
// | `a.step_up(why, scope)`  | `std::string`           | the WWW-Authenticate of a 403 insufficient_scope |
// | `a.start_background(log)` | `void`                 | starts its own work (fetching keys); `log` lives on |
// | `a.stop_background()`    | `void`                  | stops it and waits (server shutdown)             |
// | `a.may_block()`          | `bool`                  | authenticate may wait on the network: run it off the I/O threads |
// | `A::credential_headers()` | `std::vector<std::string_view>` | headers besides Authorization carrying the credential (brute-force buckets) |
// `s` is a `const auth_settings&`, `creds` a `const credential_set&`, `r` a
// `const http_request_view&`, `rs` a `std::shared_ptr<replay_store>` over the definition's
// storage (rule 4 makes sure it can insert-if-absent atomically). `configure` runs at start-up (an error stops the server, exit
// status 78) and again whenever the credentials change (an error keeps the previous scheme).
#pragma once

#include <warden/traits.hpp>

#include <concepts>

namespace warden {

template <class A>
concept auth_scheme_policy = requires {
    { A::requires_http } -> std::convertible_to<bool>;
    { A::requires_local_process } -> std::convertible_to<bool>;
    { A::sends_reusable_secret } -> std::convertible_to<bool>;
    { A::requires_client_certificate } -> std::convertible_to<bool>;
    { A::requires_replay_store } -> std::convertible_to<bool>;
    { A::keeps_shared_state } -> std::convertible_to<bool>;
    { A::is_anonymous } -> std::convertible_to<bool>;
    typename detail::constant_expression<A::requires_http>;
    typename detail::constant_expression<A::requires_local_process>;
    typename detail::constant_expression<A::sends_reusable_secret>;
    typename detail::constant_expression<A::requires_client_certificate>;
    typename detail::constant_expression<A::requires_replay_store>;
    typename detail::constant_expression<A::keeps_shared_state>;
    typename detail::constant_expression<A::is_anonymous>;
};

} // namespace warden
