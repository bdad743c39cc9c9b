// warden/credentials/credential_set.hpp: the server's own credentials, declared and loaded.
//
// A server declares the variables it needs (`variable`: name, description, required or
// optional, secret or not). A credential source loads them all at start-up into a
// `credential_set`, or fails listing *every* missing or unusable required one at once.
//
// What a credential source must provide (traits, `load`, `lookup`):
// warden/credentials/requirements.hpp.
#pragma once

#include <warden/credentials/secret.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <chrono>
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

/// How credentials::command gets one variable: a helper program and its caching.
struct command_spec {
    std::vector<std::string> argv{};                 ///< run without a shell, e.g. {"op", "read", "op://vault/item/field"}
    std::chrono::milliseconds timeout{10'000};       ///< the helper is killed after this
    std::chrono::seconds ttl{300};                   ///< how long a value is used before asking again
    std::chrono::seconds refresh_ahead{60};          ///< ask again this long before the value expires
    std::chrono::seconds max_stale{600};             ///< when the helper fails, serve the old value this long past expiry
};

/// What a credential source is asked to load.
struct credential_request {
    std::vector<variable> variables{};
    /// Values written in the source, for credentials::literal (profile::test only).
    std::map<std::string, std::string, std::less<>> literal_values{};
    /// Where credentials::file looks for a file named after each variable (empty: the
    /// systemd `$CREDENTIALS_DIRECTORY`, if set). `NAME_FILE` in the environment names one
    /// variable's file explicitly, as Docker images do.
    std::string directory{};
    /// credentials::command: the helper for each variable it provides.
    std::map<std::string, command_spec, std::less<>> commands{};
    /// Receives one line per optional variable that is missing (at start-up).
    std::function<void(std::string_view)> warn;
    /// Receives a line whenever a source gets by with less (a stale value served because
    /// its helper failed), at start-up and at every reload.
    std::function<void(std::string_view)> degraded;
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

    /// Calls `f(name, secret)` for every secret.
    template <class F>
    void for_each_secret(F f) const {
        for (const auto& [name, s] : secrets_) f(std::string_view(name), s);
    }

    /// A digest of every name and value: equal sets have equal fingerprints. For noticing
    /// that a reload changed something; never shown.
    crypto::sha256_digest fingerprint() const {
        std::string all;
        auto add = [&](std::string_view kind, std::string_view name, std::string_view value) {
            all.append(kind).append(std::to_string(name.size())).append(":").append(name);
            all.append(std::to_string(value.size())).append(":").append(value);
        };
        for (const auto& [name, s] : secrets_) add("s", name, s.reveal());
        for (const auto& [name, v] : values_) add("v", name, v);
        auto d = crypto::sha256(all);
        crypto::cleanse(all.data(), all.size());
        return d;
    }

    /// The variables named in `names` only (those absent stay absent).
    credential_set only(const std::vector<std::string>& names) const {
        credential_set out;
        for (const auto& n : names) {
            if (auto it = secrets_.find(n); it != secrets_.end()) out.secrets_.emplace(n, secret(std::string(it->second.reveal())));
            if (auto it = values_.find(n); it != values_.end()) out.values_.insert_or_assign(n, it->second);
        }
        return out;
    }

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

/// Shared by the sources: looks every variable up with `lookup` (returning
/// `result<std::optional<std::string>>`), and reports every missing or unusable required
/// variable in one message; missing optional ones are warned about. An unusable optional
/// variable is an error too: the operator meant to provide it.
template <class Lookup>
result<credential_set> load_variables(const credential_request& req, std::string_view source_name, Lookup lookup) {
    credential_set set;
    std::string problems{};
    std::size_t missing_count = 0, unusable_count = 0;
    for (const auto& v : req.variables) {
        result<std::optional<std::string>> found = lookup(v.name);
        if (!found) {
            ++unusable_count;
            problems += "\n  " + v.name + ": " + found.error().message();
            continue;
        }
        std::optional<std::string> value = std::move(found).value();
        if (value && value->empty()) value.reset(); // an empty credential is no credential
        if (value) {
            set.insert(v, std::move(*value));
        } else if (v.required) {
            ++missing_count;
            problems += "\n  " + v.name + (v.description.empty() ? std::string() : " - " + v.description);
        } else if (req.warn) {
            req.warn("optional credential " + v.name + " is not set" +
                     (v.description.empty() ? std::string() : " (" + v.description + ")"));
        }
    }
    if (missing_count || unusable_count) {
        std::string what;
        if (missing_count)
            what = std::to_string(missing_count) + " required credential" + (missing_count == 1 ? "" : "s") + " missing";
        if (unusable_count)
            what += (what.empty() ? "" : ", ") + std::to_string(unusable_count) + " unusable";
        return failure(unusable_count ? errc::invalid_credentials : errc::missing_credentials,
                       std::string(source_name) + ": " + what + ":" + problems);
    }
    return set;
}

/// `load` for a source that provides `lookup`.
template <class Source>
result<credential_set> load_from(const credential_request& req) {
    return load_variables(req, Source::source_name, [&](const std::string& name) { return Source::lookup(name, req); });
}

} // namespace detail

} // namespace warden
