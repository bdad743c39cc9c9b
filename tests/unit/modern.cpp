// The stateless era (MCP 2026-07-28) at the session level: the per-request envelope, the
// era's errors, results, input-required rounds with a sealed requestState, logs, and
// subscriptions/listen.
#include <warden/mcp/modern.hpp>

#include "support.hpp"

#include <warden/mcp/registry.hpp>

#include <atomic>
#include <thread>

namespace json = boost::json;
namespace wm = warden::mcp;
using test::error_code_of;
using test::person;
using test::result_of;
using namespace std::chrono_literals;

namespace {

json::object envelope(json::object caps = {}) {
    return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", std::move(caps)}};
}

/// A request of the stateless era.
json::value modern(test::harness& h, std::string_view method, json::object params, json::value id,
                   json::object caps = {{"elicitation", json::object{}}, {"sampling", json::object{}}}) {
    if (!params.contains("_meta")) params["_meta"] = envelope(std::move(caps));
    return h.request(method, std::move(params), std::move(id));
}

/// A tool that asks for a name, then the model's answer (two rounds), counting its runs.
void add_asking_tool(test::harness& h, std::atomic<int>& runs) {
    h.registry->add_tool({.name = "ask"},
                         [&runs](const json::object&, warden::call_context& ctx) {
                             ++runs;
                             auto name = ctx.elicit("Your name?", json::parse(R"({"type":"object",
                                 "properties":{"name":{"type":"string"}}})").as_object(), "user_name");
                             if (!name) return warden::tool_result::error(name.error().message());
                             auto answer = ctx.sample_text("Capital of France?", 50, "capital");
                             if (!answer) return warden::tool_result::error(answer.error().message());
                             return warden::tool_result::text(
                                 std::string(name.value().content.at("name").as_string()) + "/" +
                                 std::string(answer.value().at("content").at("text").as_string()));
                         },
                         json::object{{"type", "object"}}, std::nullopt);
}

json::object retry_params(json::value state, json::object responses, json::object args = {}) {
    json::object p{{"name", "ask"}, {"arguments", std::move(args)}, {"inputResponses", std::move(responses)}};
    if (!state.is_null()) p["requestState"] = std::move(state);
    return p;
}

} // namespace

