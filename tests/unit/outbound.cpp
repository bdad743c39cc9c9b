#include <warden/mcp/outbound.hpp>

#include <warden/server_info.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {
struct recorder final : warden::mcp::outbound {
    struct sent {
        std::string message;
        boost::json::value related;
        bool final;
    };
    std::vector<sent> log;
    void send(std::string m, const boost::json::value* related, bool final) override {
        log.push_back({std::move(m), related ? *related : boost::json::value(), final});
    }
};
} // namespace

TEST_CASE("a transport that does not map error codes sends error responses as responses", "[outbound]") {
    recorder r;
    const boost::json::value id = 7;
    r.send_error_response(R"({"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"x"}})", id, -32601);
    REQUIRE(r.log.size() == 1);
    CHECK(r.log[0].related == id);
    CHECK(r.log[0].final); // it ends request 7
    r.abandoned(id);        // by default nothing is sent for an abandoned request
    CHECK(r.log.size() == 1);
}

TEST_CASE("server_info is an aggregate with every member defaulted", "[outbound]") {
    const warden::server_info info{.name = "n", .version = "1"};
    CHECK(info.title.empty());
    CHECK(info.instructions.empty());
}
