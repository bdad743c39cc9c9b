#include <warden/cli.hpp>
#include <warden/transport/streamable_http.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {
warden::result<warden::command_line> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "prog");
    return warden::parse_command_line(static_cast<int>(args.size()), args.data());
}
} // namespace

TEST_CASE("the shared example command line", "[cli]") {
    CHECK(parse({}).value().stdio);
    CHECK(parse({"--stdio", "--log-level", "debug"}).value().level == warden::log_level::debug);
    CHECK(parse({"--log-level=error"}).value().level == warden::log_level::error);
    CHECK(parse({"--help"}).value().help);
    CHECK(parse({"--log-level"}).error().message() == "--log-level needs a value");
    CHECK(parse({"--log-level", "chatty"}).error().message().find("chatty") != std::string::npos);
    CHECK(parse({"--listen"}).error().message() == "--listen needs a value");
    CHECK(parse({"--bogus"}).error().message() == "unknown option \"--bogus\"");
    auto http = parse({"--listen", "127.0.0.1:9000", "--tls-cert=c.pem", "--tls-key", "k.pem", "--stateless"});
    REQUIRE(http);
    CHECK_FALSE(http.value().stdio);
    CHECK(http.value().listen == "127.0.0.1:9000");
    CHECK(http.value().tls_cert == "c.pem");
    CHECK(http.value().tls_key == "k.pem");
    CHECK(http.value().stateless);
    CHECK(parse({"--listen", "x:1", "--tls-cert", "c.pem"}).error().message() == "--tls-cert and --tls-key go together");
    CHECK(parse({"--stateless"}).error().message().find("need --listen") != std::string::npos);
    warden::http_settings settings;
    REQUIRE(warden::configure_http(http.value(), settings));
    CHECK(settings.address == "127.0.0.1");
    CHECK(settings.port == 9000);
    CHECK(settings.stateless);
    CHECK(warden::parse_listen("[::1]:8080").value() == std::pair<std::string, std::uint16_t>{"::1", 8080});
    CHECK_FALSE(warden::parse_listen("localhost"));
    CHECK_FALSE(warden::parse_listen(":80"));
    CHECK_FALSE(warden::parse_listen("h:70000"));
    CHECK_FALSE(warden::parse_listen("h:8o"));
    std::vector<warden::variable> vars = {{"TOKEN", "the token", true, true}, {"OPT", "", false, false}};
    auto text = warden::usage("prog", "Does things.", vars);
    CHECK(text.find("usage: prog") == 0);
    CHECK(text.find("TOKEN  the token") != std::string::npos);
    CHECK(text.find("OPT (optional)") != std::string::npos);
}

TEST_CASE("deployment options: --env, --tenant, --allow-host, a subcommand", "[cli]") {
    auto cl = parse({"login", "--env", "staging", "--tenant=acme"});
    REQUIRE(cl);
    CHECK(cl.value().command == "login");
    CHECK(cl.value().environment == "staging");
    CHECK(cl.value().tenant == "acme");
    CHECK(parse({"login", "logout"}).error().message() == "unknown option \"logout\"");
    CHECK(parse({"--env"}).error().message() == "--env needs a value");
    CHECK(parse({"--env="}).error().message() == "--env needs a value");
    auto http = parse({"--listen", "127.0.0.1:9000", "--allow-host", "mcp.example.com", "--allow-host=*.corp.example"});
    REQUIRE(http);
    warden::http_settings settings;
    REQUIRE(warden::configure_http(http.value(), settings));
    CHECK(settings.allowed_hosts == std::vector<std::string>{"mcp.example.com", "*.corp.example"});
    CHECK(parse({"--allow-host", "x"}).error().message().find("need --listen") != std::string::npos);
}

