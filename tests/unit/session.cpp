#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>

#include "support.hpp"

#include <boost/describe/class.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

using namespace test;
using boost::json::parse;

namespace {
struct echo_args {
    std::string text;
    int times = 1;
};
BOOST_DESCRIBE_STRUCT(echo_args, (), (text, times))

struct wait_args {
    int milliseconds = 5000;
};
BOOST_DESCRIBE_STRUCT(wait_args, (), (milliseconds))

void add_tool(harness& h, warden::tool_spec spec, auto f) {
    h.registry->add_tool(std::move(spec), warden::mcp::make_tool_handler(f), warden::mcp::input_schema_for<decltype(f)>(),
                         warden::mcp::output_schema_for<decltype(f)>());
}

/// How many calls of the fixture tool "wait" have started (tests wait for it, never sleep).
std::atomic<int> wait_started{0};
void await_wait_started(int count) {
    for (int i = 0; i < 5000 && wait_started < count; ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(wait_started >= count);
}

void add_fixtures(harness& h) {
    add_tool(h, {.name = "echo", .description = "echo"}, [](const echo_args& a) {
        std::string out;
        for (int i = 0; i < a.times; ++i) out += a.text;
        return warden::tool_result::text(out);
    });
    add_tool(h, {.name = "wait", .description = "waits until cancelled"}, [](const wait_args& a, warden::call_context& ctx) {
        ++wait_started;
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(a.milliseconds);
        while (!ctx.cancelled() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(2ms);
        return warden::tool_result::text(ctx.cancelled() ? "cancelled" : "done");
    });
    h.registry->add_resource({.uri = "test://a", .name = "a", .mime_type = "text/plain"},
                             [](const std::string& uri, warden::call_context&) {
                                 return std::vector{warden::resource_contents::text(uri, "text/plain", "A")};
                             });
    h.registry->add_resource_template({.uri_template = "test://t/{id}", .name = "t"},
                                      [](const std::string& uri, const warden::uri_variables& v, warden::call_context&) {
                                          return std::vector{warden::resource_contents::text(uri, "", "id=" + v.at("id"))};
                                      });
    h.registry->add_prompt({.name = "p", .description = "d", .arguments = {{"who", "", true}, {"mood", "", false}}},
                           [](const warden::prompt_arguments& a, warden::call_context&) {
                               return warden::prompt_result{"", {warden::prompt_message::user(warden::content::text(
                                                                   "hello " + a.at("who")))}};
                           });
    h.registry->add_prompt_completion("p", "who", [](const warden::completion_request& r) {
        std::vector<std::string> out;
        for (int i = 0; i < 150; ++i) out.push_back(r.value + std::to_string(i));
        return out;
    });
}
} // namespace

TEST_CASE("initialize negotiates the version and declares capabilities", "[session][lifecycle]") {
    for (const char* v : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}) {
        harness h;
        add_fixtures(h);
        h.open();
        auto r = result_of(h.initialize(v));
        CHECK(r.at("protocolVersion") == v);
        CHECK(r.at("serverInfo") == parse(R"({"name":"test-server","version":"1.2.3"})"));
        const auto& caps = r.at("capabilities").as_object();
        CHECK(caps.contains("tools"));
        CHECK(caps.contains("resources"));
        CHECK(caps.at("resources").at("subscribe") == true);
        CHECK(caps.contains("prompts"));
        CHECK(caps.contains("completions"));
        CHECK(caps.contains("logging"));
    }
    harness h;
    h.open();
    auto r = result_of(h.initialize("1999-01-01"));
    CHECK(r.at("protocolVersion") == "2025-11-25"); // the newest, for the client to decide
    CHECK_FALSE(r.at("capabilities").as_object().contains("tools")); // nothing registered
}

TEST_CASE("lifecycle: requests before initialize, ping, second initialize", "[session][lifecycle]") {
    harness h;
    add_fixtures(h);
    h.open();
    CHECK(error_code_of(h.request("tools/list", {}, 1)) == -32600);
    CHECK(result_of(h.request("ping", {}, 2)).empty());
    CHECK(error_code_of(h.request("initialize", {{"capabilities", boost::json::object{}}}, 3)) == -32602);
    h.initialize();
    CHECK(error_code_of(h.request("initialize", {{"protocolVersion", "2025-11-25"}}, 4)) == -32600);
    CHECK(result_of(h.request("tools/list", {}, 5)).at("tools").as_array().size() == 2);
}

TEST_CASE("JSON-RPC edge cases", "[session][jsonrpc]") {
    harness h;
    add_fixtures(h);
    h.open();
    h.initialize();

    SECTION("malformed JSON gets -32700 with a null id, and the session goes on") {
        auto r = h.call(R"({"jsonrpc":"2.0","id":1,"method":)", nullptr);
        CHECK(error_code_of(r) == -32700);
        CHECK(result_of(h.request("ping", {}, 2)).empty());
    }
    SECTION("wrong types are invalid requests, echoing a valid id") {
        CHECK(error_code_of(h.call(R"({"jsonrpc":"2.0","id":5,"method":12})", 5)) == -32600);
        CHECK(error_code_of(h.call(R"({"jsonrpc":"2.0","id":6,"method":"ping","params":[]})", 6)) == -32600);
        CHECK(error_code_of(h.call(R"({"jsonrpc":"1.0","id":7,"method":"ping"})", 7)) == -32600);
        CHECK(error_code_of(h.call(R"("just a string")", nullptr)) == -32600);
    }
    SECTION("unknown methods") {
        auto r = h.request("tools/destroy", {}, 9);
        CHECK(error_code_of(r) == -32601);
        CHECK(r.at("error").at("message").as_string().find("tools/destroy") != boost::json::string::npos);
    }
    SECTION("ids are echoed exactly; fractional or huge ones are refused") {
        CHECK(h.call(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})", parse("18446744073709551615"))
                  .at("result")
                  .as_object()
                  .empty());
        CHECK(h.call(R"({"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"})", parse("-9223372036854775808"))
                  .at("id") == parse("-9223372036854775808"));
        auto s = h.call(R"({"jsonrpc":"2.0","id":"7","method":"ping"})", "7");
        CHECK(s.at("id").is_string());
        CHECK(error_code_of(h.call(R"({"jsonrpc":"2.0","id":1e30,"method":"ping"})", nullptr)) == -32600);
        CHECK(error_code_of(h.call(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", nullptr)) == -32600);
    }
    SECTION("a duplicate id in flight is refused") {
        const int before = wait_started;
        h.session->receive_text(R"({"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"wait","arguments":{"milliseconds":1000}}})");
        await_wait_started(before + 1);
        h.session->receive_text(R"({"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}})");
        auto first = h.out->wait_for([](const auto& m) { return m.as_object().contains("error"); });
        CHECK(error_code_of(first) == -32600);
        CHECK(first.at("error").at("message").as_string().find("already in flight") != boost::json::string::npos);
        auto done = h.out->wait_for([](const auto& m) { return m.at("id") == "dup" && m.as_object().contains("result"); });
        CHECK(done.at("result").at("content").at(0).at("text") == "done");
    }
    SECTION("batches are refused in 2025-11-25") {
        auto r = h.call(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", nullptr);
        CHECK(error_code_of(r) == -32600);
    }
    SECTION("message size cap") {
        h.out->clear();
        h.session->receive_text(std::string(h.options.max_message_bytes + 1, ' '));
        auto r = h.out->wait_for([](const auto&) { return true; });
        CHECK(error_code_of(r) == -32600);
        CHECK(r.at("error").at("message").as_string().find("exceeds") != boost::json::string::npos);
    }
}

