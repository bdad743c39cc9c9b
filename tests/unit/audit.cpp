// The audit log on its own: every line recorded reaches the sink in the order it was
// recorded, from any number of threads; a slow or failing sink costs dropped lines (counted),
// never a blocked caller; one "call" line joins an allowed authentication and its tool's
// authorization when asked to.
#include <warden/audit.hpp>

#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace w = warden;
using namespace std::chrono_literals;

namespace {

std::vector<boost::json::object> lines_of(const std::string& file) {
    std::ifstream in(file);
    std::vector<boost::json::object> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(boost::json::parse(line).as_object());
    return out;
}

/// A log with one_line_per_allowed_call that parses each line into `got`.
std::shared_ptr<w::audit_log> joining_log(std::vector<boost::json::object>& got) {
    return w::audit_log::open({.enabled = true,
                               .sink = [&got](std::string_view line) { got.push_back(boost::json::parse(line).as_object()); },
                               .one_line_per_allowed_call = true},
                              false)
        .value();
}

std::uint64_t dropped_metric() { return w::metrics::global().audit_dropped_lines.with({}).value(); }

} // namespace

TEST_CASE("audit log: lines from many threads reach the file whole, once, in the order they were recorded",
          "[audit]") {
    warden_test::temp_dir dir;
    const std::string file = dir / "audit.log";
    constexpr int threads = 4, per_thread = 3000;
    {
        auto log = w::audit_log::open({.enabled = true, .file = file}, false).value();
        // Each line's rpc_id is taken under the same lock as its record: the order the lines
        // must come out in.
        std::mutex order;
        std::int64_t next = 0;
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                const w::principal who{.subject = "user-" + std::to_string(t), .scheme = "bearer"};
                for (int i = 0; i < per_thread; ++i) {
                    std::lock_guard lock(order);
                    const boost::json::value id = next++;
                    log->record({.event = "authorization", .decision = "allow", .reason = "ok",
                                 .scheme = "bearer", .who = &who, .tool = "t", .rpc_id = &id});
                }
            });
        for (auto& th : pool) th.join();
        CHECK(log->dropped() == 0);
    } // destroyed: everything recorded is written

    const auto lines = lines_of(file);
    REQUIRE(lines.size() == threads * per_thread);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        INFO("line " << i);
        REQUIRE(lines[i].at("rpc_id") == static_cast<std::int64_t>(i));
    }
}

TEST_CASE("audit log: flush() hands what was recorded to the sink before it returns", "[audit]") {
    warden_test::temp_dir dir;
    const std::string file = dir / "audit.log";
    auto log = w::audit_log::open({.enabled = true, .file = file}, false).value();
    log->record({.event = "authentication", .decision = "deny", .reason = "invalid_token", .status = 401});
    log->flush();
    auto lines = lines_of(file);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("status") == 401);
    log->record({.event = "authentication", .decision = "deny", .reason = "no_credentials", .status = 401});
    log->flush();
    CHECK(lines_of(file).size() == 2);
}

TEST_CASE("audit log: a sink slower than the callers drops lines and counts them, and never blocks a caller",
          "[audit]") {
    std::promise<void> release;
    auto released = release.get_future().share();
    std::mutex got_mutex;
    std::vector<std::string> got;
    const auto dropped_before = dropped_metric();
    constexpr int total = 2000;
    std::uint64_t dropped = 0;
    {
        auto log = w::audit_log::open({.enabled = true,
                                       .sink = [&](std::string_view line) {
                                           released.wait(); // a pipe nobody reads
                                           std::lock_guard lock(got_mutex);
                                           got.emplace_back(line);
                                       },
                                       .max_pending_per_thread = 4096},
                                      false)
                       .value();
        const w::principal who{.subject = "someone"};
        const auto started = std::chrono::steady_clock::now();
        for (int i = 0; i < total; ++i) {
            const boost::json::value id = i;
            log->record({.event = "authorization", .decision = "allow", .reason = "ok", .who = &who, .rpc_id = &id});
            if (i == 10) std::this_thread::sleep_for(300ms); // the writer takes the first lines, and waits
        }
        // 2000 lines (300 ms of it the pause above) took far less than the sink would need.
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        dropped = log->dropped();
        CHECK(dropped > 0);
        CHECK(dropped < total);
        CHECK(dropped_metric() - dropped_before == dropped);
        release.set_value();
    } // what was kept is written at the end
    CHECK(got.size() + dropped == total);
    // What arrives is whole, without its newline, and in order.
    std::int64_t last = -1;
    for (const auto& line : got) {
        REQUIRE(line.find('\n') == std::string::npos);
        const auto id = boost::json::parse(line).at("rpc_id").as_int64();
        CHECK(id > last);
        last = id;
    }
}

