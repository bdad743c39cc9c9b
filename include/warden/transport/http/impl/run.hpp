// warden/transport/http/impl/run.hpp: `run_http<Channel>`: the listener, the metrics
// listener, idle-session expiry, credential reloads (SIGHUP and periodic) and graceful
// shutdown, with the scheme already in `state.auth`.
// Included by warden/transport/http/serve.hpp, or compiled once for every channel by
// <warden/src.hpp>.
#pragma once

#include <warden/transport/http/serve.hpp>

#include <warden/transport/http/accept.hpp>
#include <warden/transport/http/metrics_listener.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>

namespace warden::transport::detail {

template <class Channel>
int run_http(http_state& state, const net::ip::address& listen_address) {
    warden::detail::server_core& core = state.core;
    const http_settings& cfg = state.config;
    const std::size_t threads = cfg.io_threads ? cfg.io_threads : usable_cores();
    io_loops loops(threads);
    net::io_context& ioc = loops.first();
    tcp::acceptor acceptor(ioc);
    boost::system::error_code ec;
    tcp::endpoint endpoint(listen_address, cfg.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        core.log().error("cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(cfg.port) + ": " +
                         ec.message());
        return exit_config_error;
    }
    const auto port = acceptor.local_endpoint().port();
    const bool on_loopback = listen_address.is_loopback();
    if (on_loopback) {
        for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) {
            state.allowed_hosts.push_back(std::string(h) + ":" + std::to_string(port));
            if (port == (Channel::encrypted ? 443 : 80)) state.allowed_hosts.emplace_back(h);
        }
    }
    bool any_host = false;
    for (const auto& h : cfg.allowed_hosts) {
        if (h == "*") any_host = true;
        else state.allowed_hosts.push_back(lower(h));
    }
    state.allowed_hosts.insert(state.allowed_hosts.end(), state.certificate_hosts.begin(), state.certificate_hosts.end());
    state.check_hosts = !any_host && (on_loopback || !state.allowed_hosts.empty());
    if (!state.certificate_hosts.empty()) {
        std::string names;
        for (const auto& h : state.certificate_hosts) names += (names.empty() ? "" : ", ") + h;
        core.log().info("Host checked against the TLS certificate's names: " + names);
    } else if (!state.check_hosts && !any_host) {
        core.log().warn("any Host header is answered (no allowed-host list; profile::development or test)");
    }

    const std::string host_text = listen_address.is_v6() ? "[" + listen_address.to_string() + "]"
                                                          : listen_address.to_string();
    core.log().info(std::string("listening on ") + (Channel::encrypted ? "https://" : "http://") + host_text + ":" +
                    std::to_string(port) + cfg.path + (cfg.stateless ? " (stateless)" : ""));

    tcp::acceptor metrics_acceptor(ioc);
    if (cfg.metrics_port) {
        if (auto r = listen_metrics(cfg, metrics_acceptor); !r) {
            core.log().error(r.error().message());
            return exit_config_error;
        }
        const auto m = metrics_acceptor.local_endpoint();
        core.log().info("metrics on http://" + (m.address().is_v6() ? "[" + m.address().to_string() + "]"
                                                                     : m.address().to_string()) +
                        ":" + std::to_string(m.port()) + "/metrics");
        core.set_metrics_port(m.port());
        net::co_spawn(ioc, metrics_accept_loop(metrics_acceptor), net::detached);
    }

    // A coroutine lambda's captures die with the lambda: the loop is a function instead.
    net::co_spawn(ioc, accept_loop<Channel>(state, acceptor, loops), net::detached);


    // Idle session expiry.
    net::steady_timer sweeper(ioc);
    const auto sweep_every = std::clamp<std::chrono::milliseconds>(cfg.session_idle_timeout / 4,
                                                                   std::chrono::milliseconds(50), std::chrono::seconds(30));
    std::function<void()> arm_sweeper = [&] {
        sweeper.expires_after(sweep_every);
        sweeper.async_wait([&](boost::system::error_code wec) {
            if (wec) return;
            if (auto n = state.sessions.expire()) core.log().debug("expired " + std::to_string(n) + " idle sessions");
            arm_sweeper();
        });
    };
    arm_sweeper();

    // Credential reloads, on SIGHUP and every credential_reload_interval, run on the
    // worker pool (a credential helper may take its time), one at a time.
    std::atomic<bool> reloading{false};
    auto reload = [&core, &reloading](bool asked) {
        if (reloading.exchange(true)) return;
        net::post(core.workers(), [&core, &reloading, asked] {
            auto r = core.reload_credentials();
            if (!r)
                core.log().error("credential reload failed, keeping the previous credentials: " + r.error().message());
            else if (r.value())
                core.log().info("credentials reloaded: changes are in force");
            else if (asked)
                core.log().info("credentials reloaded: nothing changed");
            reloading = false;
        });
    };
    net::signal_set hangup(ioc, SIGHUP);
    std::function<void()> arm_hangup = [&] {
        hangup.async_wait([&](boost::system::error_code hec, int) {
            if (hec) return;
            reload(true);
            arm_hangup();
        });
    };
    arm_hangup();
    net::steady_timer reloader(ioc);
    const auto reload_every = core.config().credential_reload_interval;
    std::function<void()> arm_reloader = [&] {
        if (reload_every.count() <= 0) return;
        reloader.expires_after(reload_every);
        reloader.async_wait([&](boost::system::error_code rec) {
            if (rec) return;
            reload(false);
            arm_reloader();
        });
    };
    arm_reloader();

    // Graceful shutdown: stop accepting, end GET streams, let requests in flight finish
    // within the grace period, then cancel what is left.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer drain(ioc);
    std::chrono::steady_clock::time_point deadline;
    bool cancelled_rest = false;
    std::function<void()> wait_drained = [&] {
        drain.expires_after(std::chrono::milliseconds(20));
        drain.async_wait([&](boost::system::error_code) {
            if (state.in_flight == 0 || std::chrono::steady_clock::now() > deadline + std::chrono::seconds(2)) {
                loops.stop();
                return;
            }
            if (!cancelled_rest && std::chrono::steady_clock::now() > deadline) {
                cancelled_rest = true;
                state.sessions.for_each([](http_session& s) { s.close(); });
                state.close_requests();
            }
            wait_drained();
        });
    };
    auto begin_stop = [&] {
        if (state.stopping.exchange(true)) return;
        core.log().info("stopping; finishing requests in flight");
        boost::system::error_code cec;
        acceptor.close(cec);
        metrics_acceptor.close(cec);
        sweeper.cancel();
        reloader.cancel();
        hangup.cancel();
        state.sessions.for_each([](http_session& s) { s.close_standalone(); });
        core.for_each_session([](mcp::session& s) { s.end_listens(); }); // subscriptions/listen streams
        deadline = std::chrono::steady_clock::now() + core.config().shutdown_grace;
        signals.cancel();
        wait_drained();
    };
    signals.async_wait([&](boost::system::error_code sec, int) {
        if (!sec) begin_stop();
    });
    core.set_listening_port(port);
    core.set_stopper([&ioc, &begin_stop] { net::post(ioc, begin_stop); });

    loops.run();
    core.clear_stopper();
    core.clear_credential_listeners();
    state.sessions.for_each([](http_session& s) { s.close(); });
    core.stop_workers();
    state.auth.load()->stop_background();
    core.log().info("stopped");
    return 0;
}

} // namespace warden::transport::detail
