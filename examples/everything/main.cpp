// everything: an MCP server that serves every fixture the official conformance suite
// expects, plus a few tools that show warden's features (structured output, cancellation,
// resource updates, the caller's identity, an upstream credential from the environment).
//
//     everything --stdio [--log-level LEVEL]
//     everything --listen 127.0.0.1:8080 [modern-only]
//
// Both protocol eras are served (initialize sessions, and the stateless requests of MCP
// 2026-07-28); `modern-only` serves the stateless era alone.
#include <warden/warden.hpp>
#include <warden/transport/streamable_http.hpp>
#include <warden/transport/websocket.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace w = warden;
using namespace std::chrono_literals;

namespace {

// A 1x1 red PNG.
constexpr const char* png_base64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

// 10 ms of silence: 16-bit mono PCM at 8 kHz, in a RIFF/WAVE container.
std::string wav_base64() {
    const std::uint32_t samples = 80, data_bytes = samples * 2;
    std::vector<unsigned char> b;
    auto put = [&](std::string_view s) { b.insert(b.end(), s.begin(), s.end()); };
    auto u32 = [&](std::uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i))); };
    auto u16 = [&](std::uint16_t v) { for (int i = 0; i < 2; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i))); };
    put("RIFF"); u32(36 + data_bytes); put("WAVE");
    put("fmt "); u32(16); u16(1); u16(1); u32(8000); u32(16000); u16(2); u16(16);
    put("data"); u32(data_bytes);
    b.resize(b.size() + data_bytes, 0);
    return w::crypto::base64_encode(b);
}

struct sampling_args { std::string prompt; };
BOOST_DESCRIBE_STRUCT(sampling_args, (), (prompt))
inline w::field_docs warden_field_docs(const sampling_args*) { return {{"prompt", "What to ask the client's model"}}; }

struct elicitation_args { std::string message; };
BOOST_DESCRIBE_STRUCT(elicitation_args, (), (message))
inline w::field_docs warden_field_docs(const elicitation_args*) { return {{"message", "What to ask the user"}}; }

struct add_args { double a; double b; };
BOOST_DESCRIBE_STRUCT(add_args, (), (a, b))
struct add_result { double sum; };
BOOST_DESCRIBE_STRUCT(add_result, (), (sum))

struct sleep_args { int milliseconds = 1000; };
BOOST_DESCRIBE_STRUCT(sleep_args, (), (milliseconds))

w::tool_result elicitation_answer(const w::result<w::elicitation_result>& r) {
    if (!r) return w::tool_result::error("elicitation failed: " + r.error().message());
    return w::tool_result::text("User response: action=" + r.value().action +
                                ", content=" + boost::json::serialize(r.value().content));
}

boost::json::object parse_object(std::string_view text) { return boost::json::parse(text).as_object(); }

