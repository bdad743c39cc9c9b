#include <warden/storage/file.hpp>

#include <catch2/catch.hpp>

#include "captured_log.hpp"

#include "temp_dir.hpp"

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
namespace ws = warden::storage;
using warden_test::captured_log;
using warden_test::slurp;
using warden_test::temp_dir;

namespace {
std::shared_ptr<ws::file_store> open_store(const std::string& dir, const warden::logger* log = nullptr) {
    auto s = ws::file_store::open({.directory = dir, .server_name = "test-server", .log = log});
    REQUIRE(s);
    return s.value();
}
std::string error_of(const auto& r) {
    REQUIRE_FALSE(r);
    return r.error().message();
}
mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}
} // namespace

TEST_CASE("file storage: the store contract, namespaced per tenant", "[storage][file]") {
    temp_dir d("warden-store");
    auto s = open_store(d / "tokens");
    CHECK_FALSE(s->get("tenant-a", "github").value());
    REQUIRE(s->put("tenant-a", "github", "v1"));
    CHECK(s->get("tenant-a", "github").value() == std::optional<std::string>("v1"));
    CHECK_FALSE(s->get("tenant-b", "github").value());
    REQUIRE(s->put("tenant-a", "github", "v2"));
    CHECK(s->get("tenant-a", "github").value() == std::optional<std::string>("v2"));
    CHECK(s->erase("tenant-a", "github").value());
    CHECK_FALSE(s->erase("tenant-a", "github").value());
    CHECK_FALSE(s->erase("nobody", "github").value());

    CHECK(s->insert_if_absent("replay", "nonce-1", "1", 10s).value());
    CHECK_FALSE(s->insert_if_absent("replay", "nonce-1", "1", 10s).value());

    CHECK(s->compare_and_swap("t", "refresh", std::nullopt, "r1").value());
    CHECK_FALSE(s->compare_and_swap("t", "refresh", std::nullopt, "r1b").value());
    CHECK_FALSE(s->compare_and_swap("t", "refresh", std::string("r0"), "r2").value());
    CHECK(s->compare_and_swap("t", "refresh", std::string("r1"), "r2").value());
    CHECK(s->get("t", "refresh").value() == std::optional<std::string>("r2"));

    // Binary values and awkward names round-trip; no name climbs out of the directory.
    const std::string binary("\0\n\xff warden-record 1 0 3\n", 24);
    REQUIRE(s->put("../../etc", "../passwd", binary));
    REQUIRE(s->put("", "", "empty names"));
    REQUIRE(s->put("a", std::string(300, 'k'), "long name"));
    CHECK(s->get("../../etc", "../passwd").value() == std::optional<std::string>(binary));
    CHECK(s->get("", "").value() == std::optional<std::string>("empty names"));
    CHECK(s->get("a", std::string(300, 'k')).value() == std::optional<std::string>("long name"));
    for (const auto& e : std::filesystem::recursive_directory_iterator(d.path))
        CHECK(e.path().string().starts_with(d / "tokens"));
    CHECK_FALSE(std::filesystem::exists(d.path / "etc"));
}

TEST_CASE("file storage: values expire, also across a reopen", "[storage][file]") {
    temp_dir d("warden-store");
    {
        auto s = open_store(d / "s");
        REQUIRE(s->put("n", "short", "v", 1s));
        REQUIRE(s->put("n", "long", "v", 60s));
        CHECK(s->get("n", "short").value());
    }
    // Reopened until the short one has expired (bounded), never a guessed sleep.
    auto s = open_store(d / "s");
    for (int i = 0; i < 500 && s->get("n", "short").value(); ++i) {
        std::this_thread::sleep_for(10ms);
        s = open_store(d / "s");
    }
    CHECK_FALSE(s->get("n", "short").value());
    CHECK(s->get("n", "long").value());
    CHECK(s->insert_if_absent("n", "short", "again", 1s).value()); // an expired nonce may be used again
}

TEST_CASE("file storage: private files whatever the umask", "[storage][file]") {
    temp_dir d("warden-store");
    const mode_t old = ::umask(0);
    auto s = open_store(d / "a/b/store");
    REQUIRE(s->put("tenant", "key", "secret"));
    ::umask(old);
    CHECK(mode_of(d / "a/b/store") == 0700);
    CHECK(mode_of(d / "a/b/store/tenant") == 0700);
    CHECK(mode_of(d / "a/b/store/tenant/key") == 0600);
    CHECK(mode_of(d / "a/b/store/.lock") == 0600);
}