TEST_CASE("operations options: --metrics and --audit-log", "[cli][ops]") {
    auto cl = parse({"--listen", "127.0.0.1:8080", "--metrics", "127.0.0.1:9464", "--audit-log=-"});
    REQUIRE(cl);
    warden::http_settings http;
    REQUIRE(warden::configure_http(cl.value(), http));
    REQUIRE(http.metrics_port);
    CHECK(*http.metrics_port == 9464);
    CHECK(http.metrics_address == "127.0.0.1");
    CHECK(cl.value().audit_log == std::optional<std::string>("-"));
    CHECK(parse({"--audit-log", "/var/log/mcp/audit.log"}).value().audit_log == "/var/log/mcp/audit.log");
    CHECK_FALSE(parse({}).value().audit_log);
    // Metrics belong to an HTTP server; a malformed address is refused by name.
    CHECK(parse({"--metrics", "127.0.0.1:9464"}).error().message().find("--metrics") != std::string::npos);
    CHECK(parse({"--audit-log"}).error().message() == "--audit-log needs a value");
    auto bad = parse({"--listen", "127.0.0.1:8080", "--metrics", "nowhere"});
    REQUIRE(bad);
    warden::http_settings h2;
    CHECK(warden::configure_http(bad.value(), h2).error().message().find("--metrics") != std::string::npos);
}

TEST_CASE("behind a load balancer: --instance names session ids, --trusted-proxy picks the terminator channel",
          "[cli][ops]") {
    auto cl = parse({"--listen", "127.0.0.1:8001", "--instance", "a", "--trusted-proxy", "127.0.0.1"});
    REQUIRE(cl);
    warden::http_settings http;
    REQUIRE(warden::configure_http(cl.value(), http));
    CHECK(http.instance == "a");
    const auto channel = [](const warden::command_line& c) {
        return warden::on_proxied_channel(c, []<class C>(std::type_identity<C>) {
            if constexpr (std::is_same_v<C, warden::transport::behind_tls_terminator>) return 1;
            else if constexpr (std::is_same_v<C, warden::transport::tls>) return 2;
            else return 3;
        });
    };
    CHECK(channel(cl.value()) == 1);
    CHECK(channel(parse({"--listen", "127.0.0.1:8001", "--tls-cert", "c", "--tls-key", "k"}).value()) == 2);
    CHECK(channel(parse({"--listen", "127.0.0.1:8001"}).value()) == 3);
    CHECK(parse({"--instance", "a"}).error().message().find("--instance") != std::string::npos);

    // Session ids carry the name; another instance's prefix is recognised, a hostile one is not.
    warden::transport::detail::session_table table(4, std::chrono::seconds(60), "a");
    auto s = table.create(warden::principal{});
    REQUIRE(s);
    CHECK(s->id().starts_with("a."));
    CHECK(s->id().size() == 2 + 64);
    CHECK(table.other_instance(s->id()).empty());
    CHECK(table.other_instance("b.0123") == "b");
    CHECK(table.other_instance("0123abcd").empty());
    CHECK(table.other_instance("b\r\nx.0123").empty());
    CHECK(table.other_instance(std::string(33, 'b') + ".0123").empty());
    warden::transport::detail::session_table unnamed(4, std::chrono::seconds(60));
    CHECK(unnamed.create(warden::principal{})->id().size() == 64);
    CHECK(unnamed.other_instance("b.0123").empty());
}

TEST_CASE("the endpoint path option mounts the endpoint elsewhere; a path that is not one is refused by name", "[cli]") {
    auto cl = parse({"--listen", "127.0.0.1:9000", "--path", "/tools/mcp"});
    REQUIRE(cl);
    warden::http_settings http;
    REQUIRE(warden::configure_http(cl.value(), http));
    CHECK(http.path == "/tools/mcp");
    warden::http_settings untouched;
    REQUIRE(warden::configure_http(parse({"--listen", "127.0.0.1:9000"}).value(), untouched));
    CHECK(untouched.path == "/mcp");
    for (const char* bad : {"tools/mcp", "/", "/tools/", "/mcp?x=1", "/a#b", "/a%2fb", ""})
        CHECK(parse({"--listen", "127.0.0.1:9000", "--path", bad}).error().message().find("--path needs") !=
              std::string::npos);
    CHECK(parse({"--path", "/tools/mcp"}).error().message().find("need --listen") != std::string::npos);
}
