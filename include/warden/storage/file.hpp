// warden/storage/file.hpp: values in private files, one per (namespace, key).
//
//     <directory>/            0700, ours
//       .lock                 flock'ed around every operation (threads and processes)
//       <ns>/                 0700, one per namespace (tenant)
//         <key>               0600, one record
//
// Names are the namespace and key with every byte outside [A-Za-z0-9_-] written %XX (a
// long name becomes its SHA-256), so nothing a caller passes can climb out of the
// directory. A record is `warden-record 1 <expires-unix-ms> <length>\n<value>`, written
// atomically (warden/detail/private_file.hpp) and read back only from a private file;
// `insert_if_absent` and `compare_and_swap` run under the lock, so two processes on one
// host never lose each other's writes. `storage::encrypted_file` is this store with its
// records sealed (warden/storage/encrypted_file.hpp).
#pragma once

#include <warden/crypto/aead.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/detail/private_file.hpp>
#include <warden/error.hpp>
#include <warden/storage/settings.hpp>
#include <warden/storage/store.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warden::storage {

/// How records are turned into file contents and back (identity for storage::file).
/// `slot` names where the record belongs (server, namespace, key), so a sealing codec can
/// bind the contents to it.
class record_codec {
public:
    virtual ~record_codec() = default;
    virtual result<std::string> seal(std::string_view slot, std::string_view record) const = 0;
    /// The record, or an error that says nothing about why (the caller names the file).
    virtual result<std::string> open(std::string_view slot, std::string_view contents) const = 0;
};

namespace detail {

/// A file name for `part`: [A-Za-z0-9_-] kept, other bytes %XX, empty as "%", and names
/// longer than 200 bytes as "%h" followed by the SHA-256 of `part`.
inline std::string file_name(std::string_view part) {
    static constexpr char hex[] = "0123456789ABCDEF";
    if (part.empty()) return "%";
    std::string out;
    for (const char c : part) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '-') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0xf]);
        }
    }
    if (out.size() > 200) {
        const auto d = crypto::sha256(part);
        return "%h" + crypto::to_hex(d.data(), d.size());
    }
    return out;
}

/// The part a file name stands for; nullopt for hashed (long) names and anything else.
inline std::optional<std::string> part_from_file_name(std::string_view name) {
    if (name == "%") return std::string();
    if (name.starts_with("%h")) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '%') {
            out.push_back(name[i]);
            continue;
        }
        if (i + 2 >= name.size()) return std::nullopt;
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
        const int hi = hex(name[i + 1]), lo = hex(name[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
    }
    return out;
}

/// The slot a record belongs to, unambiguous whatever bytes the parts hold.
inline std::string slot_name(std::string_view server, std::string_view ns, std::string_view key) {
    std::string s;
    for (const auto part : {server, ns, key}) s.append(std::to_string(part.size())).append(":").append(part);
    return s;
}

using wall_clock = std::chrono::system_clock;

inline std::int64_t unix_ms(wall_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::string encode_record(std::string_view value, std::chrono::milliseconds ttl) {
    const std::int64_t expires = ttl > std::chrono::milliseconds::zero() ? unix_ms(wall_clock::now() + ttl) : 0;
    std::string r = "warden-record 1 " + std::to_string(expires) + " " + std::to_string(value.size()) + "\n";
    r.append(value);
    return r;
}

struct record {
    std::string value;
    std::int64_t expires_ms = 0; ///< 0: never
    bool live() const { return expires_ms == 0 || expires_ms > unix_ms(wall_clock::now()); }
};

/// Parses a record; nullopt when the bytes are not one (damaged, or not ours).
inline std::optional<record> decode_record(std::string_view text) {
    constexpr std::string_view magic = "warden-record 1 ";
    if (!text.starts_with(magic)) return std::nullopt;
    text.remove_prefix(magic.size());
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos || nl > 48) return std::nullopt;
    const auto header = text.substr(0, nl);
    const auto space = header.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::uint64_t expires = 0, length = 0;
    if (!warden::detail::parse_decimal(header.substr(0, space), expires) ||
        !warden::detail::parse_decimal(header.substr(space + 1), length) ||
        expires > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    const auto body = text.substr(nl + 1);
    if (body.size() != length) return std::nullopt;
    return record{std::string(body), static_cast<std::int64_t>(expires)};
}

} // namespace detail