// A plain function over server_base: compiled once, although main serves four definitions.
void register_fixtures(w::server_base& s) {
    // ---- tools ----
    s.tool("test_simple_text", "Returns a simple text response",
           [] { return w::tool_result::text("This is a simple text response for testing."); });
    s.tool("test_image_content", "Returns an image",
           [] { return w::tool_result{{w::content::image(std::string_view(png_base64), "image/png")}}; });
    s.tool("test_audio_content", "Returns an audio clip",
           [] { return w::tool_result{{w::content::audio(std::string_view(wav_base64()), "audio/wav")}}; });
    s.tool("test_embedded_resource", "Returns an embedded resource", [] {
        return w::tool_result{{w::content::embedded(w::resource_contents::text(
            "test://embedded-resource", "text/plain", "This is an embedded resource content."))}};
    });
    s.tool("test_multiple_content_types", "Returns text, an image and an embedded resource", [] {
        return w::tool_result{{w::content::text("Multiple content types test:"),
                               w::content::image(std::string_view(png_base64), "image/png"),
                               w::content::embedded(w::resource_contents::text(
                                   "test://mixed-content-resource", "application/json",
                                   R"({"test":"data","value":123})"))}};
    });
    s.tool("test_tool_with_logging", "Sends three log messages while it runs", [](w::call_context& ctx) {
        ctx.log(w::log_level::info, "Tool execution started", "everything");
        std::this_thread::sleep_for(50ms);
        ctx.log(w::log_level::info, "Tool processing data", "everything");
        std::this_thread::sleep_for(50ms);
        ctx.log(w::log_level::info, "Tool execution completed", "everything");
        return w::tool_result::text("Tool with logging executed successfully");
    });
    s.tool("test_error_handling", "Always fails, as a tool result with isError", [] {
        return w::tool_result::error("This tool intentionally returns an error for testing");
    });
    s.tool("test_tool_with_progress", "Reports progress 0, 50, 100 of 100", [](w::call_context& ctx) {
        // A pause after every step, the last one included: the TypeScript SDK dispatches
        // notifications a microtask later than responses, so a progress notification read
        // in the same chunk as the result reaches a progress handler that is already gone.
        for (double p : {0.0, 50.0, 100.0}) {
            ctx.progress(p, 100.0, "step " + std::to_string(static_cast<int>(p)));
            std::this_thread::sleep_for(50ms);
        }
        return w::tool_result::text("Progress tool completed");
    });
    s.tool("test_sampling", "Asks the client's model (sampling/createMessage)",
           [](const sampling_args& a, w::call_context& ctx) {
               auto r = ctx.sample_text(a.prompt, 100);
               if (!r) return w::tool_result::error("sampling failed: " + r.error().message());
               std::string text;
               if (const auto* c = r.value().if_contains("content"); c && c->is_object())
                   if (const auto* t = c->get_object().if_contains("text"); t && t->is_string())
                       text = std::string(t->get_string());
               return w::tool_result::text("LLM response: " + text);
           });
    s.tool("test_elicitation", "Asks the user for a username and an email (elicitation/create)",
           [](const elicitation_args& a, w::call_context& ctx) {
               return elicitation_answer(ctx.elicit(a.message, parse_object(R"({
                   "type":"object",
                   "properties":{"username":{"type":"string","description":"User's response"},
                                 "email":{"type":"string","description":"User's email address"}},
                   "required":["username","email"]})")));
           });
    s.tool("test_elicitation_sep1034_defaults", "Elicitation whose fields carry defaults (SEP-1034)",
           [](w::call_context& ctx) {
               return elicitation_answer(ctx.elicit("Please review and update the form fields with defaults",
                                                    parse_object(R"({
                   "type":"object",
                   "properties":{
                     "name":{"type":"string","description":"User name","default":"John Doe"},
                     "age":{"type":"integer","description":"User age","default":30},
                     "score":{"type":"number","description":"User score","default":95.5},
                     "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                     "verified":{"type":"boolean","description":"Verification status","default":true}}})")));
           });
    s.tool("test_elicitation_sep1330_enums", "Elicitation with every enum form (SEP-1330)", [](w::call_context& ctx) {
        return elicitation_answer(ctx.elicit("Please select options from the enum fields", parse_object(R"json({
            "type":"object",
            "properties":{
              "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
              "titledSingle":{"type":"string","description":"Select one option with titles",
                "oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
              "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],
                "enumNames":["Option One","Option Two","Option Three"]},
              "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,
                "items":{"type":"string","enum":["option1","option2","option3"]}},
              "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,
                "items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
            "required":[]})json")));
    });
    s.tool(w::tool_spec{.name = "json_schema_2020_12_tool",
                        .description = "Declares a JSON Schema 2020-12 input schema, served verbatim",
                        .input_schema = parse_object(R"({
                            "$schema":"https://json-schema.org/draft/2020-12/schema",
                            "type":"object",
                            "$defs":{"address":{"$anchor":"addressDef","type":"object",
                                     "properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                            "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
                                          "contactMethod":{"type":"string","enum":["phone","email"]},
                                          "phone":{"type":"string"},"email":{"type":"string"}},
                            "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
                            "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
                            "then":{"required":["phone"]},"else":{"required":["email"]},
                            "additionalProperties":false})")},
           [](const boost::json::object& args) {
               return w::tool_result::text("Received: " + boost::json::serialize(args));
           });

    // ---- warden's own demonstrations ----
    s.tool(w::tool_spec{.name = "add",
                        .description = "Adds two numbers; the result is structured (outputSchema)",
                        .title = "Add",
                        .annotations = {{"readOnlyHint", true}, {"idempotentHint", true}}},
           [](const add_args& a) { return add_result{a.a + a.b}; });
    s.tool("sleep", "Waits, reporting progress, until done or cancelled",
           [](const sleep_args& a, w::call_context& ctx) {
               const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(a.milliseconds);
               int step = 0;
               while (std::chrono::steady_clock::now() < until) {
                   if (ctx.cancelled()) return w::tool_result::error("cancelled");
                   std::this_thread::sleep_for(10ms);
                   ctx.progress(++step);
               }
               return w::tool_result::text("slept " + std::to_string(a.milliseconds) + " ms");
           });
    s.tool("whoami", "Says who the server thinks the caller is", [](w::call_context& ctx) {
        const auto& p = ctx.caller();
        return w::tool_result::text("subject=" + p.subject + " scheme=" + p.scheme);
    });
    s.tool("upstream_credential", "Says whether EVERYTHING_UPSTREAM_TOKEN is configured, without revealing it",
           [](w::call_context& ctx) {
               const auto* token = ctx.credentials().find_secret("EVERYTHING_UPSTREAM_TOKEN");
               if (!token) return w::tool_result::text("no upstream token configured");
               return w::tool_result::text("upstream token configured: " + token->fingerprint());
           });
    s.tool("touch_watched_resource", "Marks test://watched-resource as updated (subscribers are notified)",
           [&s] {
               s.notify_resource_updated("test://watched-resource");
               return w::tool_result::text("notified");
           });

    // ---- the stateless era (MCP 2026-07-28): input-required results, diagnostics ----
    // The same handler code serves both eras: in the session era these requests go to the
    // client over the session; in the stateless era the call ends with an input-required
    // result and runs again, from the start, on the retry that carries the answers.
    const auto name_schema = parse_object(
        R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})");
    s.tool("test_missing_capability", "Needs the client's sampling capability (answers -32021 without it)",
           [](w::call_context& ctx) {
               auto r = ctx.sample_text("Say hello", 20);
               return w::tool_result::text(r ? "sampling is available" : "sampling failed: " + r.error().message());
           });
    s.tool("test_streaming_elicitation", "Asks the user for a name, without a server-to-client request in 2026-07-28",
           [name_schema](w::call_context& ctx) {
               auto r = ctx.elicit("What is your name?", name_schema);
               return elicitation_answer(r);
           });
    s.tool("test_logging_tool", "Logs three messages, which reach the client only when it asked for a log level",
           [](w::call_context& ctx) {
               for (const char* m : {"first", "second", "third"}) ctx.log(w::log_level::info, m, "test_logging_tool");
               return w::tool_result::text("logged three messages");
           });
    s.tool("test_trigger_tool_change", "Tells listening clients that the tool list changed", [&s] {
        s.notify_list_changed("tools");
        return w::tool_result::text("tools/list_changed sent");
    });
    s.tool("test_trigger_prompt_change", "Tells listening clients that the prompt list changed", [&s] {
        s.notify_list_changed("prompts");
        return w::tool_result::text("prompts/list_changed sent");
    });
    s.tool("test_input_required_result_elicitation", "Asks for the user's name (key user_name)",
           [name_schema](w::call_context& ctx) {
               auto r = ctx.elicit("What is your name?", name_schema, "user_name");
               if (!r) return w::tool_result::error("elicitation failed: " + r.error().message());
               const auto* name = r.value().content.if_contains("name");
               if (!r.value().accepted() || !name || !name->is_string())
                   return w::tool_result::text("No name given (" + r.value().action + ")");
               return w::tool_result::text("Hello, " + std::string(name->get_string()) + "!");
           });
    s.tool("test_input_required_result_sampling", "Asks the client's model for the capital of France",
           [](w::call_context& ctx) {
               auto r = ctx.sample_text("What is the capital of France?", 100, "capital_question");
               if (!r) return w::tool_result::error("sampling failed: " + r.error().message());
               return w::tool_result::text("The model said: " + boost::json::serialize(r.value().at("content")));
           });
    s.tool("test_input_required_result_list_roots", "Lists the client's roots", [](w::call_context& ctx) {
        auto r = ctx.list_roots("client_roots");
        if (!r) return w::tool_result::error("roots/list failed: " + r.error().message());
        return w::tool_result::text("The client has " + std::to_string(r.value().size()) + " root(s): " +
                                    boost::json::serialize(r.value()));
    });
    const auto confirm_schema =
        parse_object(R"({"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]})");
    for (const char* name : {"test_input_required_result_request_state", "test_input_required_result_tampered_state"})
        s.tool(name, "Asks for a confirmation; the answers so far travel sealed in requestState",
               [confirm_schema](w::call_context& ctx) {
                   auto r = ctx.elicit("Please confirm", confirm_schema, "confirm");
                   if (!r) return w::tool_result::error("elicitation failed: " + r.error().message());
                   return w::tool_result::text(r.value().accepted() ? "state-ok: confirmed" : "state-ok: not confirmed");
               });
    s.tool("test_input_required_result_multiple_inputs", "Asks for a name, a greeting and the roots in one round",
           [name_schema](w::call_context& ctx) {
               auto r = ctx.gather({{"user_name", "elicitation/create",
                                     w::call_context::elicitation_params("What is your name?", name_schema), "elicitation"},
                                    {"greeting", "sampling/createMessage",
                                     w::call_context::sampling_params("Generate a greeting", 50), "sampling"},
                                    {"client_roots", "roots/list", {}, "roots"}});
               if (!r) return w::tool_result::error("inputs failed: " + r.error().message());
               return w::tool_result::text("Got " + std::to_string(r.value().size()) + " answers: " +
                                           boost::json::serialize(r.value()[0]));
           });
    s.tool("test_input_required_result_multi_round", "Asks for a name, then a favourite colour (two rounds)",
           [name_schema](w::call_context& ctx) {
               auto name = ctx.elicit("Step 1: What is your name?", name_schema, "step1");
               if (!name) return w::tool_result::error("step 1 failed: " + name.error().message());
               auto color = ctx.elicit("Step 2: What is your favorite color?",
                                       parse_object(R"({"type":"object","properties":{"color":{"type":"string"}},
                                                        "required":["color"]})"),
                                       "step2");
               if (!color) return w::tool_result::error("step 2 failed: " + color.error().message());
               return w::tool_result::text(boost::json::serialize(name.value().content) + " likes " +
                                           boost::json::serialize(color.value().content));
           });
    s.tool("test_input_required_result_capabilities", "Asks only for what the client declared it can answer",
           [name_schema](w::call_context& ctx) {
               std::vector<w::mcp::input_request> asks;
               if (ctx.client_supports("sampling"))
                   asks.push_back({"sample_input", "sampling/createMessage",
                                   w::call_context::sampling_params("Say something", 20), "sampling"});
               if (ctx.client_supports("elicitation"))
                   asks.push_back({"elicit_input", "elicitation/create",
                                   w::call_context::elicitation_params("What is your name?", name_schema), "elicitation"});
               if (asks.empty()) return w::tool_result::text("the client can answer nothing");
               auto r = ctx.gather(std::move(asks));
               if (!r) return w::tool_result::error("inputs failed: " + r.error().message());
               return w::tool_result::text("answered " + std::to_string(r.value().size()) + " request(s)");
           });
    s.tool(w::tool_spec{.name = "test_custom_header",
                        .description = "Echoes a parameter that is mirrored into the Mcp-Param-Region header",
                        .input_schema = parse_object(R"({"type":"object","properties":{"region":{"type":"string",
                            "description":"Region","x-mcp-header":"Region"}},"required":["region"]})"),
                        .run_inline = true},
           [](const boost::json::object& args) {
               return w::tool_result::text("region=" + std::string(args.at("region").as_string()));
           });

    // ---- resources ----
    s.resource({.uri = "test://static-text", .name = "static-text", .description = "A static text resource",
                .mime_type = "text/plain"},
               [](const std::string& uri) {
                   return w::resource_contents::text(uri, "text/plain", "This is the content of the static text resource.");
               });
    s.resource({.uri = "test://static-binary", .name = "static-binary", .description = "A static binary resource",
                .mime_type = "image/png"},
               [](const std::string& uri) { return w::resource_contents::blob_base64(uri, "image/png", png_base64); });
    s.resource({.uri = "test://watched-resource", .name = "watched-resource",
                .description = "A resource clients can subscribe to", .mime_type = "text/plain"},
               [](const std::string& uri) { return w::resource_contents::text(uri, "text/plain", "Watched resource content"); });
    s.resource_template({.uri_template = "test://template/{id}/data", .name = "template-data",
                         .description = "Data for any id", .mime_type = "application/json"},
                        [](const std::string& uri, const w::uri_variables& vars) {
                            boost::json::object o{{"id", vars.at("id")},
                                                  {"templateTest", true},
                                                  {"data", "Data for ID: " + vars.at("id")}};
                            return w::resource_contents::text(uri, "application/json", boost::json::serialize(o));
                        });

    // ---- prompts ----
    s.prompt({.name = "test_simple_prompt", .description = "A prompt without arguments"}, [](const w::prompt_arguments&) {
        return w::prompt_result{"", {w::prompt_message::user(w::content::text("This is a simple prompt for testing."))}};
    });
    s.prompt({.name = "test_prompt_with_arguments",
              .description = "A prompt with two required arguments",
              .arguments = {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}}},
             [](const w::prompt_arguments& a) {
                 return w::prompt_result{"", {w::prompt_message::user(w::content::text(
                                                "Prompt with arguments: arg1='" + a.at("arg1") + "', arg2='" +
                                                a.at("arg2") + "'"))}};
             });
    s.prompt({.name = "test_prompt_with_embedded_resource",
              .description = "A prompt that embeds a resource",
              .arguments = {{"resourceUri", "URI of the resource to embed", true}}},
             [](const w::prompt_arguments& a) {
                 return w::prompt_result{
                     "",
                     {w::prompt_message::user(w::content::embedded(w::resource_contents::text(
                          a.at("resourceUri"), "text/plain", "Embedded resource content for testing."))),
                      w::prompt_message::user(w::content::text("Please process the embedded resource above."))}};
             });
    s.prompt({.name = "test_prompt_with_image", .description = "A prompt that contains an image"},
             [](const w::prompt_arguments&) {
                 return w::prompt_result{"", {w::prompt_message::user(w::content::image(std::string_view(png_base64), "image/png")),
                                              w::prompt_message::user(w::content::text("Please analyze the image above."))}};
             });
    s.prompt({.name = "test_input_required_result_prompt",
              .description = "A prompt that first asks the user for context (input-required in 2026-07-28)"},
             [](const w::prompt_arguments&, w::call_context& ctx) {
                 auto r = ctx.elicit("What context should the prompt use?",
                                     parse_object(R"({"type":"object","properties":{"context":{"type":"string"}},
                                                      "required":["context"]})"),
                                     "user_context");
                 std::string context = "(none)";
                 if (r && r.value().accepted())
                     if (const auto* c = r.value().content.if_contains("context"); c && c->is_string())
                         context = std::string(c->get_string());
                 return w::prompt_result{.description = "",
                                         .messages = {w::prompt_message::user(w::content::text("Prompt with context: " + context))}};
             });
    s.prompt_completion("test_prompt_with_arguments", "arg1", [](const w::completion_request& r) {
        std::vector<std::string> out;
        for (std::string v : {"test", "testing", "testValue1", "paris", "park"})
            if (v.starts_with(r.value)) out.push_back(v);
        return out;
    });
}

