// warden/transport/http/accept.hpp: the I/O threads (one io_context each) and the accept
// loop that deals connections to them.
#pragma once

#include <warden/transport/http/listen.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include <sched.h>

namespace warden::transport::detail {

/// The cores this process may run on (its CPU affinity: taskset, cgroups cpusets), at least 1.
inline std::size_t usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

/// The I/O threads: one io_context each, so that a connection lives on one thread and needs
/// no strand; connections are dealt to them in turn.
class io_loops {
public:
    explicit io_loops(std::size_t n) {
        for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) {
            loops_.push_back(std::make_unique<net::io_context>(1));
            guards_.emplace_back(loops_.back()->get_executor());
        }
    }
    net::io_context& first() { return *loops_.front(); }
    net::io_context& next() { return *loops_[next_++ % loops_.size()]; }
    /// Runs every loop (the first on the calling thread) until `stop`.
    void run() {
        std::vector<std::thread> pool;
        for (std::size_t i = 1; i < loops_.size(); ++i) pool.emplace_back([this, i] { loops_[i]->run(); });
        loops_.front()->run();
        for (auto& t : pool) t.join();
    }
    void stop() {
        for (auto& l : loops_) l->stop();
    }

private:
    std::vector<std::unique_ptr<net::io_context>> loops_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::size_t next_ = 0;
};

template <class Channel>
net::awaitable<void> accept_loop(http_state& state, tcp::acceptor& acceptor, io_loops& loops) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(loops.next(), net::as_tuple(net::use_awaitable));
        if (ec) {
            if (ec == net::error::operation_aborted || state.stopping) co_return;
            continue; // e.g. EMFILE: keep accepting
        }
        if (++state.connections > state.config.max_connections) {
            --state.connections;
            boost::system::error_code cec;
            socket.close(cec);
            continue;
        }
        auto ex = socket.get_executor();
        net::co_spawn(ex, serve_socket<Channel>(state, std::move(socket)), net::detached);
    }
}

} // namespace warden::transport::detail
