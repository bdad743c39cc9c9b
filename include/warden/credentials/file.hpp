// warden/credentials/file.hpp: credentials from files that only the server can read.
//
// Each variable NAME is read from the file that `NAME_FILE` in the environment names (the
// Docker convention), or else from `DIR/NAME` when a directory is configured
// (`settings::credentials_directory`, defaulting to systemd's `$CREDENTIALS_DIRECTORY`).
// A file is used only if it is safe: opened without following a symbolic link, a regular
// file, owned by the user the server runs as, not readable or writable by group or
// others, one hard link, at most 64 KiB. One trailing newline is dropped (editors add
// one). Every refusal names the path and the fix, never the content.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/private_file.hpp>
#include <warden/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warden::credentials {

struct file {
    static constexpr bool production_ready = true;
    static constexpr std::string_view source_name = "credential files";
    static constexpr std::size_t max_bytes = 64 * 1024;

    /// Reads the credential file at `path` under the rules above.
    static result<std::string> read(const std::string& path) {
        auto r = detail::read_private_file(path, max_bytes, errc::invalid_credentials);
        if (!r) return r.error();
        std::string content = std::move(*r.value());
        if (content.ends_with("\r\n")) content.resize(content.size() - 2);
        else if (content.ends_with('\n')) content.pop_back();
        return content;
    }

    static result<std::optional<std::string>> lookup(const std::string& name, const credential_request& req) {
        const std::string named = name + "_FILE";
        if (const char* p = std::getenv(named.c_str()); p && *p) {
            auto content = read(p);
            if (!content) return failure(errc::invalid_credentials, content.error().detail + " (named by " + named + ")");
            return std::optional<std::string>(std::move(content).value());
        }
        std::string dir = req.directory;
        if (dir.empty())
            if (const char* d = std::getenv("CREDENTIALS_DIRECTORY")) dir = d;
        if (dir.empty()) return std::optional<std::string>();
        const std::string path = dir + (dir.ends_with('/') ? "" : "/") + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<std::string>();
        auto content = read(path);
        if (!content) return content.error();
        return std::optional<std::string>(std::move(content).value());
    }

    static result<credential_set> load(const credential_request& req) { return detail::load_from<file>(req); }
};

} // namespace warden::credentials