TEST_CASE("batches in 2025-03-26", "[session][jsonrpc]") {
    harness h;
    add_fixtures(h);
    h.open();
    h.initialize("2025-03-26");
    h.session->receive_text(R"([
        {"jsonrpc":"2.0","id":1,"method":"ping"},
        {"jsonrpc":"2.0","method":"notifications/whatever"},
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"ab","times":2}}},
        {"jsonrpc":"2.0","id":3,"method":"nope"},
        {"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-03-26"}},
        42])");
    auto batch = h.out->wait_for([](const auto& m) { return m.is_array(); });
    REQUIRE(batch.is_array());
    REQUIRE(batch.as_array().size() == 5);
    std::map<std::string, boost::json::value> by_id;
    for (auto& r : batch.as_array()) by_id[boost::json::serialize(r.at("id"))] = r;
    CHECK(by_id["1"].at("result").as_object().empty());
    CHECK(by_id["2"].at("result").at("content").at(0).at("text") == "abab");
    CHECK(error_code_of(by_id["3"]) == -32601);
    CHECK(error_code_of(by_id["4"]) == -32600);
    CHECK(error_code_of(by_id["null"]) == -32600);

    h.out->clear();
    CHECK(error_code_of(h.call("[]", nullptr)) == -32600);
    h.out->clear();
    h.session->receive_text(R"([{"jsonrpc":"2.0","method":"notifications/a"}])");
    CHECK(result_of(h.request("ping", {}, "after")).empty());
    CHECK(h.out->entries().size() == 1); // nothing was sent for the notification-only batch
}

