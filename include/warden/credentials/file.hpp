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
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
            const int e = errno;
            if (e == ELOOP)
                return failure(errc::invalid_credentials,
                               path + " is a symbolic link; point the setting at the file itself");
            return failure(errc::invalid_credentials, path + " cannot be opened: " + std::strerror(e));
        }
        struct closer {
            int fd;
            ~closer() { ::close(fd); }
        } guard{fd};
        struct stat st {};
        if (::fstat(fd, &st) != 0)
            return failure(errc::invalid_credentials, path + " cannot be examined: " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) return failure(errc::invalid_credentials, path + " is not a regular file");
        if (st.st_uid != ::geteuid())
            return failure(errc::invalid_credentials, path + " belongs to uid " + std::to_string(st.st_uid) +
                                                          ", not to the server's user (uid " +
                                                          std::to_string(::geteuid()) + "); chown it");
        if (st.st_mode & (S_IRWXG | S_IRWXO))
            return failure(errc::invalid_credentials,
                           path + " is accessible to group or others; chmod 600 " + path);
        if (st.st_nlink != 1)
            return failure(errc::invalid_credentials,
                           path + " has " + std::to_string(st.st_nlink) + " hard links; keep exactly one");
        if (static_cast<std::size_t>(st.st_size) > max_bytes)
            return failure(errc::invalid_credentials,
                           path + " is larger than " + std::to_string(max_bytes) + " bytes");
        std::string content(static_cast<std::size_t>(st.st_size), '\0');
        std::size_t got = 0;
        while (got < content.size()) {
            const auto n = ::read(fd, content.data() + got, content.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        if (got != content.size()) {
            crypto::cleanse(content.data(), content.size());
            return failure(errc::invalid_credentials, path + " changed while it was read; try again");
        }
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