// Tools that run as tasks (the tasks extension, io.modelcontextprotocol/tasks): the fixtures
// the conformance suite's tasks scenarios call. The same handlers answer a plain call when
// the client did not declare the extension.
void register_task_fixtures(w::server_base& s) {
    const auto object_schema = [](std::string_view properties, std::string_view required = "[]") {
        return parse_object(R"({"type":"object","properties":)" + std::string(properties) +
                            R"(,"required":)" + std::string(required) + "}");
    };
    // Waits `seconds`, a step a second, until done or cancelled.
    const auto wait = [](w::call_context& ctx, double seconds) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        for (int step = 1; std::chrono::steady_clock::now() < until; ++step) {
            for (int i = 0; i < 20 && std::chrono::steady_clock::now() < until && !ctx.cancelled(); ++i)
                std::this_thread::sleep_for(50ms);
            if (ctx.cancelled()) return false;
            ctx.progress(step, seconds, "second " + std::to_string(step));
        }
        return !ctx.cancelled();
    };
    s.tool(w::tool_spec{.name = "greet",
                        .description = "Says hello (never a task)",
                        .input_schema = object_schema(R"({"name":{"type":"string"}})", R"(["name"])")},
           [](const boost::json::object& args) {
               const auto* name = args.if_contains("name");
               return w::tool_result::text("Hello, " + std::string(name && name->is_string() ? name->get_string() : "") + "!");
           });
    s.tool(w::tool_spec{.name = "slow_compute",
                        .description = "Works for `seconds` seconds, reporting progress; a task when the client can take one",
                        .input_schema = object_schema(R"({"seconds":{"type":"number"},"label":{"type":"string"}})"),
                        .task = w::task_support::optional},
           [wait](const boost::json::object& args, w::call_context& ctx) {
               const auto* sec = args.if_contains("seconds");
               const double seconds = sec && sec->is_number() ? sec->to_number<double>() : 1.0;
               const auto* label = args.if_contains("label");
               const std::string what = label && label->is_string() ? std::string(label->get_string()) : "work";
               if (!wait(ctx, seconds)) return w::tool_result::error(what + ": cancelled");
               return w::tool_result::text(what + ": done after " + std::to_string(seconds) + " s");
           });
    s.tool(w::tool_spec{.name = "failing_job",
                        .description = "A task that fails as a tool error after a second",
                        .input_schema = object_schema("{}"),
                        .task = w::task_support::required},
           [wait](w::call_context& ctx) {
               wait(ctx, 1);
               return w::tool_result::error("the job failed: no such input");
           });
    s.tool(w::tool_spec{.name = "protocol_error_job",
                        .description = "A task whose handler throws (the task fails)",
                        .input_schema = object_schema("{}"),
                        .task = w::task_support::optional},
           [](w::call_context&) -> w::tool_result { throw std::runtime_error("the job's worker crashed"); });
    s.tool(w::tool_spec{.name = "confirm_delete",
                        .description = "Asks the user to confirm, then deletes the file (it does not really)",
                        .input_schema = object_schema(R"({"filename":{"type":"string"}})", R"(["filename"])"),
                        .task = w::task_support::optional},
           [object_schema](const boost::json::object& args, w::call_context& ctx) {
               const auto* f = args.if_contains("filename");
               const std::string file = f && f->is_string() ? std::string(f->get_string()) : "";
               auto r = ctx.elicit("Delete " + file + "?", object_schema(R"({"confirm":{"type":"boolean"}})", R"(["confirm"])"),
                                   "confirm_delete");
               if (!r) return w::tool_result::error("no confirmation: " + r.error().message());
               const auto* yes = r.value().content.if_contains("confirm");
               if (!r.value().accepted() || !yes || !yes->is_bool() || !yes->get_bool())
                   return w::tool_result::text("kept " + file);
               return w::tool_result::text("deleted " + file);
           });
    s.tool(w::tool_spec{.name = "multi_input",
                        .description = "Asks two questions at once",
                        .input_schema = object_schema("{}"),
                        .task = w::task_support::optional},
           [object_schema](w::call_context& ctx) {
               const auto schema = object_schema(R"({"name":{"type":"string"},"confirm":{"type":"boolean"}})");
               auto r = ctx.gather({{"first", "elicitation/create",
                                     w::call_context::elicitation_params("First question", schema), "elicitation"},
                                    {"second", "elicitation/create",
                                     w::call_context::elicitation_params("Second question", schema), "elicitation"}});
               if (!r) return w::tool_result::error("no answers: " + r.error().message());
               return w::tool_result::text("answers: " + boost::json::serialize(r.value()[0]) + " and " +
                                           boost::json::serialize(r.value()[1]));
           });
    s.tool(w::tool_spec{.name = "test_tool_with_task",
                        .description = "Asks for the user's name, then finishes as a task",
                        .input_schema = object_schema("{}"),
                        .task = w::task_support::required,
                        .task_starts_in_handler = true},
           [object_schema](w::call_context& ctx) {
               auto r = ctx.elicit("What is your name?", object_schema(R"({"name":{"type":"string"}})", R"(["name"])"),
                                   "user_name");
               if (!r) return w::tool_result::error("no name: " + r.error().message());
               const auto* name = r.value().content.if_contains("name");
               const std::string who = name && name->is_string() ? std::string(name->get_string()) : "stranger";
               ctx.start_task(); // the inputs are in: the rest runs as a task
               std::this_thread::sleep_for(200ms);
               return w::tool_result::text("Hello, " + who + "! (finished as a task)");
           });
}

