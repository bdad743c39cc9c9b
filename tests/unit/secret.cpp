#include <warden/credentials/secret.hpp>

#include <catch2/catch.hpp>

#include <sstream>

TEST_CASE("a secret prints only a short digest", "[secret]") {
    warden::secret s(std::string("ghp_supersecretvalue123"));
    std::ostringstream os;
    os << s;
    CHECK(os.str().find("supersecret") == std::string::npos);
    CHECK(os.str().rfind("secret(fp:", 0) == 0);
    CHECK(s.fingerprint().size() == std::string("fp:").size() + 8);
    std::ostringstream empty;
    empty << warden::secret{};
    CHECK(empty.str() == "secret(empty)");
}

TEST_CASE("a secret compares in constant time and moves, not copies", "[secret]") {
    warden::secret s(std::string_view("token-a"));
    CHECK(s.matches("token-a"));
    CHECK_FALSE(s.matches("token-b"));
    CHECK_FALSE(s.matches("token-a "));
    CHECK_FALSE(s.matches(""));
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<warden::secret>);

    warden::secret moved = std::move(s);
    CHECK(moved.reveal() == "token-a");
    CHECK(s.empty()); // NOLINT(bugprone-use-after-move): the moved-from secret is wiped
    warden::secret copy = moved.clone();
    CHECK(copy.reveal() == moved.reveal());
}

TEST_CASE("constructing from an rvalue string wipes the source", "[secret]") {
    std::string source = "short"; // fits the small-string buffer, which a move leaves behind
    warden::secret s(std::move(source));
    CHECK(s.reveal() == "short");
    CHECK(source.empty());
}