TEST_CASE("tools: list with cursors, call, errors", "[session][tools]") {
    harness h;
    h.options.page_size = 1;
    add_fixtures(h);
    h.open();
    h.initialize();

    auto page1 = result_of(h.request("tools/list", {}, 1));
    REQUIRE(page1.at("tools").as_array().size() == 1);
    REQUIRE(page1.contains("nextCursor"));
    auto page2 = result_of(h.request("tools/list", {{"cursor", page1.at("nextCursor")}}, 2));
    CHECK(page2.at("tools").at(0).at("name") == "wait");
    CHECK_FALSE(page2.contains("nextCursor"));
    CHECK(error_code_of(h.request("tools/list", {{"cursor", "garbage"}}, 3)) == -32602);

    auto echo = page1.at("tools").at(0).as_object();
    CHECK(echo.at("inputSchema").at("required") == parse(R"(["text"])"));

    auto ok = result_of(h.request("tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}}, 4));
    CHECK(ok.at("content").at(0).at("text") == "hi");
    CHECK_FALSE(ok.contains("isError"));

    auto bad_args = result_of(h.request("tools/call", {{"name", "echo"}, {"arguments", {{"text", 5}}}}, 5));
    CHECK(bad_args.at("isError") == true);
    CHECK(bad_args.at("content").at(0).at("text").as_string().find("text: expected a string") !=
          boost::json::string::npos);

    CHECK(error_code_of(h.request("tools/call", {{"name", "nope"}}, 6)) == -32602);
    CHECK(error_code_of(h.request("tools/call", {{"name", "echo"}, {"arguments", "x"}}, 7)) == -32602);
    CHECK(error_code_of(h.request("tools/call", {{"arguments", boost::json::object{}}}, 8)) == -32602);
}

TEST_CASE("tool failures: tool_error is shown, other exceptions are not", "[session][tools]") {
    harness h;
    add_tool(h, {.name = "fails"}, []() -> warden::tool_result { throw warden::tool_error("quota exceeded"); });
    add_tool(h, {.name = "crashes"}, []() -> warden::tool_result {
        throw std::runtime_error("connection string postgres://admin:hunter2@db");
    });
    h.open();
    h.initialize();
    auto fails = result_of(h.request("tools/call", {{"name", "fails"}}, 1));
    CHECK(fails.at("isError") == true);
    CHECK(fails.at("content").at(0).at("text") == "quota exceeded");
    auto crashes = result_of(h.request("tools/call", {{"name", "crashes"}}, 2));
    CHECK(crashes.at("isError") == true);
    CHECK(boost::json::serialize(crashes).find("hunter2") == std::string::npos);
}

TEST_CASE("structured output and scopes", "[session][tools]") {
    harness h;
    h.registry->add_tool({.name = "scoped", .scopes = {"admin"}},
                         warden::mcp::make_tool_handler([] { return warden::tool_result::text("secret stuff"); }),
                         {{"type", "object"}}, std::nullopt);
    h.registry->add_tool({.name = "liar", .output_schema = boost::json::object{{"type", "object"}}},
                         warden::mcp::make_tool_handler([] { return warden::tool_result::text("no structure"); }),
                         {{"type", "object"}}, std::nullopt);
    warden::principal limited;
    limited.subject = "bob";
    limited.scopes = {"read"};
    h.open(limited);
    h.initialize();
    auto denied = h.request("tools/call", {{"name", "scoped"}}, 1);
    CHECK(error_code_of(denied) == -32600);
    CHECK(denied.at("error").at("message").as_string().find("needs scope: admin") != boost::json::string::npos);
    auto liar = result_of(h.request("tools/call", {{"name", "liar"}}, 2));
    CHECK(liar.at("isError") == true);
}

TEST_CASE("resources: list, templates, read, subscribe", "[session][resources]") {
    harness h;
    add_fixtures(h);
    h.open();
    h.initialize();
    CHECK(result_of(h.request("resources/list", {}, 1)).at("resources") ==
          parse(R"([{"uri":"test://a","name":"a","mimeType":"text/plain"}])"));
    CHECK(result_of(h.request("resources/templates/list", {}, 2)).at("resourceTemplates") ==
          parse(R"([{"uriTemplate":"test://t/{id}","name":"t"}])"));
    CHECK(result_of(h.request("resources/read", {{"uri", "test://a"}}, 3)).at("contents").at(0).at("text") == "A");
    CHECK(result_of(h.request("resources/read", {{"uri", "test://t/42"}}, 4)).at("contents").at(0).at("text") ==
          "id=42");
    CHECK(error_code_of(h.request("resources/read", {{"uri", "test://nope"}}, 5)) == -32002);
    CHECK(error_code_of(h.request("resources/subscribe", {{"uri", "test://nope"}}, 6)) == -32002);

    CHECK(result_of(h.request("resources/subscribe", {{"uri", "test://a"}}, 7)).empty());
    h.session->notify_resource_updated("test://a");
    h.session->notify_resource_updated("test://t/1"); // not subscribed
    auto updated = h.out->wait_for([](const auto& m) {
        return m.as_object().contains("method") && m.at("method") == "notifications/resources/updated";
    });
    CHECK(updated.at("params").at("uri") == "test://a");
    CHECK(result_of(h.request("resources/unsubscribe", {{"uri", "test://a"}}, 8)).empty());
    h.session->notify_resource_updated("test://a");
    h.session->notify_list_changed("tools");
    h.out->wait_for([](const auto& m) {
        return m.as_object().contains("method") && m.at("method") == "notifications/tools/list_changed";
    });
    CHECK(h.out->with_method("notifications/resources/updated").size() == 1);
}

TEST_CASE("prompts and completion", "[session][prompts]") {
    harness h;
    add_fixtures(h);
    h.open();
    h.initialize();
    auto list = result_of(h.request("prompts/list", {}, 1));
    CHECK(list.at("prompts").at(0).at("arguments").at(0) == parse(R"({"name":"who","required":true})"));
    auto got = result_of(h.request("prompts/get", {{"name", "p"}, {"arguments", {{"who", "ann"}}}}, 2));
    CHECK(got.at("messages").at(0).at("content").at("text") == "hello ann");
    CHECK(error_code_of(h.request("prompts/get", {{"name", "p"}}, 3)) == -32602);
    CHECK(error_code_of(h.request("prompts/get", {{"name", "p"}, {"arguments", {{"who", 1}}}}, 4)) == -32602);
    CHECK(error_code_of(h.request("prompts/get", {{"name", "p"}, {"arguments", {{"who", "a"}, {"x", "y"}}}}, 5)) ==
          -32602);
    CHECK(error_code_of(h.request("prompts/get", {{"name", "q"}}, 6)) == -32602);

    auto c = result_of(h.request(
        "completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "p"}}}, {"argument", {{"name", "who"}, {"value", "a"}}}},
        7));
    CHECK(c.at("completion").at("values").as_array().size() == 100);
    CHECK(c.at("completion").at("total") == 150);
    CHECK(c.at("completion").at("hasMore") == true);
    auto none = result_of(h.request(
        "completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "p"}}}, {"argument", {{"name", "mood"}, {"value", ""}}}},
        8));
    CHECK(none.at("completion").at("values").as_array().empty());
    CHECK(error_code_of(h.request("completion/complete",
                                  {{"ref", {{"type", "ref/prompt"}, {"name", "zz"}}}, {"argument", {{"name", "a"}, {"value", ""}}}},
                                  9)) == -32602);
}

namespace {
std::atomic<bool> watch_started{false}, watch_saw_stop{false};
} // namespace

TEST_CASE("logging, progress and cancellation reach the client", "[session][context]") {
    harness h;
    watch_started = watch_saw_stop = false;
    add_tool(h, {.name = "watch"}, [](warden::call_context& ctx) {
        // Waits on the stop token itself (a callback), for at most 5 s.
        std::mutex m;
        std::condition_variable cv;
        std::stop_callback wake(ctx.stop_token(), [&] {
            std::lock_guard lock(m);
            watch_saw_stop = true;
            cv.notify_all();
        });
        watch_started = true;
        std::unique_lock lock(m);
        cv.wait_for(lock, 5s, [] { return watch_saw_stop.load(); });
        return warden::tool_result::text("stopped");
    });
    add_tool(h, {.name = "chatty"}, [](warden::call_context& ctx) {
        ctx.log(warden::log_level::debug, "dbg");
        ctx.log(warden::log_level::warning, boost::json::object{{"k", "v"}}, "lg");
        CHECK(ctx.progress(1, 3));
        CHECK_FALSE(ctx.progress(1, 3)); // must increase
        CHECK(ctx.progress(2.5, 3, "almost"));
        return warden::tool_result::text("done");
    });
    add_fixtures(h);
    h.open();
    h.initialize();
    CHECK(result_of(h.request("logging/setLevel", {{"level", "warning"}}, 1)).empty());
    CHECK(error_code_of(h.request("logging/setLevel", {{"level", "loud"}}, 2)) == -32602);

    h.request("tools/call", {{"name", "chatty"}, {"_meta", {{"progressToken", 77}}}}, 3);
    auto logs = h.out->with_method("notifications/message");
    REQUIRE(logs.size() == 1);
    CHECK(logs[0].at("params") == parse(R"({"level":"warning","logger":"lg","data":{"k":"v"}})"));
    auto progress = h.out->with_method("notifications/progress");
    REQUIRE(progress.size() == 2);
    CHECK(progress[0].at("params").at("progressToken") == 77);
    CHECK(progress[1].at("params").at("message") == "almost");
    // Notifications precede the response and are tagged with the request they belong to.
    auto entries = h.out->entries();
    std::size_t response_at = 0, last_note = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].final && entries[i].related == 3) response_at = i;
        if (!entries[i].final && entries[i].related == 3) last_note = i;
    }
    CHECK(last_note < response_at);

    // Cancellation: the handler sees its stop token (and ends long before its own 5 s); no
    // response is sent. Started and stopped are signalled, never guessed with sleeps.
    h.session->receive_text(R"({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"watch"}})");
    const auto wait_until = [](const std::atomic<bool>& flag) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!flag && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
        return flag.load();
    };
    REQUIRE(wait_until(watch_started));
    const auto cancelled_at = std::chrono::steady_clock::now();
    h.session->receive_text(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"long"}})");
    REQUIRE(wait_until(watch_saw_stop));
    CHECK(std::chrono::steady_clock::now() - cancelled_at < 2s);
    CHECK(h.out->was_abandoned("long"));
    CHECK(h.out->response("long", 100ms).is_null());
}

