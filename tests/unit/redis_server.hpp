// Test support: a real redis-server on a free loopback port, stopped and started at will.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace warden_test {

/// A free TCP port on 127.0.0.1 (bound and released; good enough for a test).
inline int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline bool port_accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

class redis_server {
public:
    /// With `tls_dir` (holding server.pem, server.key, ca.pem), Redis speaks only TLS.
    explicit redis_server(std::string password = {}, std::string dir = "/tmp", std::string tls_dir = {})
        : port_(free_loopback_port()), password_(std::move(password)), dir_(std::move(dir)), tls_dir_(std::move(tls_dir)) {
        start();
    }
    ~redis_server() { stop(); }
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    int port() const { return port_; }
    std::string url() const { return (tls_dir_.empty() ? "redis://127.0.0.1:" : "rediss://127.0.0.1:") + std::to_string(port_); }

    void start() {
        std::vector<std::string> argv = {WARDEN_REDIS_SERVER, "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel",
                                         "warning", "--dir", dir_, "--protected-mode", "no"};
        if (tls_dir_.empty()) {
            argv.insert(argv.end(), {"--port", std::to_string(port_)});
        } else {
            argv.insert(argv.end(), {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                                     tls_dir_ + "/server.pem", "--tls-key-file", tls_dir_ + "/server.key",
                                     "--tls-ca-cert-file", tls_dir_ + "/ca.pem", "--tls-auth-clients", "no"});
        }
        if (!password_.empty()) {
            argv.push_back("--requirepass");
            argv.push_back(password_);
        }
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork");
        if (pid_ == 0) {
            if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
                ::dup2(null, 1);
                ::dup2(null, 2);
            }
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!port_accepts(port_)) {
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("redis-server did not start");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        while (port_accepts(port_)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

private:
    int port_;
    std::string password_;
    std::string dir_;
    std::string tls_dir_;
    pid_t pid_ = -1;
};

} // namespace warden_test
