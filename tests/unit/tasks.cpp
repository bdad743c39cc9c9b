// The tasks extension (io.modelcontextprotocol/tasks) at the session level, in both eras:
// CreateTaskResult and polling, the capability gate, principals, input inside a task,
// cancellation reaching the handler, failures, the per-caller limit, and tasks shared by
// two instances (a shared store, and a real redis-server) or left by a stopped one.
#include <warden/mcp/tasks.hpp>

#include "captured_log.hpp"
#include "redis_server.hpp"
#include "support.hpp"
#include "temp_dir.hpp"

#include <warden/mcp/registry.hpp>
#include <warden/storage/encrypted_file.hpp>
#include <warden/storage/file.hpp>
#include <warden/storage/memory.hpp>
#include <warden/storage/redis.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace json = boost::json;
namespace wm = warden::mcp;
using test::error_code_of;
using test::person;
using test::result_of;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view ext = "io.modelcontextprotocol/tasks";

json::object with_tasks() {
    return {{"extensions", {{ext, json::object{}}}}, {"elicitation", json::object{}}};
}

warden::task_settings quick() {
    warden::task_settings ts;
    ts.poll_interval = 100ms;
    ts.heartbeat = 50ms;
    return ts;
}

/// The tools, a task manager over `store`, and sessions of any principal on both.
struct fixture {
    std::shared_ptr<wm::registry> registry = std::make_shared<wm::registry>();
    std::shared_ptr<warden::logger> log = std::make_shared<warden::logger>(warden::log_level::critical);
    std::shared_ptr<wm::task_manager> tasks;
    std::atomic<bool> release{false};
    std::atomic<int> saw_cancel{0};

    explicit fixture(warden::task_settings ts = quick(),
                     std::shared_ptr<warden::storage::store> store = std::make_shared<warden::storage::memory_store>(),
                     bool shared = false) {
        registry->enable_tasks();
        tasks = std::make_shared<wm::task_manager>(ts, shared, log);
        tasks->set_store(std::move(store));
        const json::object any{{"type", "object"}};
        auto tool = [&](std::string name, warden::task_support support, auto f) {
            registry->add_tool({.name = std::move(name), .task = support}, f, any, std::nullopt);
        };
        // Runs until released or cancelled, reporting progress once.
        tool("work", warden::task_support::optional, [this](const json::object&, warden::call_context& ctx) {
            ctx.progress(1, 2, "half way");
            while (!release && !ctx.cancelled()) std::this_thread::sleep_for(5ms);
            if (ctx.cancelled()) {
                ++saw_cancel;
                return warden::tool_result::error("stopped");
            }
            return warden::tool_result::text(ctx.in_task() ? "done as a task" : "done");
        });
        tool("ask", warden::task_support::optional, [](const json::object&, warden::call_context& ctx) {
            auto r = ctx.elicit("Your name?", json::object{{"type", "object"}}, "q");
            if (!r) return warden::tool_result::error(r.error().message());
            return warden::tool_result::text("name=" + std::string(r.value().content.at("name").as_string()));
        });
        // Asks once released: a test can follow it first.
        tool("ask_later", warden::task_support::optional, [this](const json::object&, warden::call_context& ctx) {
            while (!release && !ctx.cancelled()) std::this_thread::sleep_for(5ms);
            auto r = ctx.elicit("Your name?", json::object{{"type", "object"}}, "q");
            if (!r) return warden::tool_result::error(r.error().message());
            return warden::tool_result::text("name=" + std::string(r.value().content.at("name").as_string()));
        });
        tool("needs_task", warden::task_support::required,
             [](const json::object&, warden::call_context&) { return warden::tool_result::text("ran"); });
        tool("broken", warden::task_support::optional,
             [](const json::object&, warden::call_context&) -> warden::tool_result {
                 throw std::runtime_error("secret detail of the crash");
             });
        tool("wrong", warden::task_support::optional, [](const json::object&, warden::call_context&) {
            return warden::tool_result::error("bad input");
        });
    }
    ~fixture() {
        release = true;
        tasks->shutdown(5s);
    }

