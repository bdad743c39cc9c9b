// warden/credentials/requirements.hpp: what a credential source is (concept
// `warden::credential_source_policy`), at compile time and at run time.
//
// | expression               | type                                 | meaning                                        |
// |--------------------------|--------------------------------------|------------------------------------------------|
// | `C::production_ready`    | `const bool`                         | secrets come from outside the source code (rule 3 refuses `false` under profile::production) |
// | `C::load(req)`           | `result<credential_set>`             | run time: loads every declared variable, or fails with one message naming every problem |
// | `C::lookup(name, req)`   | `result<std::optional<std::string>>` | optional: one variable; absent is nullopt, unusable is an error |
// | `C::source_name`         | `std::string_view`                   | optional: how messages name the source ("environment") |
//
// `req` is a `const credential_request&` and `name` a `const std::string&`
// (warden/credentials/credential_set.hpp). `load` runs at start-up (an error stops the
// server, exit status 78, before it serves anything) and on every reload (an error keeps the
// previous credentials). A source with `lookup` composes with others
// (`credentials::first_of<file, env>`), and `detail::load_from<C>` builds its `load`.
#pragma once

#include <warden/traits.hpp>

#include <concepts>

namespace warden {

template <class C>
concept credential_source_policy = requires {
    { C::production_ready } -> std::convertible_to<bool>;
    typename detail::constant_expression<C::production_ready>;
};

} // namespace warden
