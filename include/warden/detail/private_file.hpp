// warden/detail/private_file.hpp: files only the server's user may read, written atomically.
//
// Reading: opened without following a symbolic link, then examined through the open
// descriptor (so nothing can be swapped in between): a regular file, owned by the user the
// server runs as, no group or other permission bits, exactly one hard link, at most
// `max_bytes`. Writing: a temporary file beside the target, created O_EXCL|O_NOFOLLOW with
// mode 0600 whatever the umask, written, fsync'ed, renamed over the target, and the
// directory fsync'ed, so a crash at any moment leaves the old content or the new, never a
// torn or empty file. Errors name the path and the fix, never the content.
#pragma once

#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warden::detail {

/// Closes a descriptor when it goes.
struct fd_guard {
    int fd = -1;
    explicit fd_guard(int f) noexcept : fd(f) {}
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

/// Why a file or directory is not private to this user, or an empty string.
inline std::string private_refusal(const std::string& path, const struct stat& st, bool directory) {
    const char* const what = directory ? "a directory" : "a regular file";
    if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) return path + " is not " + what;
    if (st.st_uid != ::geteuid())
        return path + " belongs to uid " + std::to_string(st.st_uid) + ", not to the server's user (uid " +
               std::to_string(::geteuid()) + "); chown it";
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return path + " is accessible to group or others; chmod " + (directory ? "700 " : "600 ") + path;
    if (!directory && st.st_nlink != 1)
        return path + " has " + std::to_string(st.st_nlink) + " hard links; keep exactly one";
    return {};
}

/// Reads `path` under the rules above; nullopt when it does not exist and `absent_ok`.
inline result<std::optional<std::string>> read_private_file(const std::string& path, std::size_t max_bytes, errc code,
                                                            bool absent_ok = false) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT && absent_ok) return std::optional<std::string>();
        if (e == ELOOP) return failure(code, path + " is a symbolic link; point the setting at the file itself");
        return failure(code, path + " cannot be opened: " + std::strerror(e));
    }
    fd_guard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return failure(code, path + " cannot be examined: " + std::strerror(errno));
    if (auto why = private_refusal(path, st, false); !why.empty()) return failure(code, std::move(why));
    if (static_cast<std::size_t>(st.st_size) > max_bytes)
        return failure(code, path + " is larger than " + std::to_string(max_bytes) + " bytes");
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
        return failure(code, path + " changed while it was read; try again");
    }
    return std::optional<std::string>(std::move(content));
}

/// fsync of a directory, so a rename inside it survives a crash.
inline result<void> sync_directory(const std::string& dir, errc code) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return failure(code, dir + " cannot be opened: " + std::strerror(errno));
    fd_guard guard(fd);
    if (::fsync(fd) != 0) return failure(code, dir + " cannot be synced: " + std::strerror(errno));
    return success();
}

/// Replaces `dir/name` with `content` atomically (see above). `temp_suffix` makes the
/// temporary name unique (random bytes, as hex).
inline result<void> write_private_file(const std::string& dir, const std::string& name, std::string_view content,
                                       const std::string& temp_suffix, errc code) {
    const std::string target = dir + "/" + name;
    const std::string temp = dir + "/." + name + ".tmp-" + temp_suffix;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) return failure(code, temp + " cannot be created: " + std::strerror(errno));
    bool keep = false;
    struct remover {
        const std::string& path;
        const bool& keep;
        ~remover() {
            if (!keep) ::unlink(path.c_str());
        }
    } cleanup{temp, keep};
    {
        fd_guard guard(fd);
        // The umask may have taken bits away, never added them; make it exactly 0600.
        if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0)
            return failure(code, temp + " cannot be made private: " + std::strerror(errno));
        std::size_t done = 0;
        while (done < content.size()) {
            const auto n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return failure(code, temp + " cannot be written: " + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd) != 0) return failure(code, temp + " cannot be synced: " + std::strerror(errno));
    }
    if (::rename(temp.c_str(), target.c_str()) != 0)
        return failure(code, temp + " cannot replace " + target + ": " + std::strerror(errno));
    keep = true;
    return sync_directory(dir, code);
}

/// Creates `dir` (mode 0700) if it is missing, then checks it is a directory private to
/// this user. Parents are created 0700 too.
inline result<void> ensure_private_directory(const std::string& dir, errc code) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) return failure(code, dir + " cannot be examined: " + std::strerror(errno));
        for (auto pos = dir.find('/', 1); pos != std::string::npos; pos = dir.find('/', pos + 1)) {
            const std::string up = dir.substr(0, pos);
            if (::mkdir(up.c_str(), S_IRWXU) != 0 && errno != EEXIST)
                return failure(code, up + " cannot be created: " + std::strerror(errno));
        }
        if (::mkdir(dir.c_str(), S_IRWXU) != 0 && errno != EEXIST)
            return failure(code, dir + " cannot be created: " + std::strerror(errno));
        if (::lstat(dir.c_str(), &st) != 0) return failure(code, dir + " cannot be examined: " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) return failure(code, dir + " is a symbolic link; name the directory itself");
    if (auto why = private_refusal(dir, st, true); !why.empty()) return failure(code, std::move(why));
    return success();
}

} // namespace warden::detail
