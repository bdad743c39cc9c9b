// warden/storage/store.hpp: what every storage policy's store does at run time.
//
// `ns` is a namespace such as a tenant; `key` names a value inside it. Values are secrets:
// stores never log them and wipe the copies they hold when they are replaced or removed.
//
// | expression                                      | type                                | meaning                                     |
// |-------------------------------------------------|-------------------------------------|---------------------------------------------|
// | `s.get(ns, key)`                                | `result<std::optional<std::string>>`| the live value, if any                      |
// | `s.put(ns, key, value[, ttl])`                  | `result<void>`                      | stores, replacing; `ttl` 0 = no expiry      |
// | `s.erase(ns, key)`                              | `result<bool>`                      | removes; true if something was there        |
// | `s.insert_if_absent(ns, key, value, ttl)`       | `result<bool>`                      | atomic; false if a live value exists        |
// | `s.compare_and_swap(ns, key, expected, v[, ttl])` | `result<bool>`                    | atomic; replaces only if the current value  |
// |                                                 |                                     | equals `expected` (nullopt = absent)        |
// | `s.may_block()`                                 | `bool`                              | calls wait on the network: keep them off    |
// |                                                 |                                     | the I/O threads                             |
//
// An error means the store could not answer (disk, network, a refused file); callers that
// decide about authentication fail closed on it.
#pragma once

#include <warden/error.hpp>
#include <warden/metrics.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace warden::storage {

class store {
public:
    using ttl_type = std::chrono::milliseconds;

    virtual ~store() = default;

    result<std::optional<std::string>> get(std::string_view ns, std::string_view key) {
        return counted("get", do_get(ns, key));
    }
    result<void> put(std::string_view ns, std::string_view key, std::string value, ttl_type ttl = ttl_type::zero()) {
        return counted("put", do_put(ns, key, std::move(value), ttl));
    }
    result<bool> erase(std::string_view ns, std::string_view key) { return counted("erase", do_erase(ns, key)); }
    result<bool> insert_if_absent(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) {
        return counted("insert_if_absent", do_insert_if_absent(ns, key, std::move(value), ttl));
    }
    result<bool> compare_and_swap(std::string_view ns, std::string_view key, const std::optional<std::string>& expected,
                                  std::string desired, ttl_type ttl = ttl_type::zero()) {
        return counted("compare_and_swap", do_compare_and_swap(ns, key, expected, std::move(desired), ttl));
    }
    /// True when a call may wait on the network (run it on the worker pool).
    virtual bool may_block() const noexcept { return false; }
    /// True when values sit unencrypted where other hosts read them (Redis): what users of
    /// the store seal before they put secrets in it.
    virtual bool keeps_values_in_clear() const noexcept { return false; }
    /// True when only this process reads and writes the store (memory): what it holds is
    /// what this process put there.
    virtual bool private_to_process() const noexcept { return false; }

protected:
    store() = default;
    store(const store&) = delete;
    store& operator=(const store&) = delete;

private:
    /// `r`, counted in warden_storage_errors_total when it is an error.
    template <class R>
    static R counted(std::string_view operation, R r) {
        if (!r) metrics::global().storage_errors.with({operation}).inc();
        return r;
    }

    virtual result<std::optional<std::string>> do_get(std::string_view ns, std::string_view key) = 0;
    virtual result<void> do_put(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) = 0;
    virtual result<bool> do_erase(std::string_view ns, std::string_view key) = 0;
    virtual result<bool> do_insert_if_absent(std::string_view ns, std::string_view key, std::string value,
                                             ttl_type ttl) = 0;
    virtual result<bool> do_compare_and_swap(std::string_view ns, std::string_view key,
                                             const std::optional<std::string>& expected, std::string desired,
                                             ttl_type ttl) = 0;
};

} // namespace warden::storage