// The stateless era only (MCP 2026-07-28): no initialize, no sessions.
using modern_only_http_server =
    w::server_definition<w::transport::modern_only<w::transport::streamable_http<w::transport::loopback>>,
                         w::credentials::env, w::auth::anonymous, w::storage::memory, w::profile::production>;

// Every endpoint of the HTTP server, WebSocket (/ws) included: it is not a transport of the
// MCP specification, so a server has it only when its type says `with_websocket`.
using local_websocket_server = w::server_definition<
    w::transport::with_websocket<w::transport::streamable_http<w::transport::loopback>>, w::credentials::env,
    w::auth::anonymous, w::storage::memory, w::profile::production>;

// Anonymous HTTPS is for a developer's machine only: rule 7 refuses it in production.
using https_development_server =
    w::server_definition<w::transport::with_websocket<w::transport::streamable_http<w::transport::tls>>,
                         w::credentials::env, w::auth::anonymous, w::storage::memory, w::profile::development>;

template <class Definition>
int serve(w::settings settings) {
    w::server<Definition> server{
        {.name = "warden-everything", .version = w::version_string, .title = "warden everything server",
         .instructions = "Test fixtures for MCP clients and the conformance suite."},
        std::move(settings)};
    server.enable_tasks();
    register_fixtures(server);
    register_task_fixtures(server);
    return server.run();
}

} // namespace

int main(int argc, char** argv) {
    std::vector<w::variable> env = {
        {"EVERYTHING_UPSTREAM_TOKEN", "a token for an upstream API (shown only as a fingerprint)", false, true},
    };
    w::settings settings;
    w::command_line cl;
    if (auto exit = w::configure_example(argc, argv, "everything", "An MCP server with every conformance fixture.", env,
                                         settings, cl))
        return *exit;
    // The conformance suite opens about 35 sessions per run and never ends them.
    settings.http.session_idle_timeout = std::chrono::minutes(5);
    if (cl.stdio) return serve<w::local_stdio_server>(std::move(settings));
    if (cl.command == "modern-only") return serve<modern_only_http_server>(std::move(settings));
    if (!cl.command.empty()) {
        std::cerr << "everything: unknown command \"" << cl.command << "\" (known: modern-only)\n";
        return 64;
    }
    if (!cl.tls_cert.empty()) return serve<https_development_server>(std::move(settings));
    return serve<local_websocket_server>(std::move(settings));
}