TEST_CASE("a slow tool does not block ping or other calls", "[session][concurrency]") {
    harness h;
    add_fixtures(h);
    h.open();
    h.initialize();
    const auto start = std::chrono::steady_clock::now();
    h.session->receive_text(R"({"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"wait","arguments":{"milliseconds":1500}}})");
    CHECK(result_of(h.request("ping", {}, "p")).empty());
    CHECK(result_of(h.request("tools/call", {{"name", "echo"}, {"arguments", {{"text", "fast"}}}}, "f"))
              .at("content")
              .at(0)
              .at("text") == "fast");
    CHECK(std::chrono::steady_clock::now() - start < 1000ms);
    CHECK(h.out->response("slow", 5s).at("result").at("content").at(0).at("text") == "done");
}

TEST_CASE("requests to the client: sampling, elicitation, roots", "[session][context]") {
    harness h;
    add_tool(h, {.name = "ask"}, [](warden::call_context& ctx) {
        auto r = ctx.sample_text("2+2?");
        if (!r) return warden::tool_result::error(r.error().message());
        return warden::tool_result::text(std::string(r.value().at("content").at("text").as_string()));
    });
    add_tool(h, {.name = "form"}, [](warden::call_context& ctx) {
        auto r = ctx.elicit("name?", {{"type", "object"}});
        if (!r) return warden::tool_result::error(r.error().message());
        return warden::tool_result::text(r.value().action);
    });
    add_tool(h, {.name = "roots"}, [](warden::call_context& ctx) {
        auto r = ctx.list_roots();
        if (!r) return warden::tool_result::error(r.error().message());
        return warden::tool_result::text(std::to_string(r.value().size()));
    });
    h.options.client_request_timeout = 300ms;
    h.open();
    h.initialize("2025-11-25", {{"sampling", boost::json::object{}}, {"roots", boost::json::object{}}});

    h.session->receive_text(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})");
    auto req = h.out->wait_for([](const auto& m) {
        return m.as_object().contains("method") && m.at("method") == "sampling/createMessage";
    });
    REQUIRE(req.is_object());
    CHECK(req.at("params").at("messages").at(0).at("content").at("text") == "2+2?");
    boost::json::object answer{{"jsonrpc", "2.0"}, {"id", req.at("id")},
                               {"result", {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "4"}}}, {"model", "m"}}}};
    h.session->receive_text(boost::json::serialize(answer));
    CHECK(h.out->response(1).at("result").at("content").at(0).at("text") == "4");

    // Not declared by the client: refused without asking.
    auto form = result_of(h.request("tools/call", {{"name", "form"}}, 2));
    CHECK(form.at("isError") == true);
    CHECK(form.at("content").at(0).at("text").as_string().find("elicitation") != boost::json::string::npos);

    // The client never answers: a timeout, and the request is cancelled towards the client.
    auto roots = result_of(h.request("tools/call", {{"name", "roots"}}, 3));
    CHECK(roots.at("isError") == true);
    CHECK(h.out->with_method("notifications/cancelled").size() == 1);

    // The client answers with an error.
    h.session->receive_text(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"ask"}})");
    auto second = h.out->wait_for([&](const auto& m) {
        return m.as_object().contains("method") && m.at("method") == "sampling/createMessage" && m.at("id") != req.at("id");
    });
    h.session->receive_text(boost::json::serialize(boost::json::object{
        {"jsonrpc", "2.0"}, {"id", second.at("id")}, {"error", {{"code", -1}, {"message", "user rejected"}}}}));
    CHECK(h.out->response(4).at("result").at("content").at(0).at("text").as_string().find("user rejected") !=
          boost::json::string::npos);
}

