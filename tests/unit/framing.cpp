#include <warden/transport/http/framing.hpp>

#include <boost/beast/http/message.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace wd = warden::transport::detail;
namespace http = boost::beast::http;

TEST_CASE("framing: folded lines are found in a complete head only", "[http]") {
    CHECK_FALSE(wd::has_folded_line("POST / HTTP/1.1\r\nHost: a\r\nX: b\r\n\r\n"));
    CHECK(wd::has_folded_line("POST / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n"));
    CHECK(wd::has_folded_line("POST / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n"));
    CHECK(wd::has_folded_line("POST / HTTP/1.1\r\n Host: a\r\n\r\n"));
    // Not yet a whole head: the parser waits for more, and so does the check.
    CHECK_FALSE(wd::has_folded_line("POST / HTTP/1.1\r\nX: b\r\n c"));
    // Spaces in the body that follows are not the head's.
    CHECK_FALSE(wd::has_folded_line("POST / HTTP/1.1\r\nHost: a\r\n\r\n{\r\n \"a\": 1}"));
    CHECK_FALSE(wd::has_folded_line("POST / HTTP/1.1\r\nHost: a\r\nX:  spaced  value\r\n\r\n"));
}

TEST_CASE("framing: Host, Origin and Transfer-Encoding as RFC 9112 asks", "[http]") {
    auto check = [](std::initializer_list<std::pair<const char*, const char*>> fields, bool chunked = false,
                    unsigned version = 11) {
        http::request_header<> h;
        h.version(version);
        for (auto [name, value] : fields) h.insert(name, value);
        return wd::check_head(h, chunked);
    };
    CHECK_FALSE(check({{"Host", "a.example:8080"}}));
    CHECK_FALSE(check({{"Host", "[::1]:80"}}));
    CHECK_FALSE(check({{"Host", "a"}, {"Transfer-Encoding", "chunked"}}, true));
    CHECK_FALSE(check({}, false, 10)); // HTTP/1.0 needs no Host
    auto status = [&](auto r) { return r ? static_cast<unsigned>(r->status) : 0u; };
    CHECK(status(check({})) == 400);
    CHECK(status(check({{"Host", "a"}, {"Host", "a"}})) == 400);
    CHECK(status(check({{"Host", "u:p@a"}})) == 400);
    CHECK(status(check({{"Host", "a b"}})) == 400);
    CHECK(status(check({{"Host", "a"}, {"Origin", "http://a"}, {"Origin", "http://a"}})) == 400);
    CHECK(status(check({{"Host", "a"}, {"Transfer-Encoding", "gzip"}})) == 400);
    CHECK(status(check({{"Host", "a"}, {"Transfer-Encoding", "gzip, chunked"}}, true)) == 501);
    CHECK(status(check({{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "1"}}, true)) == 400);
    CHECK(check({{"Host", "a"}, {"Host", "b"}})->reason == "more than one Host field");
}