    /// A new session of `who`; initialized in the session era unless `stateless`.
    std::unique_ptr<test::harness> session(warden::principal who, bool stateless = false,
                                           json::object caps = with_tasks()) {
        auto h = std::make_unique<test::harness>();
        h->registry = registry;
        h->open(std::move(who));
        h->session->set_tasks(tasks);
        if (!stateless) h->initialize("2025-11-25", std::move(caps));
        return h;
    }
};

/// A request in the session's era: the stateless era's envelope when `caps` are given.
json::value ask(test::harness& h, std::string_view method, json::object params, json::value id,
                std::optional<json::object> stateless_caps = std::nullopt) {
    if (stateless_caps)
        params["_meta"] = json::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                       {"io.modelcontextprotocol/clientCapabilities", *stateless_caps}};
    return h.request(method, std::move(params), std::move(id));
}

/// tasks/get until `done(task)` or 5 s; the last answer.
json::object poll(test::harness& h, std::string_view task, const std::function<bool(const json::object&)>& done,
                  std::optional<json::object> stateless_caps = std::nullopt) {
    static std::atomic<int> ids{1000};
    json::object last;
    for (int i = 0; i < 500; ++i) {
        last = result_of(ask(h, "tasks/get", {{"taskId", task}}, ++ids, stateless_caps));
        if (done(last)) break;
        std::this_thread::sleep_for(10ms);
    }
    return last;
}
bool has_status(const json::object& t, std::string_view s) { return t.at("status").as_string() == s; }

} // namespace

TEST_CASE("tasks: a task tool answers with a task the client polls until its result", "[tasks]") {
    fixture f;
    auto fresh = f.session(person("ada"));
    const auto caps = result_of(fresh->request("tools/list", {}, "l"));
    bool listed = false;
    for (const auto& t : caps.at("tools").as_array())
        if (t.at("name") == "needs_task") listed = t.at("execution").at("taskSupport") == "required";
    CHECK(listed);

    const auto created = result_of(ask(*fresh, "tools/call", {{"name", "work"}, {"arguments", json::object{}}}, 1));
    CHECK(created.at("resultType") == "task");
    CHECK(created.at("status") == "working");
    CHECK(created.at("ttlMs").as_int64() == 3'600'000);
    CHECK(created.at("pollIntervalMs").as_int64() == 100);
    CHECK(created.at("createdAt").as_string().size() >= 20);
    CHECK_FALSE(created.contains("result"));
    const std::string id(created.at("taskId").as_string());

    // Progress becomes the status message; the handler still runs.
    auto working = poll(*fresh, id, [](const json::object& t) { return t.contains("statusMessage"); });
    CHECK(working.at("status") == "working");
    CHECK(working.at("statusMessage") == "half way");
    CHECK(working.at("resultType") == "complete");
    CHECK_FALSE(working.contains("result"));

    f.release = true;
    auto done = poll(*fresh, id, [](const json::object& t) { return has_status(t, "completed"); });
    REQUIRE(done.at("status") == "completed");
    CHECK(done.at("result").at("content").at(0).at("text") == "done as a task");
    CHECK_FALSE(done.at("result").as_object().contains("isError"));

    // A tool error completes the task (isError); a handler that throws fails it, saying nothing
    // of what it threw.
    const auto w = result_of(ask(*fresh, "tools/call", {{"name", "wrong"}}, 2));
    auto wrong = poll(*fresh, std::string(w.at("taskId").as_string()),
                      [](const json::object& t) { return has_status(t, "completed"); });
    CHECK(wrong.at("result").at("isError") == true);
    const auto b = result_of(ask(*fresh, "tools/call", {{"name", "broken"}}, 3));
    auto broken = poll(*fresh, std::string(b.at("taskId").as_string()),
                       [](const json::object& t) { return has_status(t, "failed"); });
    REQUIRE(broken.at("status") == "failed");
    CHECK(broken.at("error").at("code") == -32603);
    CHECK(broken.at("error").at("message").as_string().find("secret") == json::string::npos);
    CHECK_FALSE(broken.contains("result"));

    // Unknown ids, and methods the extension removed.
    CHECK(error_code_of(ask(*fresh, "tasks/get", {{"taskId", "no-such-task"}}, 4)) == -32602);
    CHECK(error_code_of(ask(*fresh, "tasks/result", {{"taskId", id}}, 5)) == -32601);
    CHECK(error_code_of(ask(*fresh, "tasks/list", {}, 6)) == -32601);
}