TEST_CASE("answer_here: one session answers inline calls of any caller, on the calling thread", "[session][direct]") {
    harness h;
    add_fixtures(h); // "echo" runs on the workers
    std::thread::id ran_on{};
    h.registry->add_tool(
        {.name = "quick", .run_inline = true},
        [&](const json::object& args, warden::call_context& ctx) {
            ran_on = std::this_thread::get_id();
            ctx.log(warden::log_level::info, "starting");
            ctx.progress(1, 2);
            if (args.contains("roots")) { // a question for the client, without and with a capability
                auto r = ctx.request_client("roots/list", {}, args.at("roots").as_string(), 60s);
                return warden::tool_result::text(r ? std::string("answered") : r.error().message());
            }
            if (args.contains("name")) {
                auto name = ctx.elicit("Your name?", json::object{{"type", "object"}}, "who");
                if (!name) return warden::tool_result::error(name.error().message());
                return warden::tool_result::text(std::string(name.value().content.at("name").as_string()));
            }
            return warden::tool_result::text(ctx.caller().subject + "@" + std::string(ctx.protocol_version()));
        },
        json::object{{"type", "object"}}, std::nullopt);
    auto& s = h.open();
    auto person = [](std::string subject) {
        auto p = harness::unrestricted();
        p.subject = std::move(subject);
        return p;
    };
    auto call = [](json::object args, json::object meta = {}) {
        json::object params{{"name", "quick"}, {"arguments", std::move(args)}};
        if (!meta.empty()) params["_meta"] = std::move(meta);
        return json::object{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"}, {"params", std::move(params)}};
    };
    using reply = warden::mcp::session::direct_reply;

    SECTION("the session era: notifications in order, then the response; the session untouched") {
        auto msg = call({}, {{"progressToken", "p1"}});
        reply out;
        REQUIRE(s.answer_here(msg, person("ada"), "2025-06-18", out));
        CHECK(ran_on == std::this_thread::get_id());
        REQUIRE(out.messages.size() == 2);
        CHECK(json::parse(out.messages[0]).at("method") == "notifications/message");
        const auto progress = json::parse(out.messages[1]);
        CHECK(progress.at("method") == "notifications/progress");
        CHECK(progress.at("params").at("progressToken") == "p1");
        const auto response = json::parse(out.response);
        CHECK(response.at("id") == 7);
        CHECK(result_of(response).at("content").at(0).at("text") == "ada@2025-06-18");
        CHECK(out.error == 0);
        // Another caller through the same session, at an unknown version (the latest then).
        auto again = call({});
        reply second;
        REQUIRE(s.answer_here(again, person("bo"), "1999-01-01", second));
        CHECK(result_of(json::parse(second.response)).at("content").at(0).at("text").as_string() ==
              "bo@" + std::string(warden::mcp::supported_versions.back()));
        CHECK(h.out->entries().empty()); // nothing through the session's outbound
        CHECK_FALSE(s.initialized());
        CHECK_FALSE(s.busy());
    }

    SECTION("the session era: a question for the client fails at once") {
        auto msg = call({{"roots", ""}});
        reply out;
        REQUIRE(s.answer_here(msg, person("ada"), "2025-06-18", out));
        CHECK(result_of(json::parse(out.response)).at("content").at(0).at("text") ==
              "a stateless request cannot wait for the client's answer");
        auto needing = call({{"roots", "roots"}});
        reply refused;
        REQUIRE(s.answer_here(needing, person("ada"), "2025-06-18", refused));
        CHECK(result_of(json::parse(refused.response)).at("content").at(0).at("text") ==
              "the client did not declare the \"roots\" capability");
    }

    SECTION("the stateless era: requestState is bound to the caller of each request") {
        const json::object envelope{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                    {"io.modelcontextprotocol/clientCapabilities", {{"elicitation", json::object{}}}}};
        auto first = call({{"name", true}}, envelope);
        reply asked;
        REQUIRE(s.answer_here(first, person("ada"), {}, asked));
        const auto r1 = result_of(json::parse(asked.response));
        REQUIRE(r1.at("resultType") == "input_required");
        auto retry = [&](const std::string& subject) {
            auto msg = call({{"name", true}}, envelope);
            auto& p = msg["params"].as_object();
            p["requestState"] = r1.at("requestState");
            p["inputResponses"] = {{"who", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}};
            reply out;
            REQUIRE(s.answer_here(msg, person(subject), {}, out));
            return out;
        };
        const auto stolen = retry("mallory");
        CHECK(stolen.error == -32602);
        CHECK(error_code_of(json::parse(stolen.response)) == -32602);
        const auto answered = retry("ada");
        CHECK(answered.error == 0);
        const auto r2 = result_of(json::parse(answered.response));
        CHECK(r2.at("resultType") == "complete");
        CHECK(r2.at("content").at(0).at("text") == "Ada");
        // An undeclared capability: the era's error, with its code for the transport.
        auto without = call({{"name", true}}, {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                               {"io.modelcontextprotocol/clientCapabilities", json::object{}}});
        reply missing;
        REQUIRE(s.answer_here(without, person("ada"), {}, missing));
        CHECK(missing.error == warden::mcp::modern::missing_client_capability);
    }

    SECTION("anything that may wait is left to a session, untouched") {
        const json::object worker{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
                                  {"params", {{"name", "echo"}, {"arguments", {{"text", "x"}}}}}};
        const json::object list{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}};
        const json::object note{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
        const json::object unknown{{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"},
                                   {"params", {{"name", "nope"}}}};
        for (const auto& original : {worker, list, note, unknown}) {
            auto msg = original;
            reply out;
            CHECK_FALSE(s.answer_here(msg, person("ada"), "2025-06-18", out));
            CHECK(msg == original);
            CHECK(out.response.empty());
        }
        CHECK(ran_on == std::thread::id{});
    }
}
