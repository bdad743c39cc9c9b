// A user's program: includes warden, declares a server, and answers one request through
// a session, so linking (Boost.JSON, OpenSSL) is exercised too.
#include <warden/warden.hpp>

#include <cstdio>

namespace {
struct sink final : warden::mcp::outbound {
    std::string last;
    void send(std::string m, const boost::json::value*, bool) override { last = std::move(m); }
};
} // namespace

int main() {
    warden::server<warden::local_stdio_server> server{{.name = "consumer", .version = "1"}};
    server.tool("hello", "Says hello", [] { return warden::tool_result::text("hello"); });

    boost::asio::thread_pool pool(1);
    auto out = std::make_shared<sink>();
    auto session = std::make_shared<warden::mcp::session>(
        std::make_shared<warden::mcp::registry>(), std::make_shared<warden::server_info>(warden::server_info{"c", "1"}),
        warden::mcp::session_options{}, warden::principal{}, std::make_shared<warden::credential_set>(),
        pool.get_executor(), out, std::make_shared<warden::logger>());
    session->receive_text(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    pool.join();
    if (out->last != R"({"jsonrpc":"2.0","id":1,"result":{}})") {
        std::fprintf(stderr, "unexpected answer: %s\n", out->last.c_str());
        return 1;
    }
    std::printf("warden %s consumed\n", warden::version_string);
    return 0;
}
