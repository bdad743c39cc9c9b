// warden/credentials/credential_set.hpp: the server's own credentials, declared and loaded.
//
// A server declares the variables it needs (`variable`: name, description, required or
// optional, secret or not). A credential source loads them all at start-up into a
// `credential_set`, or fails listing *every* missing required one at once.
//
// Credential source runtime requirements (beyond the traits in warden/concepts.hpp):
//
// | expression                    | type                      | meaning                                    |
// |-------------------------------|---------------------------|--------------------------------------------|
// | `C::load(req)`                | `result<credential_set>`  | loads every declared variable, or fails     |
// |                               |                           | with one message naming all missing ones    |
// `req` is a `const credential_request&`.
#pragma once

#include <warden/credentials/secret.hpp>
#include <warden/error.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {

/// One credential a server needs.
struct variable {
    std::string name{};        ///< e.g. "GITHUB_TOKEN"
    std::string description{}; ///< shown when it is missing: what it is and where to get it
    bool required = true;    ///< a missing required variable stops the server before it serves
    bool is_secret = true;   ///< secret values are only ever shown as a digest
};

/// What a credential source is asked to load.
struct credential_request {
    std::vector<variable> variables{};
    /// Values written in the source, for credentials::literal (profile::test only).
    std::map<std::string, std::string, std::less<>> literal_values{};
    /// Receives one line per optional variable that is missing.
    std::function<void(std::string_view)> warn;
};

/// The loaded credentials. Secret values are `secret`s; others are plain strings.
class credential_set {
public:
    /// The secret named `name`, or nullptr when it was optional and absent.
    const secret* find_secret(std::string_view name) const {
        auto it = secrets_.find(name);
        return it == secrets_.end() ? nullptr : &it->second;
    }
    /// The non-secret value named `name`, if present.
    std::optional<std::string_view> find_value(std::string_view name) const {
        auto it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return std::string_view(it->second);
    }
    bool contains(std::string_view name) const { return find_secret(name) || find_value(name); }
    std::size_t size() const noexcept { return secrets_.size() + values_.size(); }

    void insert(const variable& v, std::string&& value) {
        if (v.is_secret)
            secrets_.insert_or_assign(v.name, secret(std::move(value)));
        else
            values_.insert_or_assign(v.name, std::move(value));
    }

private:
    std::map<std::string, secret, std::less<>> secrets_{};
    std::map<std::string, std::string, std::less<>> values_{};
};

namespace detail {
/// Shared by the sources: looks every variable up with `lookup`, collects all missing
/// required ones into one message, warns about missing optional ones.
template <class Lookup>
result<credential_set> load_variables(const credential_request& req, std::string_view source_name, Lookup lookup) {
    credential_set set;
    std::string missing{};
    std::size_t missing_count = 0;
    for (const auto& v : req.variables) {
        std::optional<std::string> value = lookup(v.name);
        if (value && value->empty()) value.reset(); // an empty credential is no credential
        if (value) {
            set.insert(v, std::move(*value));
        } else if (v.required) {
            ++missing_count;
            missing += "\n  " + v.name + (v.description.empty() ? std::string() : " - " + v.description);
        } else if (req.warn) {
            req.warn("optional credential " + v.name + " is not set" +
                     (v.description.empty() ? std::string() : " (" + v.description + ")"));
        }
    }
    if (missing_count)
        return failure(errc::missing_credentials, std::string(source_name) + ": " + std::to_string(missing_count) +
                                                      " required credential" + (missing_count == 1 ? "" : "s") +
                                                      " missing:" + missing);
    return set;
}
} // namespace detail

} // namespace warden
