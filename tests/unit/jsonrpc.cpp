#include <warden/mcp/jsonrpc.hpp>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

namespace rpc = warden::mcp::jsonrpc;
using boost::json::parse;

TEST_CASE("classify JSON-RPC messages", "[jsonrpc]") {
    CHECK(rpc::classify(parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")).what == rpc::kind::request);
    CHECK(rpc::classify(parse(R"({"jsonrpc":"2.0","method":"notifications/x"})")).what == rpc::kind::notification);
    CHECK(rpc::classify(parse(R"({"jsonrpc":"2.0","id":"a","result":{}})")).what == rpc::kind::response);
    CHECK(rpc::classify(parse(R"({"jsonrpc":"2.0","id":"a","error":{"code":1,"message":"m"}})")).what ==
          rpc::kind::response);
    const char* invalid[] = {
        R"([])", R"(1)", R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
        R"({"jsonrpc":"2.0","id":1,"method":7})", R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
        R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", R"({"jsonrpc":"2.0","id":{},"method":"ping"})",
        R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})", R"({"jsonrpc":"2.0","id":1})",
        R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})"};
    for (const char* text : invalid) {
        INFO(text);
        CHECK(rpc::classify(parse(text)).what == rpc::kind::invalid);
    }
}

TEST_CASE("responses echo the id exactly", "[jsonrpc]") {
    for (const char* id : {R"("abc")", "0", "-9223372036854775808", "18446744073709551615", R"("7")"}) {
        auto v = parse(id);
        auto r = rpc::make_result(v, boost::json::object{});
        CHECK(boost::json::serialize(r.at("id")) == id);
    }
    CHECK(rpc::id_key(parse("7")) != rpc::id_key(parse(R"("7")")));
}

TEST_CASE("warden errors map to JSON-RPC codes", "[jsonrpc]") {
    auto code = [](warden::errc c) { return rpc::code_for(warden::error{make_error_code(c), {}}); };
    CHECK(code(warden::errc::parse_error) == -32700);
    CHECK(code(warden::errc::invalid_request) == -32600);
    CHECK(code(warden::errc::method_not_found) == -32601);
    CHECK(code(warden::errc::invalid_params) == -32602);
    CHECK(code(warden::errc::internal_error) == -32603);
    CHECK(code(warden::errc::resource_not_found) == -32002);
    CHECK(rpc::code_for(warden::error{std::make_error_code(std::errc::io_error), {}}) == -32603);
}
