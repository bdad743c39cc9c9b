// warden/storage/requirements.hpp: what a storage policy is (concept
// `warden::storage_policy`), at compile time and at run time.
//
// | expression                    | type                                      | meaning                                 |
// |-------------------------------|-------------------------------------------|-----------------------------------------|
// | `S::durable`                  | `const bool`                              | values survive a restart                |
// | `S::atomic_insert_with_expiry`| `const bool`                              | "insert if absent, expire after t" is one atomic step (rule 4: replay caches need it) |
// | `S::shared_across_instances`  | `const bool`                              | every server instance sees the same values (rule 5: shared state needs it) |
// | `S::store_type`               | a `storage::store`                        | run time, without `open`: the store, default-constructed |
// | `S::variables(settings)`      | `std::vector<variable>`                   | optional: credentials the store needs (keys, passwords) |
// | `S::open(context)`            | `result<std::shared_ptr<storage::store>>` | optional: the store, once credentials are loaded; an error stops the server (exit status 78) |
//
// `settings` is a `const storage_settings&` and `context` a `const storage::open_context&`
// (warden/storage/settings.hpp). The store itself implements `storage::store`
// (warden/storage/store.hpp: get, put, erase, insert_if_absent, compare_and_swap, may_block).
#pragma once

#include <warden/traits.hpp>

#include <concepts>

namespace warden {

template <class S>
concept storage_policy = requires {
    { S::durable } -> std::convertible_to<bool>;
    { S::atomic_insert_with_expiry } -> std::convertible_to<bool>;
    { S::shared_across_instances } -> std::convertible_to<bool>;
    typename detail::constant_expression<S::durable>;
    typename detail::constant_expression<S::atomic_insert_with_expiry>;
    typename detail::constant_expression<S::shared_across_instances>;
};

} // namespace warden
