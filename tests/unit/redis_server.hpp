// Test support: a real redis-server on a free loopback port, stopped and started at will.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace warden_test {

/// A TCP port on 127.0.0.1 that is free now and lies below the kernel's ephemeral range: a
/// port that bind(0) handed out could be taken by any outgoing connection (a test's own
/// client included) before Redis binds it; one below the range never is.
inline int free_loopback_port() {
    int lo = 32768, hi = 60999;
    if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
        if (std::fscanf(f, "%d %d", &lo, &hi) != 2) lo = 32768, hi = 60999;
        std::fclose(f);
    }
    thread_local std::mt19937 pick(std::random_device{}());
    for (int attempt = 0; attempt < 200; ++attempt) {
        int port = lo > 21024 ? 20000 + static_cast<int>(pick() % static_cast<unsigned>(lo - 20000))
                              : hi + 1 + static_cast<int>(pick() % static_cast<unsigned>(65535 - hi));
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        if (free) return port;
    }
    throw std::runtime_error("no free port below the ephemeral range");
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