TEST_CASE("audit log: lines a full disk refuses are counted as dropped", "[audit]") {
    auto log = w::audit_log::open({.enabled = true, .file = "/dev/full"}, false).value();
    for (int i = 0; i < 5; ++i) log->record({.event = "authentication", .decision = "deny", .reason = "invalid_token"});
    log->flush();
    CHECK(log->dropped() == 5);
}

TEST_CASE("audit log: one line per allowed call when asked, two when either side denies", "[audit]") {
    std::vector<boost::json::object> got;
    {
        auto log = joining_log(got);
        const w::principal who{.subject = "ci", .scheme = "bearer", .client = "app"};
        auto authenticated = [&](std::string_view request_id) {
            log->record_pending({.event = "authentication", .decision = "allow", .reason = "ok", .scheme = "bearer",
                                 .who = &who, .http = "POST /mcp", .request_id = request_id, .address = "127.0.0.1",
                                 .credential = "fp:0123456789abcdef"});
        };
        auto authorized = [&](std::string_view request_id, bool allow, std::int64_t rpc) {
            const boost::json::value id = rpc;
            log->record({.event = "authorization", .decision = allow ? "allow" : "deny",
                         .reason = allow ? "ok" : "insufficient_scope", .status = allow ? 0u : 403u, .scheme = "bearer",
                         .who = &who, .method = "tools/call", .tool = "reader", .request_id = request_id,
                         .rpc_id = &id, .address = "127.0.0.1"});
        };
        authenticated("r-1");
        authorized("r-1", true, 1); // one "call" line
        log->settle("r-1");         // nothing left to write
        authenticated("r-2");
        authorized("r-2", false, 2); // the authentication line, then the denial
        log->settle("r-2");
        authenticated("r-3");
        log->settle("r-3"); // not a tools/call: the authentication line alone
        authenticated("r-4"); // never settled: written when the log ends
    }
    REQUIRE(got.size() == 5);
    const auto& call = got[0];
    CHECK(call.at("event") == "call");
    CHECK(call.at("decision") == "allow");
    CHECK(call.at("subject") == "ci");
    CHECK(call.at("client") == "app");
    CHECK(call.at("tool") == "reader");
    CHECK(call.at("method") == "tools/call");
    CHECK(call.at("rpc_id") == 1);
    CHECK(call.at("http") == "POST /mcp");
    CHECK(call.at("credential") == "fp:0123456789abcdef");
    CHECK(call.at("request_id") == "r-1");
    CHECK(got[1].at("event") == "authentication");
    CHECK(got[1].at("request_id") == "r-2");
    CHECK(got[2].at("event") == "authorization");
    CHECK(got[2].at("decision") == "deny");
    CHECK(got[2].at("status") == 403);
    CHECK(got[3].at("event") == "authentication");
    CHECK(got[3].at("request_id") == "r-3");
    CHECK_FALSE(got[3].contains("rpc_id"));
    CHECK(got[4].at("request_id") == "r-4");
}

TEST_CASE("audit log: a call authorized on another thread (a worker) still joins its authentication", "[audit]") {
    std::vector<boost::json::object> got;
    {
        auto log = joining_log(got);
        const w::principal who{.subject = "ci"};
        log->record_pending({.event = "authentication", .decision = "allow", .reason = "ok", .who = &who,
                             .request_id = "r-9", .credential = "fp:00"});
        std::thread([&] {
            log->record({.event = "authorization", .decision = "allow", .reason = "ok", .who = &who,
                         .tool = "slow", .request_id = "r-9"});
        }).join();
        log->settle("r-9");
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0].at("event") == "call");
    CHECK(got[0].at("tool") == "slow");
    CHECK(got[0].at("credential") == "fp:00");
}

TEST_CASE("audit log: without one_line_per_allowed_call, a pending authentication is written at once", "[audit]") {
    std::vector<std::string> got;
    {
        auto log = w::audit_log::open({.enabled = true, .sink = [&](std::string_view l) { got.emplace_back(l); }},
                                      false)
                       .value();
        log->record_pending({.event = "authentication", .decision = "allow", .reason = "ok", .request_id = "r"});
        log->record({.event = "authorization", .decision = "allow", .reason = "ok", .request_id = "r"});
    }
    REQUIRE(got.size() == 2);
    CHECK(boost::json::parse(got[0]).at("event") == "authentication");
    CHECK(boost::json::parse(got[1]).at("event") == "authorization");
}
