// session_dispatch: how many JSON-RPC requests per second one warden session handles,
// without a transport: parse, dispatch, convert typed arguments, run the handler on the
// worker pool, serialize the response. The transport benchmarks (HTTP) build on this one.
//
//     session_dispatch [REQUESTS] [WORKERS]      (defaults: 200000 requests, 1 worker)
//
// Bounded in count; prints one line per method measured.
#include <warden/mcp/registry.hpp>
#include <warden/mcp/session.hpp>

#include <boost/asio/thread_pool.hpp>
#include <boost/describe/class.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace {
struct add_args {
    double a;
    double b;
};
BOOST_DESCRIBE_STRUCT(add_args, (), (a, b))

class counter final : public warden::mcp::outbound {
public:
    void send(std::string message, const boost::json::value*, bool final) override {
        bytes_ += message.size();
        if (final && ++count_ == target_) {
            std::lock_guard lock(mutex_);
            cv_.notify_all();
        }
    }
    void expect(std::size_t n) {
        count_ = 0;
        target_ = n;
    }
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return count_.load() >= target_; });
    }

private:
    std::atomic<std::size_t> count_{0}, bytes_{0};
    std::size_t target_ = 0;
    std::mutex mutex_;
    std::condition_variable cv_;
};
} // namespace

int main(int argc, char** argv) {
    const std::size_t requests = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200'000;
    const std::size_t workers = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
    auto registry = std::make_shared<warden::mcp::registry>();
    auto handler = [](const add_args& a) { return warden::tool_result::text(std::to_string(a.a + a.b)); };
    registry->add_tool({.name = "add", .description = "adds"}, warden::mcp::make_tool_handler(handler),
                       warden::mcp::input_schema_for<decltype(handler)>(), std::nullopt);
    boost::asio::thread_pool pool(workers);
    auto out = std::make_shared<counter>();
    warden::principal caller;
    caller.unrestricted = true;
    auto session = std::make_shared<warden::mcp::session>(
        registry, std::make_shared<warden::server_info>(warden::server_info{"bench", "0"}),
        warden::mcp::session_options{.max_in_flight = requests + 1}, caller,
        std::make_shared<warden::credential_set>(), pool.get_executor(), out,
        std::make_shared<warden::logger>(warden::log_level::critical));
    out->expect(1);
    session->receive_text(
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
    out->wait();

    auto measure = [&](const char* name, auto make) {
        std::vector<std::string> messages;
        messages.reserve(requests);
        for (std::size_t i = 0; i < requests; ++i) messages.push_back(make(i + 1));
        out->expect(requests);
        const auto start = std::chrono::steady_clock::now();
        for (const auto& m : messages) session->receive_text(m);
        out->wait();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-12s %8zu requests  %6.3f s  %9.0f req/s  (%zu worker%s)\n", name, requests, s, requests / s,
                    workers, workers == 1 ? "" : "s");
    };
    measure("ping", [](std::size_t i) { return R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"ping"})"; });
    measure("tools/call", [](std::size_t i) {
        return R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
               R"(,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}})";
    });
    session->close();
    pool.join();
    return 0;
}