/// The store of storage::file and storage::encrypted_file.
class file_store final : public store {
public:
    struct options {
        std::string directory;                       ///< created 0700 if missing; must be ours and private
        std::string server_name;                     ///< bound into sealed records
        std::shared_ptr<const record_codec> codec{}; ///< null: records stored as they are
        std::size_t max_value_bytes = 1 << 20;
        const logger* log = nullptr;                 ///< where the location warnings go
    };

    /// Opens (creating) the directory; refuses one that is not private to this user.
    static result<std::shared_ptr<file_store>> open(options o) {
        while (o.directory.size() > 1 && o.directory.ends_with('/')) o.directory.pop_back();
        if (o.directory.empty()) return failure(errc::invalid_argument, "storage directory is empty");
        if (auto r = warden::detail::ensure_private_directory(o.directory, errc::storage_error); !r) return r.error();
        if (o.log) warn_about_location(o.directory, *o.log);
        const std::string lock_path = o.directory + "/.lock";
        const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
        if (fd < 0) return failure(errc::storage_error, lock_path + " cannot be opened: " + std::strerror(errno));
        auto s = std::shared_ptr<file_store>(new file_store(std::move(o), fd));
        if (auto r = s->remove_leftovers(); !r) return r.error();
        return s;
    }

    ~file_store() override { ::close(lock_fd_); }

    const std::string& directory() const noexcept { return options_.directory; }

    /// Every write is fsync'ed and every operation may wait for another process's lock:
    /// schemes that use this store run on the worker pool, not the I/O threads.
    bool may_block() const noexcept override { return true; }

    /// Where a server named `server_name` keeps its files by default.
    static result<std::string> default_directory(std::string_view server_name) {
        if (server_name.empty() || server_name.find('/') != std::string_view::npos || server_name == "." ||
            server_name == "..")
            return failure(errc::invalid_argument, "the server name '" + std::string(server_name) +
                                                       "' cannot name a directory; set storage.directory");
        if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/')
            return std::string(x) + "/" + std::string(server_name);
        if (const char* h = std::getenv("HOME"); h && *h == '/')
            return std::string(h) + "/.config/" + std::string(server_name);
        return failure(errc::invalid_argument, "neither XDG_CONFIG_HOME nor HOME is set; set storage.directory");
    }

private:
    file_store(options o, int lock_fd) : options_(std::move(o)), lock_fd_(lock_fd) {}

