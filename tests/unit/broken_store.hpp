// A store that cannot answer (Redis down): every operation fails with storage_error.
#pragma once

#include <warden/storage/store.hpp>

namespace warden::test {

class broken_store final : public storage::store {
    result<std::optional<std::string>> do_get(std::string_view, std::string_view) override { return down(); }
    result<void> do_put(std::string_view, std::string_view, std::string, ttl_type) override { return down(); }
    result<bool> do_erase(std::string_view, std::string_view) override { return down(); }
    result<bool> do_insert_if_absent(std::string_view, std::string_view, std::string, ttl_type) override {
        return down();
    }
    result<bool> do_compare_and_swap(std::string_view, std::string_view, const std::optional<std::string>&,
                                     std::string, ttl_type) override {
        return down();
    }
    static error down() { return error{make_error_code(errc::storage_error), "connection refused"}; }
};

} // namespace warden::test