TEST_CASE("file storage: refuses files and directories others could read or swap", "[storage][file]") {
    temp_dir d("warden-store");
    auto s = open_store(d / "s");
    REQUIRE(s->put("t", "k", "the secret value"));
    const std::string file = d / "s/t/k";

    SECTION("group bits") {
        ::chmod(file.c_str(), 0640);
        const auto e = error_of(s->get("t", "k"));
        CHECK(e.find("chmod 600") != std::string::npos);
        CHECK(e.find("the secret value") == std::string::npos);
        // and a compare-and-swap over it fails closed instead of overwriting
        CHECK_FALSE(s->compare_and_swap("t", "k", std::string("the secret value"), "new"));
    }
    SECTION("world bits") {
        ::chmod(file.c_str(), 0604);
        CHECK(error_of(s->get("t", "k")).find("group or others") != std::string::npos);
    }
    SECTION("a symbolic link") {
        REQUIRE(::rename(file.c_str(), (d / "elsewhere").c_str()) == 0);
        REQUIRE(::symlink((d / "elsewhere").c_str(), file.c_str()) == 0);
        CHECK(error_of(s->get("t", "k")).find("symbolic link") != std::string::npos);
    }
    SECTION("a second hard link") {
        REQUIRE(::link(file.c_str(), (d / "s/t/copy").c_str()) == 0);
        CHECK(error_of(s->get("t", "k")).find("hard links") != std::string::npos);
    }
    SECTION("another owner") {
        if (::geteuid() != 0) {
            WARN("not root: cannot give a file to another user");
            return;
        }
        REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
        CHECK(error_of(s->get("t", "k")).find("belongs to uid 65534") != std::string::npos);
    }
    SECTION("a damaged file") {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << "the secret value, torn";
        const auto e = error_of(s->get("t", "k"));
        CHECK(e.find("not a warden record") != std::string::npos);
        CHECK(e.find("secret") == std::string::npos);
    }
    SECTION("a directory others can enter") {
        REQUIRE(::mkdir((d / "open").c_str(), 0755) == 0);
        ::chmod((d / "open").c_str(), 0755);
        auto r = ws::file_store::open({.directory = d / "open", .server_name = "x"});
        CHECK(error_of(r).find("chmod 700") != std::string::npos);
    }
    SECTION("a directory that is a symbolic link") {
        REQUIRE(::symlink((d / "s").c_str(), (d / "link").c_str()) == 0);
        auto r = ws::file_store::open({.directory = d / "link", .server_name = "x"});
        CHECK(error_of(r).find("symbolic link") != std::string::npos);
    }
}

TEST_CASE("file storage: warns about world-writable places and project directories", "[storage][file]") {
    temp_dir d("warden-store");
    {
        captured_log cap;
        open_store(d / "s", &cap.log);
        CHECK(cap.text().find("world-writable /tmp") != std::string::npos);
    }
    {
        // A project checkout (it has .git) inside a private directory.
        const auto home = d / "home";
        ::mkdir(home.c_str(), 0700);
        ::mkdir((home + "/project").c_str(), 0700);
        ::mkdir((home + "/project/.git").c_str(), 0700);
        captured_log cap;
        open_store(home + "/project/.tokens", &cap.log);
        CHECK(cap.text().find("inside the project " + home + "/project") != std::string::npos);
    }
}

TEST_CASE("file storage: the default location is the per-user configuration directory", "[storage][file]") {
    const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old_xdg ? old_xdg : "";
    ::setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
    CHECK(ws::file_store::default_directory("github-tools").value() == "/home/u/.cfg/github-tools");
    ::unsetenv("XDG_CONFIG_HOME");
    if (const char* h = std::getenv("HOME"); h && *h == '/')
        CHECK(ws::file_store::default_directory("github-tools").value() == std::string(h) + "/.config/github-tools");
    CHECK_FALSE(ws::file_store::default_directory("../etc"));
    CHECK_FALSE(ws::file_store::default_directory(""));
    if (old_xdg) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
}

TEST_CASE("file storage: kill -9 at random moments never leaves a torn or empty file", "[storage][file][crash]") {
    temp_dir d("warden-crash");
    const std::string dir = d / "s";
    // Values large enough that a write takes several system calls.
    auto value = [](long i) {
        std::string v = "value-" + std::to_string(i) + ":";
        v.resize(256 * 1024, static_cast<char>('a' + i % 26));
        return v;
    };
    REQUIRE(open_store(dir)->put("t", "k", value(0)));
    std::mt19937 rng(20261122);
    std::uniform_int_distribution<int> delay_us(0, 20'000);
    constexpr int trials = 200;
    int killed_mid_run = 0;
    for (int trial = 0; trial < trials; ++trial) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto s = ws::file_store::open({.directory = dir, .server_name = "test-server"});
            if (!s) ::_exit(2);
            for (long i = 1;; ++i)
                if (!s.value()->put("t", "k", value(trial * 1'000'000L + i))) ::_exit(3);
        }
        ::usleep(static_cast<useconds_t>(delay_us(rng)));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed_mid_run;
        auto s = open_store(dir);
        auto got = s->get("t", "k");
        REQUIRE(got);
        REQUIRE(got.value());
        const auto& v = *got.value();
        REQUIRE(v.size() == 256 * 1024);
        const auto colon = v.find(':');
        REQUIRE(colon != std::string::npos);
        const long i = std::stol(v.substr(6, colon - 6));
        CHECK(v == value(i));
    }
    CHECK(killed_mid_run == trials);
    // Leftover temporary files are swept when the store opens.
    open_store(dir);
    for (const auto& e : std::filesystem::directory_iterator(dir + "/t"))
        CHECK(e.path().filename() == "k");
}