TEST_CASE("tasks: without the extension, optional tools answer plainly and required ones with -32021", "[tasks]") {
    fixture f;
    f.release = true;
    auto h = f.session(person("ada"), false, json::object{});
    const auto plain = result_of(ask(*h, "tools/call", {{"name", "work"}}, 1));
    CHECK_FALSE(plain.contains("taskId"));
    CHECK(plain.at("content").at(0).at("text") == "done");
    const auto required = ask(*h, "tools/call", {{"name", "needs_task"}}, 2);
    CHECK(error_code_of(required) == -32021);
    CHECK(required.at("error").at("data").at("requiredCapabilities").at("extensions").as_object().contains(ext));
    CHECK(error_code_of(ask(*h, "tasks/get", {{"taskId", "x"}}, 3)) == -32021);
    CHECK(error_code_of(ask(*h, "tasks/cancel", {{"taskId", "x"}}, 4)) == -32021);
    // The extension declared in the request's own _meta is enough (a per-request opt-in).
    const auto opted = result_of(ask(*h, "tools/call",
                                     {{"name", "needs_task"},
                                      {"_meta", {{"io.modelcontextprotocol/clientCapabilities", with_tasks()}}}},
                                     5));
    CHECK(opted.at("resultType") == "task");

    // The server advertises the extension under capabilities.extensions.
    auto other = f.session(person("bob"), true);
    const auto init2 = result_of(other->initialize("2025-11-25", with_tasks()));
    CHECK(init2.at("capabilities").at("extensions").as_object().contains(ext));
}

