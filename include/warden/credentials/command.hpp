// warden/credentials/command.hpp: credentials printed by a helper program.
//
// Secrets managers come with command-line clients: `op read op://vault/item/field`,
// `vault kv get -field=password secret/db`, `aws secretsmanager get-secret-value
// --secret-id db --query SecretString --output text`. This source runs the helper a
// variable is configured with (settings::credential_commands) and uses what it prints:
//
// - argv is run directly, never through a shell; stdin is /dev/null; the environment is
//   the server's.
// - the helper is killed after `timeout`; more than 64 KiB of output is refused; a
//   non-zero exit or empty output is a failure (its status and the first line of its
//   stderr are reported); one trailing newline is dropped.
// - a value is cached for `ttl` and fetched again `refresh_ahead` before it expires (on
//   the periodic reload), so requests never wait for the helper.
// - when the helper fails and a cached value is less than `max_stale` past its expiry,
//   that value is served with a warning; after that, the variable is unusable and start-up
//   or the reload reports it.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/error.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace warden::credentials {

struct command {
    static constexpr bool production_ready = true;
    static constexpr std::string_view source_name = "credential helpers";
    static constexpr std::size_t max_output = 64 * 1024;

    /// Runs `spec.argv` and returns what it printed (one trailing newline dropped).
    static result<std::string> run(const command_spec& spec) {
        if (spec.argv.empty()) return failure(errc::invalid_argument, "no helper command configured");
        const std::string what = "helper \"" + spec.argv.front() + "\"";
        int out[2], err[2];
        if (::pipe2(out, O_CLOEXEC) != 0) return failure(errc::internal_error, what + ": pipe: " + std::strerror(errno));
        if (::pipe2(err, O_CLOEXEC) != 0) {
            ::close(out[0]);
            ::close(out[1]);
            return failure(errc::internal_error, what + ": pipe: " + std::strerror(errno));
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
        std::vector<char*> argv;
        for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        ::close(err[1]);
        if (spawned != 0) {
            ::close(out[0]);
            ::close(err[0]);
            return failure(errc::invalid_credentials, what + " cannot be run: " + std::strerror(spawned));
        }
        std::string stdout_text, stderr_text;
        bool too_much = false, timed_out = false;
        const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
        pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        int open_fds = 2;
        char buf[4096];
        while (open_fds > 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                timed_out = true;
                break;
            }
            const int n = ::poll(fds, 2, static_cast<int>(left.count()));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) continue;
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                const auto got = ::read(fds[i].fd, buf, sizeof buf);
                if (got <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open_fds;
                    continue;
                }
                auto& text = i == 0 ? stdout_text : stderr_text;
                if (text.size() + static_cast<std::size_t>(got) > max_output) {
                    too_much = true;
                    break;
                }
                text.append(buf, static_cast<std::size_t>(got));
            }
            if (too_much) break;
        }
        for (auto& f : fds)
            if (f.fd >= 0) ::close(f.fd);
        if (timed_out || too_much) ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        auto wipe = [&] { crypto::cleanse(stdout_text.data(), stdout_text.size()); };
        if (timed_out) {
            wipe();
            return failure(errc::timeout, what + " timed out after " + std::to_string(spec.timeout.count()) + " ms");
        }
        if (too_much) {
            wipe();
            return failure(errc::invalid_credentials, what + " printed more than " + std::to_string(max_output) + " bytes");
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            wipe();
            std::string first = stderr_text.substr(0, stderr_text.find('\n')).substr(0, 200);
            return failure(errc::invalid_credentials,
                           what + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                                     : std::string(" was killed by a signal")) +
                               (first.empty() ? std::string() : ": " + first));
        }
        if (stdout_text.ends_with("\r\n")) stdout_text.resize(stdout_text.size() - 2);
        else if (stdout_text.ends_with('\n')) stdout_text.pop_back();
        if (stdout_text.empty()) return failure(errc::invalid_credentials, what + " printed nothing");
        return stdout_text;
    }

    static result<std::optional<std::string>> lookup(const std::string& name, const credential_request& req) {
        auto it = req.commands.find(name);
        if (it == req.commands.end()) return std::optional<std::string>();
        const command_spec& spec = it->second;
        auto& c = cache();
        const auto now = std::chrono::steady_clock::now();
        const std::string key = name + '\0' + join(spec.argv);
        {
            std::lock_guard lock(c.mutex);
            auto hit = c.values.find(key);
            if (hit != c.values.end() && now < hit->second.expires - spec.refresh_ahead)
                return std::optional<std::string>(hit->second.value.reveal());
        }
        auto fetched = run(spec);
        std::lock_guard lock(c.mutex);
        if (fetched) {
            c.values.insert_or_assign(key, cached{secret(std::move(fetched).value()), now + spec.ttl});
            return std::optional<std::string>(c.values.at(key).value.reveal());
        }
        auto hit = c.values.find(key);
        if (hit != c.values.end() && now < hit->second.expires + spec.max_stale) {
            if (req.degraded)
                req.degraded(name + ": " + fetched.error().message() + "; serving the value fetched before (" +
                             (now < hit->second.expires ? std::string("still fresh") : std::string("stale")) + ")");
            return std::optional<std::string>(hit->second.value.reveal());
        }
        if (hit != c.values.end()) c.values.erase(hit);
        return fetched.error();
    }

    static result<credential_set> load(const credential_request& req) { return detail::load_from<command>(req); }

    /// Forgets every cached value (tests).
    static void clear_cache() {
        std::lock_guard lock(cache().mutex);
        cache().values.clear();
    }

private:
    struct cached {
        secret value;
        std::chrono::steady_clock::time_point expires;
    };
    struct store {
        std::mutex mutex;
        std::map<std::string, cached> values;
    };
    static store& cache() {
        static store s;
        return s;
    }
    static std::string join(const std::vector<std::string>& argv) {
        std::string out;
        for (const auto& a : argv) out.append(a).push_back('\0');
        return out;
    }
};

} // namespace warden::credentials