TEST_CASE("file storage: two processes never lose each other's writes", "[storage][file]") {
    temp_dir d("warden-race");
    const std::string dir = d / "s";
    REQUIRE(open_store(dir)->put("t", "counter", "0"));
    constexpr int per_process = 150;
    std::vector<pid_t> children;
    for (int p = 0; p < 2; ++p) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto s = ws::file_store::open({.directory = dir, .server_name = "test-server"});
            if (!s) ::_exit(2);
            for (int n = 0; n < per_process;) {
                auto cur = s.value()->get("t", "counter");
                if (!cur || !cur.value()) ::_exit(3);
                const auto next = std::to_string(std::stoi(*cur.value()) + 1);
                auto swapped = s.value()->compare_and_swap("t", "counter", cur.value(), next);
                if (!swapped) ::_exit(4);
                if (swapped.value()) ++n;
                // insert_if_absent from both processes: exactly one wins each nonce
                auto won = s.value()->insert_if_absent("nonces", "n" + std::to_string(n % 50), "1", 60s);
                if (!won) ::_exit(5);
            }
            ::_exit(0);
        }
        children.push_back(child);
    }
    for (auto c : children) {
        int status = 0;
        ::waitpid(c, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    CHECK(open_store(dir)->get("t", "counter").value() == std::optional<std::string>(std::to_string(2 * per_process)));
}

TEST_CASE("file storage: threads of one process are ordered too", "[storage][file]") {
    temp_dir d("warden-threads");
    auto s = open_store(d / "s");
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            if (s->insert_if_absent("replay", "same-nonce", "1", 10s).value()) ++winners;
        });
    for (auto& t : threads) t.join();
    CHECK(winners == 1);
}

TEST_CASE("file storage: expired nonces do not pile up", "[storage][file]") {
    temp_dir d("warden-sweep");
    auto s = open_store(d / "s");
    CHECK(s->may_block()); // fsync and a lock between processes: never on an I/O thread
    for (int i = 0; i < 256; ++i) REQUIRE(s->insert_if_absent("replay", "old-" + std::to_string(i), "1", 30ms).value());
    for (int i = 0; i < 500 && s->get("replay", "old-255").value(); ++i) std::this_thread::sleep_for(5ms); // all expired
    for (int i = 0; i < 256; ++i) REQUIRE(s->insert_if_absent("replay", "new-" + std::to_string(i), "1", 10s).value());
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(d.path / "s" / "replay")) files += !e.path().filename().string().starts_with(".");
    CHECK(files == 256);
    CHECK(s->insert_if_absent("replay", "new-0", "1", 10s).value() == false);
}

TEST_CASE("file storage: size caps on writes and reads", "[storage][file]") {
    temp_dir d("warden-cap");
    auto s = ws::file_store::open({.directory = d / "s", .server_name = "x", .max_value_bytes = 1024}).value();
    CHECK(s->put("t", "k", std::string(1024, 'v')));
    const auto e = error_of(s->put("t", "k", std::string(1025, 'v')));
    CHECK(e.find("larger than 1024 bytes") != std::string::npos);
    // A file grown past the cap behind the store's back is refused on read.
    std::ofstream(d / "s/t/big", std::ios::binary) << std::string(8 * 1024, 'x');
    ::chmod((d / "s/t/big").c_str(), 0600);
    CHECK(error_of(s->get("t", "big")).find("is larger than") != std::string::npos);
}

TEST_CASE("file storage: a full disk fails the write cleanly and keeps the old value", "[storage][file][faults]") {
    temp_dir d("warden-full");
    const std::string mount_point = d / "small";
    std::filesystem::create_directory(mount_point);
    // A 16 KiB tmpfs: a disk that fills up. Mounting needs root (as CI runs); elsewhere the
    // test says so instead of passing silently.
    if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=16k,mode=0700") != 0) {
        WARN("cannot mount a tmpfs (" << std::strerror(errno) << "): the full-disk test needs root");
        return;
    }
    struct unmount {
        std::string path;
        ~unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } guard{mount_point};
    auto s = open_store(mount_point + "/store");
    REQUIRE(s->put("tenant", "token", "old-refresh-token"));
    const std::string big(64 * 1024, 'x');
    auto full = s->put("tenant", "token", big);
    REQUIRE_FALSE(full);
    CHECK(full.error().message().find("No space left on device") != std::string::npos);
    CHECK(full.error().message().find("xxxx") == std::string::npos);
    // Nothing lost, nothing half-written, no temporary file left to fill the disk further.
    CHECK(s->get("tenant", "token").value() == "old-refresh-token");
    for (const auto& e : std::filesystem::recursive_directory_iterator(mount_point + "/store")) {
        INFO(e.path().string());
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
    // When there is room again, writes succeed.
    REQUIRE(s->put("tenant", "token", "new-refresh-token"));
    CHECK(s->get("tenant", "token").value() == "new-refresh-token");
}