TEST_CASE("tasks: only their principal sees, answers or cancels them; a reconnect finds them", "[tasks]") {
    fixture f;
    std::string id;
    {
        auto ada = f.session(person("ada"));
        id = std::string(result_of(ask(*ada, "tools/call", {{"name", "work"}}, 1)).at("taskId").as_string());
        ada->session->close(); // the client goes away; the task goes on
    }
    auto bob = f.session(person("bob"));
    for (const auto* method : {"tasks/get", "tasks/cancel"}) {
        const auto r = ask(*bob, method, {{"taskId", id}}, method);
        CHECK(error_code_of(r) == -32602);
        CHECK(r.at("error").at("message") == "unknown task");
    }
    CHECK(error_code_of(ask(*bob, "tasks/update", {{"taskId", id}, {"inputResponses", json::object{}}}, 3)) == -32602);
    // Another issuer's "ada" is someone else too.
    auto other = person("ada");
    other.issuer = "https://other.example";
    auto impostor = f.session(other);
    CHECK(error_code_of(ask(*impostor, "tasks/get", {{"taskId", id}}, 4)) == -32602);
    CHECK(f.saw_cancel == 0);

    // Ada again, on a new session: her task is there, and her cancel reaches the handler.
    auto ada = f.session(person("ada"));
    CHECK(result_of(ask(*ada, "tasks/get", {{"taskId", id}}, 5)).at("status") == "working");
    const auto ack = result_of(ask(*ada, "tasks/cancel", {{"taskId", id}}, 6));
    CHECK(ack.at("resultType") == "complete");
    CHECK_FALSE(ack.contains("status"));
    CHECK(result_of(ask(*ada, "tasks/get", {{"taskId", id}}, 7)).at("status") == "cancelled");
    for (int i = 0; i < 500 && f.saw_cancel == 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(f.saw_cancel == 1);
    for (int i = 0; i < 500 && f.tasks->running() > 0; ++i) std::this_thread::sleep_for(10ms);
    // Its handler's "stopped" result does not replace the cancellation; a second cancel is an ack.
    CHECK(result_of(ask(*ada, "tasks/get", {{"taskId", id}}, 8)).at("status") == "cancelled");
    CHECK(result_of(ask(*ada, "tasks/cancel", {{"taskId", id}}, 9)).at("resultType") == "complete");
}

TEST_CASE("tasks: a question inside a task waits in input_required until tasks/update answers", "[tasks]") {
    fixture f;
    for (bool stateless : {false, true}) {
        DYNAMIC_SECTION((stateless ? "stateless era" : "session era")) {
            auto h = f.session(person("ada"), stateless);
            std::optional<json::object> caps;
            if (stateless) caps = with_tasks();
            const auto created = result_of(ask(*h, "tools/call", {{"name", "ask"}}, 1, caps));
            REQUIRE(created.at("resultType") == "task");
            const std::string id(created.at("taskId").as_string());
            auto waiting = poll(*h, id, [](const json::object& t) { return has_status(t, "input_required"); }, caps);
            REQUIRE(waiting.at("status") == "input_required");
            CHECK(waiting.at("inputRequests").at("q").at("method") == "elicitation/create");
            CHECK(waiting.at("inputRequests").at("q").at("params").at("message") == "Your name?");
            // A malformed answer is refused and loses nothing; an unknown key is ignored.
            CHECK(error_code_of(ask(*h, "tasks/update", {{"taskId", id}, {"inputResponses", {{"q", {{"action", "maybe"}}}}}},
                                    2, caps)) == -32602);
            CHECK(result_of(ask(*h, "tasks/update", {{"taskId", id}, {"inputResponses", {{"zz", json::object{}}}}}, 3, caps))
                      .at("resultType") == "complete");
            CHECK(result_of(ask(*h, "tasks/get", {{"taskId", id}}, 4, caps)).at("status") == "input_required");
            // Another principal cannot answer it.
            auto bob = f.session(person("bob"), stateless);
            CHECK(error_code_of(ask(*bob, "tasks/update",
                                    {{"taskId", id},
                                     {"inputResponses", {{"q", {{"action", "accept"}, {"content", {{"name", "Mallory"}}}}}}}},
                                    5, caps)) == -32602);
            const auto ack = result_of(ask(
                *h, "tasks/update",
                {{"taskId", id}, {"inputResponses", {{"q", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}}}, 6,
                caps));
            CHECK(ack.at("resultType") == "complete");
            auto done = poll(*h, id, [](const json::object& t) { return has_status(t, "completed"); }, caps);
            REQUIRE(done.at("status") == "completed");
            CHECK(done.at("result").at("content").at(0).at("text") == "name=Ada");
            CHECK_FALSE(done.contains("inputRequests"));
        }
    }
}

TEST_CASE("tasks: the stateless era reads a task through any session of its principal", "[tasks]") {
    fixture f;
    auto one = f.session(person("ada"), true);
    const auto created = result_of(ask(*one, "tools/call", {{"name", "work"}}, 1, with_tasks()));
    REQUIRE(created.at("resultType") == "task");
    CHECK(created.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
    const std::string id(created.at("taskId").as_string());
    auto two = f.session(person("ada"), true); // another request, another session (as over HTTP)
    CHECK(result_of(ask(*two, "tasks/get", {{"taskId", id}}, 2, with_tasks())).at("taskId").as_string() == id);
    CHECK(error_code_of(ask(*two, "tasks/get", {{"taskId", id}}, 3, json::object{})) == -32021);
    auto bob = f.session(person("bob"), true);
    CHECK(error_code_of(ask(*bob, "tasks/get", {{"taskId", id}}, 4, with_tasks())) == -32602);
    f.release = true;
    CHECK(poll(*two, id, [](const json::object& t) { return has_status(t, "completed"); }, with_tasks())
              .at("status") == "completed");
}

TEST_CASE("tasks: the limit per caller refuses the next task with a clear error", "[tasks]") {
    auto ts = quick();
    ts.max_per_caller = 2;
    fixture f(ts);
    auto ada = f.session(person("ada"));
    std::vector<std::string> ids;
    for (int i = 0; i < 2; ++i)
        ids.emplace_back(result_of(ask(*ada, "tools/call", {{"name", "work"}}, i)).at("taskId").as_string());
    const auto refused = ask(*ada, "tools/call", {{"name", "work"}}, 2);
    REQUIRE(refused.as_object().contains("error"));
    CHECK(refused.at("error").at("message").as_string().find("2 unfinished tasks") != json::string::npos);
    // Others are not held back by Ada's tasks.
    auto bob = f.session(person("bob"));
    CHECK(result_of(ask(*bob, "tools/call", {{"name", "work"}}, 3)).at("resultType") == "task");
    // Once one of hers ends, she may start another.
    result_of(ask(*ada, "tasks/cancel", {{"taskId", ids[0]}}, 4));
    for (int i = 0; i < 500 && f.tasks->running() > 2; ++i) std::this_thread::sleep_for(10ms);
    CHECK(result_of(ask(*ada, "tools/call", {{"name", "work"}}, 5)).at("resultType") == "task");
}

TEST_CASE("tasks: a task whose server stopped reads as failed, with the reason", "[tasks]") {
    warden_test::temp_dir dir;
    auto open_store = [&] {
        return warden::storage::file_store::open({.directory = dir / "store", .server_name = "t"}).value();
    };
    const auto ada = person("ada");
    std::string id;
    {
        fixture before(quick(), open_store());
        auto h = before.session(ada);
        id = std::string(result_of(ask(*h, "tools/call", {{"name", "work"}}, 1)).at("taskId").as_string());
        // The process "restarts": a new manager on the same directory, the old one's handler
        // still blocked (a crash would leave the record just like this).
        fixture after(quick(), open_store());
        auto got = after.tasks->get(ada, id);
        REQUIRE(got);
        CHECK(got.value().at("status") == "failed");
        CHECK(got.value().at("error").at("message").as_string().find("stopped before it finished") !=
              json::string::npos);
        // ... and it stays so, whatever the old handler still does.
        before.release = true;
        for (int i = 0; i < 500 && before.tasks->running() > 0; ++i) std::this_thread::sleep_for(10ms);
        CHECK(after.tasks->get(ada, id).value().at("status") == "failed");
    }
    // A clean shutdown with a handler that ignores its stop says so too.
    fixture stuck(quick(), open_store());
    stuck.registry->add_tool({.name = "stubborn", .task = warden::task_support::optional},
                             [&](const json::object&, warden::call_context&) {
                                 while (!stuck.release) std::this_thread::sleep_for(5ms);
                                 return warden::tool_result::text("late");
                             },
                             json::object{{"type", "object"}}, std::nullopt);
    auto h = stuck.session(ada);
    const std::string late(result_of(ask(*h, "tools/call", {{"name", "stubborn"}}, 2)).at("taskId").as_string());
    stuck.tasks->shutdown(100ms);
    CHECK(stuck.tasks->get(ada, late).value().at("error").at("message") ==
          "the server stopped before the task finished");
    CHECK(error_code_of(ask(*h, "tools/call", {{"name", "work"}}, 3)) != 0); // no new tasks once stopping
}

namespace {
/// Two instances over one store: a task started through `a` is read, answered and cancelled
/// through `b`, and `b` judges `a` alive by its heartbeat.
void two_instances(std::shared_ptr<warden::storage::store> sa, std::shared_ptr<warden::storage::store> sb) {
    auto raw = sa;
    fixture a(quick(), std::move(sa), true);
    fixture b(quick(), std::move(sb), true);
    // Sealed records (what a server does over Redis, with WARDEN_STORAGE_KEY): both instances
    // hold the key.
    const auto key = warden::crypto::random_bytes(32);
    a.tasks->set_codec(warden::storage::aead_codec::make(key).value());
    b.tasks->set_codec(warden::storage::aead_codec::make(key).value());
    const auto ada = person("ada");
    auto ha = a.session(ada);
    auto hb = b.session(ada);
    const std::string asking(result_of(ask(*ha, "tools/call", {{"name", "ask"}}, 1)).at("taskId").as_string());
    auto waiting = poll(*hb, asking, [](const json::object& t) { return has_status(t, "input_required"); });
    REQUIRE(waiting.at("status") == "input_required");
    std::this_thread::sleep_for(400ms); // several heartbeats: b must not take a for stopped
    CHECK(result_of(ask(*hb, "tasks/get", {{"taskId", asking}}, 2)).at("status") == "input_required");
    result_of(ask(*hb, "tasks/update",
                  {{"taskId", asking}, {"inputResponses", {{"q", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}}},
                  3));
    auto done = poll(*hb, asking, [](const json::object& t) { return has_status(t, "completed"); });
    CHECK(done.at("result").at("content").at(0).at("text") == "name=Ada");
    // What the store holds says nothing of the answer or the result.
    const auto stored = raw->get("tasks", asking).value();
    REQUIRE(stored);
    CHECK(stored->find("Ada") == std::string::npos);
    // An instance without the key cannot read it (nor take it for another's).
    fixture keyless(quick(), raw, true);
    const auto unreadable = keyless.tasks->get(person("ada"), asking);
    REQUIRE_FALSE(unreadable);
    CHECK(unreadable.error() == warden::errc::storage_error);

    const std::string working(result_of(ask(*ha, "tools/call", {{"name", "work"}}, 4)).at("taskId").as_string());
    result_of(ask(*hb, "tasks/cancel", {{"taskId", working}}, 5));
    for (int i = 0; i < 500 && a.saw_cancel == 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(a.saw_cancel == 1); // the cancel reached the handler on the other instance
    auto bob = b.session(person("bob"));
    CHECK(error_code_of(ask(*bob, "tasks/get", {{"taskId", working}}, 6)) == -32602);
}
} // namespace

TEST_CASE("tasks: two instances sharing a store serve one task", "[tasks]") {
    auto shared = std::make_shared<warden::storage::memory_store>();
    two_instances(shared, shared);
}

TEST_CASE("tasks: two instances sharing a real redis-server serve one task", "[tasks][redis]") {
    warden_test::redis_server redis("tasks-password");
    warden_test::captured_log cap;
    auto open = [&] {
        warden::storage_settings settings;
        settings.redis_url = redis.url();
        warden::credential_set c;
        c.insert(warden::storage::redis::variables(settings).front(), std::string("tasks-password"));
        return warden::storage::redis::open({settings, c, cap.log, "tasks-test"}).value();
    };
    two_instances(open(), open());
}

namespace {
/// Opens a subscriptions/listen request following `ids` on `h`'s session; its acknowledgement.
json::value listen_to(test::harness& h, std::string_view listen_id, json::array ids) {
    json::object params{{"_meta",
                         {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                          {"io.modelcontextprotocol/clientCapabilities", with_tasks()}}},
                        {"notifications", {{"taskIds", std::move(ids)}}}};
    h.session->receive(json::object{{"jsonrpc", "2.0"}, {"id", listen_id}, {"method", "subscriptions/listen"},
                                    {"params", std::move(params)}});
    return h.out->wait_for([](const json::value& m) {
        return m.as_object().contains("method") && m.at("method") == "notifications/subscriptions/acknowledged";
    });
}
/// The first notifications/tasks `h` received whose task has `status`.
json::value heard(test::harness& h, std::string_view status, std::chrono::milliseconds wait = 5s) {
    return h.out->wait_for([&](const json::value& m) {
        const auto* o = m.if_object();
        return o && o->contains("method") && o->at("method") == "notifications/tasks" &&
               o->at("params").at("status").as_string() == status;
    }, wait);
}
/// Stops sending task changes to the sessions (before they go).
struct observing {
    explicit observing(std::shared_ptr<wm::task_manager> t) : tasks(std::move(t)) {}
    observing(const observing&) = delete;
    ~observing() { tasks->set_observers({}, {}); }
    std::shared_ptr<wm::task_manager> tasks;
};
/// Sends `f`'s task changes to the listens of `sessions` (what the server core does) while
/// the guard lives.
[[nodiscard]] observing observe(fixture& f, std::vector<test::harness*> sessions) {
    f.tasks->set_observers(
        [sessions](std::string_view id, std::string_view owner, const json::object& task) {
            for (auto* h : sessions) h->session->notify_task(id, owner, task);
        },
        [sessions] {
            std::vector<std::string> ids;
            for (auto* h : sessions)
                for (auto& id : h->session->followed_tasks()) ids.push_back(id);
            return ids;
        });
    return observing{f.tasks};
}
} // namespace

TEST_CASE("tasks: a subscriptions/listen stream hears of its own tasks' changes (notifications/tasks)", "[tasks]") {
    fixture f;
    auto ada = f.session(person("ada"), true);
    auto bob = f.session(person("bob"), true);
    const auto guard = observe(f, {ada.get(), bob.get()});
    const std::string id(
        result_of(ask(*ada, "tools/call", {{"name", "ask_later"}}, 1, with_tasks())).at("taskId").as_string());
    const auto ack = listen_to(*ada, "L", {id, "another-task"});
    REQUIRE(ack.is_object());
    CHECK(ack.at("params").at("notifications").at("taskIds") == json::array{id, "another-task"});
    listen_to(*bob, "B", {id}); // Bob asks to follow Ada's task: he hears nothing of it
    f.release = true;

    const auto waiting = heard(*ada, "input_required");
    REQUIRE(waiting.is_object());
    CHECK(waiting.at("params").at("taskId") == id.c_str());
    CHECK(waiting.at("params").at("inputRequests").as_object().contains("q"));
    CHECK(waiting.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId") == "L");
    result_of(ask(*ada, "tasks/update",
                  {{"taskId", id}, {"inputResponses", {{"q", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}}}, 2,
                  with_tasks()));
    const auto done = heard(*ada, "completed");
    REQUIRE(done.is_object());
    CHECK(done.at("params").at("result").at("content").at(0).at("text") == "name=Ada");
    CHECK(bob->out->with_method("notifications/tasks").empty());
}

TEST_CASE("tasks: a listen on one instance hears of changes made through another", "[tasks]") {
    auto shared = std::make_shared<warden::storage::memory_store>();
    fixture a(quick(), shared, true);
    fixture b(quick(), shared, true);
    auto on_a = a.session(person("ada"), true);
    auto on_b = b.session(person("ada"), true);
    const auto guard_a = observe(a, {on_a.get()});
    const auto guard_b = observe(b, {on_b.get()});
    const std::string id(
        result_of(ask(*on_a, "tools/call", {{"name", "work"}}, 1, with_tasks())).at("taskId").as_string());
    listen_to(*on_b, "L", {id});
    std::this_thread::sleep_for(200ms); // b has looked at the task once
    result_of(ask(*on_a, "tasks/cancel", {{"taskId", id}}, 2, with_tasks()));
    const auto cancelled = heard(*on_b, "cancelled");
    REQUIRE(cancelled.is_object());
    CHECK(cancelled.at("params").at("statusMessage") == "cancelled by the client");
}

TEST_CASE("tasks: a task's result is held to the tool's output schema like a plain call's", "[tasks]") {
    fixture f;
    f.registry->add_tool({.name = "typed", .task = warden::task_support::optional},
                         [](const json::object&, warden::call_context&) { return warden::tool_result::text("untyped"); },
                         json::object{{"type", "object"}},
                         json::object{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}});
    auto h = f.session(person("ada"));
    const std::string id(result_of(ask(*h, "tools/call", {{"name", "typed"}}, 1)).at("taskId").as_string());
    auto done = poll(*h, id, [](const json::object& t) { return has_status(t, "completed"); });
    REQUIRE(done.at("status") == "completed");
    CHECK(done.at("result").at("isError") == true);
    CHECK(done.at("result").at("content").at(0).at("text").as_string().find("no structured content") !=
          json::string::npos);
}
