// warden/transport/stdio.hpp: newline-delimited JSON-RPC over stdin and stdout.
//
// The transport MCP clients use to launch a local server as a child process. stdout
// carries protocol messages only (one per line); diagnostics go to stderr. A malformed
// line is answered with -32700 and the server keeps serving; a line longer than the
// session's `max_message_bytes` is discarded as it arrives (memory stays bounded) and
// answered with -32600. Requests are served concurrently. On end of input the server lets
// in-flight requests finish (up to `shutdown_grace`) and exits 0; on SIGTERM or SIGINT it
// cancels them first.
#pragma once

#include <warden/detail/server_core.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/session.hpp>
#include <warden/traits.hpp>
#include <warden/transport/modern_only.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace warden {
namespace transport {

namespace detail {

/// Writes whole lines to a file descriptor, one writer at a time.
class line_writer final : public mcp::outbound {
public:
    explicit line_writer(int fd) : fd_(fd) {}

    void send(std::string message, const boost::json::value*, bool) override {
        message.push_back('\n');
        std::lock_guard lock(mutex_);
        if (broken_) return;
        const char* p = message.data();
        std::size_t left = message.size();
        while (left) {
            ssize_t n = ::write(fd_, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                broken_ = true; // the client went away; nothing more can reach it
                return;
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }
    bool broken() const {
        std::lock_guard lock(mutex_);
        return broken_;
    }

private:
    int fd_;
    mutable std::mutex mutex_;
    bool broken_ = false;
};

/// Serves one session on `in_fd`/`out_fd` until end of input or a stop signal.
inline int serve_stdio(warden::detail::server_core& core, const principal& caller, int in_fd = 0, int out_fd = 1) {
    ::signal(SIGPIPE, SIG_IGN);
    int wake[2];
    if (::pipe(wake) != 0) {
        core.log().error("stdio: cannot create a pipe");
        return 1;
    }
    std::atomic<bool> signalled{false};
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        signalled = true;
        const char b = 1;
        (void)!::write(wake[1], &b, 1);
    });
    std::thread signal_thread([&] { signals_io.run(); });
    core.set_stopper([&] {
        signalled = true;
        const char b = 1;
        (void)!::write(wake[1], &b, 1);
    });

    auto out = std::make_shared<line_writer>(out_fd);
    auto session = core.open_session(caller, out);
    const std::size_t cap = core.config().session.max_message_bytes;

    std::string line;
    bool discarding = false;
    std::size_t discarded = 0;
    char buf[64 * 1024];
    auto finish_line = [&] {
        if (discarding) {
            out->send(boost::json::serialize(mcp::jsonrpc::make_error(
                          nullptr, mcp::jsonrpc::invalid_request,
                          "message of more than " + std::to_string(cap) + " bytes refused (" +
                              std::to_string(discarded) + " bytes discarded)")),
                      nullptr, true);
            discarding = false;
            discarded = 0;
        } else {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") != std::string::npos) session->receive_text(line);
        }
        line.clear();
    };

    bool eof = false;
    while (!signalled && !eof && !out->broken()) {
        pollfd fds[2] = {{in_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
        int r = ::poll(fds, 2, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        if (!fds[0].revents) continue;
        ssize_t n = ::read(in_fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            eof = true;
            break;
        }
        if (n == 0) {
            eof = true;
            break;
        }
        std::string_view chunk(buf, static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            auto nl = chunk.find('\n');
            std::string_view part = chunk.substr(0, nl);
            if (discarding) {
                discarded += part.size();
            } else if (line.size() + part.size() > cap) {
                discarding = true;
                discarded = line.size() + part.size();
                line.clear();
                line.shrink_to_fit();
            } else {
                line.append(part);
            }
            if (nl == std::string_view::npos) break;
            finish_line();
            chunk.remove_prefix(nl + 1);
        }
    }
    if (eof && !line.empty() && !discarding) finish_line(); // a last message without its newline

    const auto grace = core.config().shutdown_grace;
    session->end_listens(); // subscriptions/listen requests end with their result
    if (signalled) {
        core.log().info("stdio: stopping; cancelling in-flight requests");
        session->close();
    }
    bool idle = session->wait_idle(std::chrono::steady_clock::now() + grace);
    if (!idle) {
        session->close(); // cancel whatever is left, then give it one more grace period
        idle = session->wait_idle(std::chrono::steady_clock::now() + grace);
    }
    session->close();
    core.clear_stopper();
    signals.cancel();
    signals_io.stop();
    signal_thread.join();
    ::close(wake[0]);
    ::close(wake[1]);
    if (!idle) {
        core.log().error("stdio: handlers still running after the shutdown grace period; exiting without them");
        std::fflush(stderr);
        std::_Exit(1);
    }
    core.stop_workers();
    return 0;
}

} // namespace detail

/// The stdio transport policy: a local process, no HTTP headers.
struct stdio {
    static constexpr channel_security channel = channel_security::local_process;
    static constexpr bool carries_http_headers = false;
    static constexpr bool verifies_client_certificates = false;
    static constexpr bool serves_session_era = true; ///< initialize, besides 2026-07-28

    /// Serves one session on stdin/stdout; the caller is `Auth::local_principal()`.
    template <class Auth>
    static int serve(warden::detail::server_core& core) {
        return detail::serve_stdio(core, Auth::local_principal());
    }
};

} // namespace transport
} // namespace warden