    /// Held for every operation: the mutex orders this process's threads, flock orders
    /// processes.
    /// Without the file lock nothing is atomic between processes: operations check
    /// `failed()` and refuse to go on (fail closed).
    class guard {
    public:
        explicit guard(file_store& s) : lock_(s.mutex_), fd_(s.lock_fd_) {
            int r = 0;
            while ((r = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {}
            if (r != 0) error_ = errno;
        }
        ~guard() {
            if (!error_) ::flock(fd_, LOCK_UN);
        }
        guard(const guard&) = delete;
        guard& operator=(const guard&) = delete;
        std::optional<warden::error> failed(const std::string& dir) const {
            if (!error_) return std::nullopt;
            return warden::error{make_error_code(errc::storage_error),
                                 dir + "/.lock cannot be locked: " + std::strerror(error_)};
        }

    private:
        std::lock_guard<std::mutex> lock_;
        int fd_;
        int error_ = 0;
    };

    static void warn_about_location(const std::string& dir, const logger& log) {
        char* real = ::realpath(dir.c_str(), nullptr);
        const std::string path = real ? real : dir;
        std::free(real);
        for (auto pos = path.size(); pos != std::string::npos && pos > 0; pos = path.find_last_of('/', pos - 1)) {
            const std::string up = pos == 0 ? "/" : path.substr(0, pos);
            struct stat st {};
            if (::stat(up.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) && up != path) {
                log.warn("storage directory " + path + " lies under the world-writable " + up +
                         ": other users can see it exists and fill the disk under it; prefer the per-user default "
                         "(~/.config/<server>)");
                break;
            }
            if (up != path && ::access((up + "/.git").c_str(), F_OK) == 0) {
                log.warn("storage directory " + path + " is inside the project " + up +
                         ": stored tokens could end up in commits or backups; prefer the per-user default "
                         "(~/.config/<server>)");
                break;
            }
            if (pos == 0) break;
        }
    }

    std::string ns_directory(std::string_view ns) const { return options_.directory + "/" + detail::file_name(ns); }

    /// Temporary files a killed writer left behind (only writers holding the lock make them).
    result<void> remove_leftovers() {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        DIR* top = ::opendir(options_.directory.c_str());
        if (!top) return failure(errc::storage_error, options_.directory + " cannot be listed: " + std::strerror(errno));
        std::vector<std::string> dirs;
        while (const dirent* e = ::readdir(top))
            if (e->d_name[0] != '.') dirs.emplace_back(options_.directory + "/" + e->d_name);
        ::closedir(top);
        for (const auto& d : dirs) {
            DIR* sub = ::opendir(d.c_str());
            if (!sub) continue;
            std::vector<std::string> stale;
            while (const dirent* e = ::readdir(sub)) {
                const std::string_view n = e->d_name;
                if (n.starts_with('.') && n.find(".tmp-") != std::string_view::npos) stale.emplace_back(d + "/" + e->d_name);
            }
            ::closedir(sub);
            for (const auto& f : stale) ::unlink(f.c_str());
        }
        return success();
    }

    /// Expiring entries (replay nonces) are each read once, so expiry on read alone would
    /// let them pile up: every 256 expiring inserts, the namespace's expired records go.
    /// Called with the lock held.
    void sweep_now_and_then(std::string_view ns) {
        if (++expiring_inserts_ % 256 != 0) return;
        const std::string dir = ns_directory(ns);
        DIR* d = ::opendir(dir.c_str());
        if (!d) return;
        std::vector<std::string> names;
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') names.emplace_back(e->d_name);
        ::closedir(d);
        const std::size_t cap = options_.max_value_bytes + 4096;
        for (const auto& n : names) {
            const std::string path = dir + "/" + n;
            auto raw = warden::detail::read_private_file(path, cap, errc::storage_error, true);
            if (!raw || !raw.value()) continue;
            std::optional<detail::record> rec;
            if (!options_.codec) {
                rec = detail::decode_record(*raw.value());
            } else if (auto key = detail::part_from_file_name(n)) {
                // A sealed record opens only in its slot, which the name gives back.
                auto opened = options_.codec->open(detail::slot_name(options_.server_name, ns, *key), *raw.value());
                if (opened) {
                    rec = detail::decode_record(opened.value());
                    crypto::cleanse(opened.value().data(), opened.value().size());
                }
            }
            crypto::cleanse(raw.value()->data(), raw.value()->size());
            if (rec && !rec->live()) ::unlink(path.c_str());
            if (rec) crypto::cleanse(rec->value.data(), rec->value.size());
        }
    }

    /// The live record at (ns, key), if any; expired ones are removed.
    result<std::optional<std::string>> load(std::string_view ns, std::string_view key) {
        const std::string dir = ns_directory(ns);
        const std::string path = dir + "/" + detail::file_name(key);
        const std::size_t cap = options_.max_value_bytes + 4096;
        auto contents = warden::detail::read_private_file(path, cap, errc::storage_error, true);
        if (!contents) return contents.error();
        if (!contents.value()) return std::optional<std::string>();
        std::string raw = std::move(*contents.value());
        std::optional<detail::record> rec;
        if (options_.codec) {
            auto opened = options_.codec->open(detail::slot_name(options_.server_name, ns, key), raw);
            crypto::cleanse(raw.data(), raw.size());
            if (!opened)
                return failure(errc::storage_error,
                               path + " cannot be decrypted: a wrong key, or the file was changed or copied from "
                                      "another slot");
            rec = detail::decode_record(opened.value());
            crypto::cleanse(opened.value().data(), opened.value().size());
        } else {
            rec = detail::decode_record(raw);
            crypto::cleanse(raw.data(), raw.size());
        }
        if (!rec) return failure(errc::storage_error, path + " is not a warden record (damaged?); remove it");
        if (!rec->live()) {
            crypto::cleanse(rec->value.data(), rec->value.size());
            ::unlink(path.c_str());
            return std::optional<std::string>();
        }
        return std::optional<std::string>(std::move(rec->value));
    }

    result<void> store_record(std::string_view ns, std::string_view key, std::string_view value,
                              std::chrono::milliseconds ttl) {
        if (value.size() > options_.max_value_bytes)
            return failure(errc::invalid_argument,
                           "a stored value is larger than " + std::to_string(options_.max_value_bytes) + " bytes");
        const std::string dir = ns_directory(ns);
        if (auto r = warden::detail::ensure_private_directory(dir, errc::storage_error); !r) return r.error();
        std::string rec = detail::encode_record(value, ttl);
        std::string contents;
        if (options_.codec) {
            auto sealed = options_.codec->seal(detail::slot_name(options_.server_name, ns, key), rec);
            crypto::cleanse(rec.data(), rec.size());
            if (!sealed) return sealed.error();
            contents = std::move(sealed).value();
        } else {
            contents = std::move(rec);
        }
        const auto suffix = crypto::random_bytes(8);
        auto r = warden::detail::write_private_file(
            dir, detail::file_name(key), contents,
            crypto::to_hex(reinterpret_cast<const unsigned char*>(suffix.data()), suffix.size()), errc::storage_error);
        crypto::cleanse(contents.data(), contents.size());
        return r;
    }

    result<std::optional<std::string>> do_get(std::string_view ns, std::string_view key) override {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        return load(ns, key);
    }
    result<void> do_put(std::string_view ns, std::string_view key, std::string value, ttl_type ttl) override {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        auto r = store_record(ns, key, value, ttl);
        crypto::cleanse(value.data(), value.size());
        return r;
    }
    result<bool> do_erase(std::string_view ns, std::string_view key) override {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        const std::string dir = ns_directory(ns);
        const std::string path = dir + "/" + detail::file_name(key);
        if (::unlink(path.c_str()) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return false;
            return failure(errc::storage_error, path + " cannot be removed: " + std::strerror(errno));
        }
        if (auto r = warden::detail::sync_directory(dir, errc::storage_error); !r) return r.error();
        return true;
    }
    result<bool> do_insert_if_absent(std::string_view ns, std::string_view key, std::string value,
                                     ttl_type ttl) override {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        if (ttl > ttl_type::zero()) sweep_now_and_then(ns);
        auto current = load(ns, key);
        if (!current) return current.error();
        if (current.value()) {
            crypto::cleanse(current.value()->data(), current.value()->size());
            return false;
        }
        auto r = store_record(ns, key, value, ttl);
        crypto::cleanse(value.data(), value.size());
        if (!r) return r.error();
        return true;
    }
    result<bool> do_compare_and_swap(std::string_view ns, std::string_view key,
                                     const std::optional<std::string>& expected, std::string desired,
                                     ttl_type ttl) override {
        guard g(*this);
        if (auto e = g.failed(options_.directory)) return *e;
        auto current = load(ns, key);
        if (!current) return current.error();
        const auto& now = current.value();
        const bool matches = now ? (expected && crypto::equal_secrets(*now, *expected)) : !expected;
        if (now) crypto::cleanse(current.value()->data(), current.value()->size());
        if (!matches) return false;
        auto r = store_record(ns, key, desired, ttl);
        crypto::cleanse(desired.data(), desired.size());
        if (!r) return r.error();
        return true;
    }

    options options_;
    int lock_fd_;
    std::mutex mutex_;
    std::uint64_t expiring_inserts_ = 0;
};

namespace detail {
/// The directory a file store opens: the setting, else the per-user default.
inline result<std::string> file_directory(const open_context& c) {
    if (!c.settings.directory.empty()) return c.settings.directory;
    return file_store::default_directory(c.server_name);
}
} // namespace detail

/// Storage policy: private files on this host. Durable; atomic on one host (a file lock),
/// not shared between hosts.
struct file {
    static constexpr bool durable = true;
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = false;
    using store_type = file_store;

    static result<std::shared_ptr<store>> open(const open_context& c) {
        auto dir = detail::file_directory(c);
        if (!dir) return dir.error();
        auto s = file_store::open({.directory = std::move(dir).value(), .server_name = std::string(c.server_name),
                                   .log = &c.log});
        if (!s) return s.error();
        return std::shared_ptr<store>(std::move(s).value());
    }
};

} // namespace warden::storage
