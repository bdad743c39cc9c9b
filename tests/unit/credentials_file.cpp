#include <warden/credentials/file.hpp>

#include <warden/credentials/env.hpp>
#include <warden/credentials/first_of.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
namespace wc = warden::credentials;

namespace {
struct temp_dir {
    fs::path path;
    temp_dir() {
        char tmpl[] = "/tmp/warden-creds-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~temp_dir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
        const auto p = path / name;
        std::ofstream(p, std::ios::binary) << content;
        ::chmod(p.c_str(), mode);
        return p.string();
    }
};
warden::credential_request request_for(std::initializer_list<const char*> names, const std::string& dir) {
    warden::credential_request req;
    for (auto n : names) req.variables.push_back({n, std::string("the ") + n, true, true});
    req.directory = dir;
    return req;
}
} // namespace

TEST_CASE("credentials::file reads NAME from the directory, one trailing newline dropped", "[credentials]") {
    temp_dir d;
    d.write("API_TOKEN", "tok-123\n");
    d.write("CRLF", "line\r\n");
    d.write("TWO_NEWLINES", "v\n\n");
    auto r = wc::file::load(request_for({"API_TOKEN", "CRLF", "TWO_NEWLINES"}, d.path));
    REQUIRE(r);
    CHECK(r.value().find_secret("API_TOKEN")->reveal() == "tok-123");
    CHECK(r.value().find_secret("CRLF")->reveal() == "line");
    CHECK(r.value().find_secret("TWO_NEWLINES")->reveal() == "v\n");
}

TEST_CASE("credentials::file refuses unsafe files, naming the path and the fix", "[credentials]") {
    temp_dir d;
    const auto loose = d.write("LOOSE", "s3cret-value", 0640);
    auto r = wc::file::read(loose);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == loose + " is accessible to group or others; chmod 600 " + loose);
    CHECK(r.error().message().find("s3cret") == std::string::npos);

    const auto target = d.write("TARGET", "x");
    fs::create_symlink(target, d.path / "LINK");
    auto link = wc::file::read((d.path / "LINK").string());
    REQUIRE_FALSE(link);
    CHECK(link.error().message().find("symbolic link") != std::string::npos);

    fs::create_directory(d.path / "DIR");
    ::chmod((d.path / "DIR").c_str(), 0700);
    auto dir = wc::file::read((d.path / "DIR").string());
    REQUIRE_FALSE(dir);
    CHECK(dir.error().message().find("not a regular file") != std::string::npos);

    fs::create_hard_link(target, d.path / "HARD");
    auto hard = wc::file::read(target);
    REQUIRE_FALSE(hard);
    CHECK(hard.error().message().find("2 hard links") != std::string::npos);

    const auto big = d.write("BIG", std::string(wc::file::max_bytes + 1, 'x'));
    auto too_big = wc::file::read(big);
    REQUIRE_FALSE(too_big);
    CHECK(too_big.error().message().find("larger than") != std::string::npos);

    if (::geteuid() == 0) { // only root can give a file away
        const auto foreign = d.write("FOREIGN", "x");
        REQUIRE(::chown(foreign.c_str(), 4242, 4242) == 0);
        auto theirs = wc::file::read(foreign);
        REQUIRE_FALSE(theirs);
        CHECK(theirs.error().message().find("belongs to uid 4242") != std::string::npos);
    } else {
        WARN("not root: cannot give a file to another user, so a foreign owner is not checked here");
    }
}

TEST_CASE("credentials::file: NAME_FILE names a file; every problem is listed at once", "[credentials]") {
    temp_dir d;
    const auto named = d.write("elsewhere", "from-named-file");
    ::setenv("WARDEN_T_NAMED_FILE", named.c_str(), 1);
    d.write("WARDEN_T_LOOSE", "x", 0644);
    auto req = request_for({"WARDEN_T_NAMED", "WARDEN_T_LOOSE", "WARDEN_T_ABSENT"}, d.path);
    auto r = wc::file::load(req);
    REQUIRE_FALSE(r);
    const auto m = r.error().message();
    CHECK(m.find("1 required credential missing, 1 unusable") != std::string::npos);
    CHECK(m.find("WARDEN_T_LOOSE: ") != std::string::npos);
    CHECK(m.find("chmod 600") != std::string::npos);
    CHECK(m.find("WARDEN_T_ABSENT - the WARDEN_T_ABSENT") != std::string::npos);
    // A NAME_FILE that points nowhere is an error, not an absence: the operator meant it.
    ::setenv("WARDEN_T_NAMED_FILE", (d.path / "nope").c_str(), 1);
    auto gone = wc::file::lookup("WARDEN_T_NAMED", req);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().message().find("(named by WARDEN_T_NAMED_FILE)") != std::string::npos);
    ::unsetenv("WARDEN_T_NAMED_FILE");
}

TEST_CASE("credentials::first_of takes each variable from the first source that has it", "[credentials]") {
    using source = wc::first_of<wc::file, wc::env>;
    STATIC_REQUIRE(source::production_ready);
    temp_dir d;
    d.write("WARDEN_T_BOTH", "from-file");
    ::setenv("WARDEN_T_BOTH", "from-env", 1);
    ::setenv("WARDEN_T_ENV_ONLY", "env-only", 1);
    auto r = source::load(request_for({"WARDEN_T_BOTH", "WARDEN_T_ENV_ONLY"}, d.path));
    REQUIRE(r);
    CHECK(r.value().find_secret("WARDEN_T_BOTH")->reveal() == "from-file");
    CHECK(r.value().find_secret("WARDEN_T_ENV_ONLY")->reveal() == "env-only");
    // An unusable file stops the search: the environment does not silently stand in.
    d.write("WARDEN_T_BOTH", "loose", 0644);
    auto refused = source::load(request_for({"WARDEN_T_BOTH"}, d.path));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("chmod 600") != std::string::npos);
    ::unsetenv("WARDEN_T_BOTH");
    ::unsetenv("WARDEN_T_ENV_ONLY");
}
