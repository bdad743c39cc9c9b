// warden/storage/settings.hpp: run-time settings of the storage policies, and what a
// policy is given to open its store.
//
// A storage policy may declare the credentials it needs and open its store from them
// (`S::variables`, `S::open`: warden/storage/requirements.hpp).
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/log.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace warden {

struct storage_settings {
    /// storage::file and storage::encrypted_file: where values live. Empty: the per-user
    /// configuration directory, `$XDG_CONFIG_HOME/<server name>/` (else
    /// `~/.config/<server name>/`).
    std::string directory{};
    /// storage::encrypted_file: the variable holding the current key (32 random bytes as
    /// base64, e.g. `openssl rand -base64 32`), and the one holding the key it replaces
    /// (optional; values written under it stay readable until rewritten).
    std::string key_variable = "WARDEN_STORAGE_KEY";
    std::string previous_key_variable = "WARDEN_STORAGE_KEY_PREVIOUS";

    /// storage::redis: `redis://host:port[/db]` or `rediss://host:port[/db]` (TLS). A
    /// password inside the URL is refused: it belongs in `redis_password_variable`.
    std::string redis_url = "redis://127.0.0.1:6379";
    std::string redis_username{};                             ///< Redis 6 ACL user; empty: the default user
    std::string redis_password_variable = "REDIS_PASSWORD";   ///< optional credential; AUTH when present
    std::string redis_ca_file{};                              ///< rediss://: CAs for the server; empty: the system's
    std::string redis_prefix{};                               ///< key prefix; empty: "<server name>:"
    std::chrono::milliseconds redis_timeout{2'000};           ///< connect and per-command bound
    std::size_t redis_connections = 4;                        ///< pooled connections
    std::chrono::milliseconds redis_max_backoff{5'000};       ///< reconnect backoff ceiling
    /// `redis://` (no TLS) to a host that is not loopback: the password and every value cross
    /// that network in the clear. Refused at start-up unless set, for a network you know is
    /// private; server<D> sets it under profile::development and profile::test.
    bool redis_plaintext_network = false;
};

namespace storage {

/// What a storage policy's `open` is given.
struct open_context {
    const storage_settings& settings;
    const credential_set& credentials;
    const logger& log;
    std::string_view server_name;
};

} // namespace storage
} // namespace warden
