#include <warden/credentials/command.hpp>

#include <warden/credentials/env.hpp>
#include <warden/credentials/first_of.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace wc = warden::credentials;

namespace {
struct helper_dir {
    std::filesystem::path path;
    helper_dir() {
        char tmpl[] = "/tmp/warden-helper-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~helper_dir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
    void write(const std::string& name, const std::string& content) const { std::ofstream(file(name)) << content; }
    int count(const std::string& name) const {
        std::ifstream in(file(name));
        return static_cast<int>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
    }
};
warden::credential_request request(const std::string& name, warden::command_spec spec) {
    warden::credential_request req;
    req.variables = {{name, "from a helper", true, true}};
    req.commands.emplace(name, std::move(spec));
    return req;
}
} // namespace

TEST_CASE("credentials::command runs the helper without a shell and takes its output", "[credentials][command]") {
    wc::command::clear_cache();
    auto r = wc::command::load(request("CMD_T_PLAIN", {.argv = {"printf", "s3cret value; $(not expanded)\n"}}));
    REQUIRE(r);
    CHECK(r.value().find_secret("CMD_T_PLAIN")->reveal() == "s3cret value; $(not expanded)");

    struct row {
        const char* what;
        warden::command_spec spec;
        const char* message;
    };
    const row rows[] = {
        {"a failing helper", {.argv = {"sh", "-c", "echo 'not signed in' >&2; exit 3"}},
         "helper \"sh\" exited with status 3: not signed in"},
        {"a helper that is not there", {.argv = {"/nonexistent/op", "read"}}, "helper \"/nonexistent/op\" cannot be run"},
        {"empty output", {.argv = {"true"}}, "helper \"true\" printed nothing"},
        {"too much output", {.argv = {"head", "-c", "100000", "/dev/zero"}}, "printed more than 65536 bytes"},
        {"a helper that hangs", {.argv = {"sleep", "10"}, .timeout = 300ms}, "helper \"sleep\" timed out after 300 ms"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto started = std::chrono::steady_clock::now();
        auto got = wc::command::run(r.spec);
        REQUIRE_FALSE(got);
        CHECK(got.error().message().find(r.message) != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - started < 3s); // killed, not waited for
    }
}

TEST_CASE("credentials::command caches, refreshes ahead of expiry, and serves a stale value for a while",
          "[credentials][command]") {
    wc::command::clear_cache();
    helper_dir d;
    d.write("value", "first\n");
    const std::string script = "echo run >> " + d.file("calls") + "; cat " + d.file("value");
    warden::command_spec spec{.argv = {"sh", "-c", script}, .ttl = 2s, .refresh_ahead = 1s, .max_stale = 2s};
    std::vector<std::string> degraded;
    auto req = request("CMD_T_CACHED", spec);
    req.degraded = [&](std::string_view line) { degraded.emplace_back(line); };

    CHECK(wc::command::lookup("CMD_T_CACHED", req).value() == "first");
    CHECK(wc::command::lookup("CMD_T_CACHED", req).value() == "first");
    CHECK(d.count("calls") == 1); // cached
    d.write("value", "second\n");
    std::this_thread::sleep_for(1100ms); // inside the refresh window: asked again
    CHECK(wc::command::lookup("CMD_T_CACHED", req).value() == "second");
    CHECK(d.count("calls") == 2);

    // The helper starts failing: the cached value is served, with a warning, until
    // max_stale past its expiry; then the variable is unusable.
    std::filesystem::remove(d.file("value"));
    std::this_thread::sleep_for(1100ms);
    auto stale = wc::command::lookup("CMD_T_CACHED", req);
    REQUIRE(stale);
    CHECK(stale.value() == "second");
    REQUIRE(degraded.size() == 1);
    CHECK(degraded[0].starts_with("CMD_T_CACHED: helper \"sh\" exited with status 1"));
    CHECK(degraded[0].find("second") == std::string::npos);
    std::this_thread::sleep_for(3100ms);
    auto gone = wc::command::lookup("CMD_T_CACHED", req);
    REQUIRE_FALSE(gone);
    auto load = wc::command::load(req);
    REQUIRE_FALSE(load);
    CHECK(load.error().message().find("CMD_T_CACHED: helper \"sh\" exited with status 1") != std::string::npos);
}

TEST_CASE("credentials::command composes with other sources", "[credentials][command]") {
    wc::command::clear_cache();
    ::setenv("CMD_T_ENV", "from-env", 1);
    warden::credential_request req;
    req.variables = {{"CMD_T_HELPER", "", true, true}, {"CMD_T_ENV", "", true, true}};
    req.commands.emplace("CMD_T_HELPER", warden::command_spec{.argv = {"echo", "from-helper"}});
    auto r = wc::first_of<wc::command, wc::env>::load(req);
    REQUIRE(r);
    CHECK(r.value().find_secret("CMD_T_HELPER")->reveal() == "from-helper");
    CHECK(r.value().find_secret("CMD_T_ENV")->reveal() == "from-env");
    ::unsetenv("CMD_T_ENV");
}