TEST_CASE("stateless era: the envelope, the era's errors and server/discover", "[modern]") {
    test::harness h;
    h.registry->add_tool({.name = "hello"}, [](const json::object&, warden::call_context&) {
        return warden::tool_result::text("hi");
    }, json::object{{"type", "object"}}, std::nullopt);
    h.open();

    const auto discover = modern(h, "server/discover", {}, 1);
    const auto& d = result_of(discover);
    CHECK(d.at("resultType") == "complete");
    CHECK(d.at("supportedVersions").as_array().front() == "2026-07-28");
    CHECK(d.at("supportedVersions").as_array().size() == 5); // and the session era's four
    CHECK(d.at("capabilities").as_object().contains("tools"));
    CHECK_FALSE(d.at("capabilities").as_object().contains("prompts")); // none registered
    CHECK(d.at("ttlMs") == 300000);
    CHECK(d.at("cacheScope") == "public");
    CHECK(d.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name") == "test-server");

    // Missing capabilities, a bad log level: -32602.
    json::object no_caps{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}};
    CHECK(error_code_of(h.request("server/discover", {{"_meta", no_caps}}, 3)) == -32602);
    json::object bad_level = envelope();
    bad_level["io.modelcontextprotocol/logLevel"] = "loud";
    CHECK(error_code_of(h.request("tools/list", {{"_meta", bad_level}}, 4)) == -32602);
    // An unsupported version: -32022 naming what is served.
    json::object old = envelope();
    old["io.modelcontextprotocol/protocolVersion"] = "v999.0.0";
    const auto unsupported = h.request("tools/list", {{"_meta", old}}, 5);
    REQUIRE(error_code_of(unsupported) == -32022);
    CHECK(unsupported.at("error").at("data").at("requested") == "v999.0.0");
    CHECK(unsupported.at("error").at("data").at("supported") == d.at("supportedVersions"));
    CHECK(unsupported.at("id") == 5);
    // Methods the era removed, and features the server does not offer: -32601.
    for (const char* m : {"initialize", "ping", "logging/setLevel", "resources/subscribe", "prompts/list", "nope"})
        CHECK(error_code_of(modern(h, m, {}, 6)) == -32601);

    // A list: resultType and cache hints; a call: resultType, no hints.
    const auto list = result_of(modern(h, "tools/list", {}, 7));
    CHECK(list.at("tools").as_array().size() == 1);
    CHECK(list.at("ttlMs") == 300000);
    const auto call = result_of(modern(h, "tools/call", {{"name", "hello"}}, 8));
    CHECK(call.at("resultType") == "complete");
    CHECK_FALSE(call.contains("ttlMs"));
    CHECK(call.at("_meta").at("io.modelcontextprotocol/serverInfo").at("version") == "1.2.3");

    // The same session (stdio) still serves the session era beside it; a batch of that era
    // cannot smuggle in a request of the stateless one.
    CHECK(result_of(h.initialize("2025-03-26")).at("protocolVersion") == "2025-03-26");
    h.session->receive_text(R"([{"jsonrpc":"2.0","id":"b1","method":"ping"},
        {"jsonrpc":"2.0","id":"b2","method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}])");
    const auto batch = h.out->wait_for([](const json::value& m) { return m.is_array(); });
    REQUIRE(batch.is_array());
    REQUIRE(batch.as_array().size() == 2);
    for (const auto& r : batch.as_array())
        CHECK(error_code_of(r) == (r.at("id") == "b2" ? -32600 : 0));
    CHECK_FALSE(result_of(h.request("tools/call", {{"name", "hello"}}, 9)).contains("resultType"));
    CHECK(result_of(modern(h, "tools/call", {{"name", "hello"}}, 10)).at("resultType") == "complete");
}

TEST_CASE("stateless era: a modern-only server refuses initialize, naming its version", "[modern]") {
    test::harness h;
    h.options.session_era = false;
    h.open();
    const auto r = h.request("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object{}}}, 1);
    REQUIRE(error_code_of(r) == -32022);
    CHECK(r.at("error").at("data").at("supported") == json::array{"2026-07-28"});
    CHECK(r.at("error").at("data").at("requested") == "2025-11-25");
    CHECK(result_of(modern(h, "server/discover", {}, 2)).at("supportedVersions") == json::array{"2026-07-28"});
}

TEST_CASE("stateless era: input-required rounds carry the answers in a sealed requestState", "[modern]") {
    test::harness h;
    std::atomic<int> runs{0};
    add_asking_tool(h, runs);
    h.registry->add_prompt({.name = "ask"}, [](const warden::prompt_arguments&, warden::call_context&) {
        return warden::prompt_result{};
    });
    h.open(person("ada"));

    // Round 1: the handler stops at its first question.
    const auto r1 = result_of(modern(h, "tools/call", {{"name", "ask"}, {"arguments", json::object{}}}, 1));
    CHECK(r1.at("resultType") == "input_required");
    CHECK(r1.at("inputRequests").as_object().size() == 1);
    CHECK(r1.at("inputRequests").at("user_name").at("method") == "elicitation/create");
    const json::value s1 = r1.at("requestState");
    // Round 2: the name answered; the handler runs again and stops at the second question.
    const auto r2 = result_of(modern(
        h, "tools/call", retry_params(s1, {{"user_name", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}), 2));
    CHECK(r2.at("resultType") == "input_required");
    CHECK(r2.at("inputRequests").at("capital").at("method") == "sampling/createMessage");
    const json::value s2 = r2.at("requestState");
    CHECK(s2 != s1);
    // Round 3: only the new answer is sent; the name comes back out of the sealed state.
    const json::object paris{{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "Paris"}}}, {"model", "m"}};
    const auto r3 = result_of(modern(h, "tools/call", retry_params(s2, {{"capital", paris}}), 3));
    CHECK(r3.at("resultType") == "complete");
    CHECK(r3.at("content").at(0).at("text") == "Ada/Paris");
    CHECK(runs == 3); // the handler ran once per round: side effects belong after the questions

    // A missing answer (another key) asks again instead of failing.
    const auto again = result_of(modern(h, "tools/call", retry_params(s1, {{"unrelated", paris}}), 4));
    CHECK(again.at("resultType") == "input_required");
    CHECK(again.at("inputRequests").as_object().contains("user_name")); // asked again

    // Refused, each with -32602 and nothing about why: a changed state, ...
    std::string tampered(s2.as_string());
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK(error_code_of(modern(h, "tools/call", retry_params(json::value(tampered), {{"capital", paris}}), 5)) == -32602);
    CHECK(error_code_of(modern(h, "tools/call", retry_params(json::value(std::string(s2.as_string()) + "-TAMPERED"),
                                                            {{"capital", paris}}), 6)) == -32602);
    // ... other arguments than the state was sealed for, another method, ...
    CHECK(error_code_of(modern(h, "tools/call", retry_params(s2, {{"capital", paris}}, {{"x", 1}}), 7)) == -32602);
    CHECK(error_code_of(modern(h, "prompts/get", {{"name", "ask"}, {"requestState", s2}}, 8)) == -32602);
    // ... another principal, ...
    {
        test::harness other;
        std::atomic<int> other_runs{0};
        add_asking_tool(other, other_runs);
        other.open(person("mallory"));
        CHECK(error_code_of(modern(other, "tools/call", retry_params(s2, {{"capital", paris}}), 9)) == -32602);
        CHECK(other_runs == 0);
    }
    // ... malformed answers and inputResponses.
    CHECK(error_code_of(modern(h, "tools/call", retry_params(nullptr, {{"user_name", 12345}}), 10)) == -32602);
    CHECK(error_code_of(modern(h, "tools/call", retry_params(nullptr, {{"user_name", {{"action", "maybe"}}}}), 11)) ==
          -32602);
    json::object not_object{{"name", "ask"}, {"inputResponses", "yes"}};
    CHECK(error_code_of(modern(h, "tools/call", not_object, 12)) == -32602);
    // Extra answers are ignored.
    const auto extra = result_of(modern(
        h, "tools/call",
        retry_params(nullptr, {{"user_name", {{"action", "accept"}, {"content", {{"name", "Bo"}}}}},
                               {"capital", paris},
                               {"surplus", {{"action", "accept"}}}}),
        13));
    CHECK(extra.at("content").at(0).at("text") == "Bo/Paris");
}

TEST_CASE("stateless era: a handler that swallows the stop still has its question asked", "[modern]") {
    test::harness h;
    h.registry->add_tool({.name = "careless"}, [](const json::object&, warden::call_context& ctx) {
        try {
            (void)ctx.elicit("Sure?", json::object{{"type", "object"}}, "sure");
        } catch (...) { // swallows everything, the stop included
        }
        return warden::tool_result::text("went ahead");
    }, json::object{{"type", "object"}}, std::nullopt);
    h.open();
    const auto r = result_of(modern(h, "tools/call", {{"name", "careless"}}, 1));
    CHECK(r.at("resultType") == "input_required");
    CHECK(r.at("inputRequests").as_object().contains("sure"));
}

TEST_CASE("stateless era: answers too large to carry are refused before a state that cannot open", "[modern]") {
    test::harness h;
    std::atomic<int> runs{0};
    add_asking_tool(h, runs);
    h.open(person("ada"));
    // 38 KB of JSON text, but each quote is escaped twice more once sealed: far past 64 KiB.
    const json::object huge{{"action", "accept"}, {"content", {{"name", std::string(19'000, '"')}}}};
    const auto r = modern(h, "tools/call", retry_params(nullptr, {{"user_name", huge}}), 1);
    REQUIRE(error_code_of(r) == -32603);
    CHECK(r.at("error").at("message") == "the answers gathered so far are too large to carry in requestState");
}

TEST_CASE("stateless era: an expired requestState is refused", "[modern]") {
    test::harness h;
    std::atomic<int> runs{0};
    add_asking_tool(h, runs);
    h.open(person("ada"));
    h.session->set_state_sealer(std::make_shared<const wm::request_state_sealer>(
        wm::request_state_sealer::from_key(warden::crypto::random_bytes(32), 1s).value()));
    const auto r1 = result_of(modern(h, "tools/call", {{"name", "ask"}, {"arguments", json::object{}}}, 1));
    std::this_thread::sleep_for(1100ms);
    const json::object ada{{"action", "accept"}, {"content", {{"name", "Ada"}}}};
    CHECK(error_code_of(modern(h, "tools/call", retry_params(r1.at("requestState"), {{"user_name", ada}}), 2)) ==
          -32602);
}

TEST_CASE("stateless era: a request needing an undeclared capability gets -32021", "[modern]") {
    test::harness h;
    std::atomic<int> runs{0};
    add_asking_tool(h, runs);
    h.open();
    const auto r = modern(h, "tools/call", {{"name", "ask"}}, 1, {{"sampling", json::object{}}});
    REQUIRE(error_code_of(r) == -32021);
    CHECK(r.at("error").at("data").at("requiredCapabilities") == json::object{{"elicitation", json::object{}}});
}

TEST_CASE("stateless era: log messages only when the request asks for a level", "[modern]") {
    test::harness h;
    h.registry->add_tool({.name = "chatty"}, [](const json::object&, warden::call_context& ctx) {
        ctx.log(warden::log_level::debug, "detail");
        ctx.log(warden::log_level::warning, "careful");
        return warden::tool_result::text("done");
    }, json::object{{"type", "object"}}, std::nullopt);
    h.open();
    result_of(modern(h, "tools/call", {{"name", "chatty"}}, 1));
    CHECK(h.out->with_method("notifications/message").empty());
    json::object meta = envelope();
    meta["io.modelcontextprotocol/logLevel"] = "info";
    result_of(h.request("tools/call", {{"name", "chatty"}, {"_meta", meta}}, 2));
    const auto logs = h.out->with_method("notifications/message");
    REQUIRE(logs.size() == 1);
    CHECK(logs[0].at("params").at("data") == "careful");
}

TEST_CASE("stateless era: resources/read cache hints and not-found", "[modern]") {
    test::harness h;
    h.registry->add_resource({.uri = "test://shared", .name = "shared",
                              .cache = warden::cache_hint{60s, warden::cache_scope::everyone}},
                             [](const std::string& uri, warden::call_context&) {
                                 return std::vector{warden::resource_contents::text(uri, "text/plain", "x")};
                             });
    h.registry->add_resource({.uri = "test://mine", .name = "mine"}, [](const std::string& uri, warden::call_context&) {
        return std::vector{warden::resource_contents::text(uri, "text/plain", "y")};
    });
    h.open();
    const auto shared = result_of(modern(h, "resources/read", {{"uri", "test://shared"}}, 1));
    CHECK(shared.at("ttlMs") == 60000);
    CHECK(shared.at("cacheScope") == "public");
    const auto mine = result_of(modern(h, "resources/read", {{"uri", "test://mine"}}, 2));
    CHECK(mine.at("ttlMs") == 0);
    CHECK(mine.at("cacheScope") == "private");
    const auto missing = modern(h, "resources/read", {{"uri", "test://none"}}, 3);
    REQUIRE(error_code_of(missing) == -32602);
    CHECK(missing.at("error").at("data").at("uri") == "test://none");
}

TEST_CASE("stateless era: subscriptions/listen acknowledges, tags and filters", "[modern]") {
    test::harness h;
    h.registry->add_tool({.name = "t"}, [](const json::object&, warden::call_context&) {
        return warden::tool_result::text("t");
    }, json::object{{"type", "object"}}, std::nullopt);
    h.registry->add_prompt({.name = "p"}, [](const warden::prompt_arguments&, warden::call_context&) {
        return warden::prompt_result{};
    });
    h.open();
    json::object params{{"_meta", envelope()},
                        {"notifications", {{"toolsListChanged", true}, {"resourcesListChanged", true}}}};
    h.session->receive(json::object{{"jsonrpc", "2.0"}, {"id", "L1"}, {"method", "subscriptions/listen"},
                                    {"params", params}});
    const auto ack = h.out->wait_for([](const json::value& m) {
        return m.as_object().contains("method") && m.at("method") == "notifications/subscriptions/acknowledged";
    });
    REQUIRE(ack.is_object());
    CHECK(ack.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == "L1");
    // Only what the server offers is honoured (no resources here).
    CHECK(ack.at("params").at("notifications") == json::object{{"toolsListChanged", true}});
    CHECK(h.session->listening());

    h.session->notify_list_changed("prompts"); // not asked for
    h.session->notify_list_changed("tools");
    const auto changed = h.out->wait_for([](const json::value& m) {
        return m.as_object().contains("method") && m.at("method") == "notifications/tools/list_changed";
    });
    REQUIRE(changed.is_object());
    CHECK(changed.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == "L1");
    CHECK(h.out->with_method("notifications/prompts/list_changed").empty());
    CHECK(h.out->entries().front().message.at("method") == "notifications/subscriptions/acknowledged");

    // On shutdown the listen request ends with its result.
    h.session->end_listens();
    const auto done = result_of(h.out->response("L1"));
    CHECK(done.at("_meta").at("io.modelcontextprotocol/subscriptionId") == "L1");
    CHECK_FALSE(h.session->listening());

    // A client cancels one (stdio) with notifications/cancelled.
    h.session->receive(json::object{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "subscriptions/listen"},
                                    {"params", {{"_meta", envelope()}, {"notifications", {{"toolsListChanged", true}}}}}});
    CHECK(h.session->listening());
    h.session->receive_text(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})");
    CHECK(h.out->was_abandoned(7));
    CHECK_FALSE(h.session->listening());
    // Without a filter: -32602.
    CHECK(error_code_of(modern(h, "subscriptions/listen", {}, 8)) == -32602);
}

TEST_CASE("scope hierarchies: a broader scope grants the narrower ones", "[modern][scopes]") {
    wm::registry reg;
    reg.scope_implies("repo:admin", {"repo:write"});
    reg.scope_implies("repo:write", {"repo:read"});
    reg.add_tool({.name = "read", .scopes = {"repo:read"}}, [](const json::object&, warden::call_context&) {
        return warden::tool_result::text("r");
    }, json::object{{"type", "object"}}, std::nullopt);
    reg.add_tool({.name = "sync", .scopes = {"repo:read", "offline_access"}},
                 [](const json::object&, warden::call_context&) { return warden::tool_result::text("s"); },
                 json::object{{"type", "object"}}, std::nullopt);
    warden::principal admin;
    admin.scopes = {"repo:admin"};
    warden::principal reader;
    reader.scopes = {"repo:read"};
    warden::principal nobody;
    const std::vector<std::string> read{"repo:read"}, admin_only{"repo:admin"};
    CHECK(reg.holds(admin, read)); // two steps down
    CHECK(reg.holds(reader, read));
    CHECK_FALSE(reg.holds(reader, admin_only)); // never upwards
    CHECK_FALSE(reg.holds(nobody, read));
    CHECK_FALSE(reg.refusal(*reg.find_tool("read"), admin));
    CHECK(reg.refusal(*reg.find_tool("read"), nobody).value() == "tool \"read\" needs scope: repo:read");
    // What a 401 asks for and what the metadata advertises: never offline_access.
    CHECK(reg.tool_scopes() == std::vector<std::string>{"repo:read"});
    CHECK(reg.advertised_scopes() == std::vector<std::string>{"repo:admin", "repo:read", "repo:write"});
}

TEST_CASE("Mcp-Name and Mcp-Param-* values: the base64 form, literals and x-mcp-header checks", "[modern]") {
    using wm::modern::decode_header_value;
    CHECK(decode_header_value("=?base64?SGVsbG8=?=").value() == "Hello");
    CHECK(decode_header_value("  plain  ").value() == "plain"); // OWS trimmed
    CHECK(decode_header_value("SGVsbG8=").value() == "SGVsbG8="); // no sentinel: literal
    CHECK(decode_header_value("=?base64?SGVsbG8=").value() == "=?base64?SGVsbG8="); // no suffix: literal
    CHECK(decode_header_value("=?BASE64?SGVsbG8=?=").value() == "=?BASE64?SGVsbG8=?="); // markers are lowercase
    CHECK_FALSE(decode_header_value("=?base64?SGVsbG8?=")); // bad padding
    CHECK_FALSE(decode_header_value("=?base64?SGVs!!!bG8=?=")); // outside the alphabet
    CHECK_FALSE(decode_header_value("caf\xc3\xa9")); // must have been encoded
    CHECK(decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=").value() == "Hello, \xe4\xb8\x96\xe7\x95\x8c");

    const auto schema = json::parse(R"({"type":"object","properties":{
        "region":{"type":"string","x-mcp-header":"Region"},
        "opts":{"type":"object","properties":{"dry":{"type":"boolean","x-mcp-header":"Dry-Run"},
                                              "n":{"type":"integer","x-mcp-header":"N"}}}}})").as_object();
    const auto mirrored = wm::modern::mirrored_params(schema);
    REQUIRE(mirrored.size() == 3);
    const auto args = json::parse(R"({"region":"eu","opts":{"dry":true,"n":42.0}})").as_object();
    CHECK(wm::modern::header_text(args, mirrored[0]).value() == "eu");
    CHECK(wm::modern::header_text(args, mirrored[1]).value() == "true");
    CHECK(wm::modern::header_text(args, mirrored[2]).value() == "42");
    CHECK_FALSE(wm::modern::header_text(json::object{{"region", nullptr}}, mirrored[0])); // null: no header
    // A number no header can carry matches no header (and is not cast out of range).
    const auto huge = json::parse(R"({"opts":{"n":1e300}})").as_object();
    CHECK(wm::modern::header_text(huge, mirrored[2]).value() == "\x01");
    for (const char* bad : {R"({"type":"object","properties":{"a":{"type":"number","x-mcp-header":"A"}}})",
                            R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"A B"}}})",
                            R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":""}}})",
                            R"({"type":"object","properties":{"a":{"type":"string","x-mcp-header":"X"},
                                                             "b":{"type":"string","x-mcp-header":"x"}}})"})
        CHECK_THROWS_AS(wm::modern::mirrored_params(json::parse(bad).as_object()), std::invalid_argument);
}
