// warden/mcp/registry.hpp: the tools, resources, prompts and completions a server offers.
//
// Registration happens at start-up (and may continue while serving; sessions are then
// told the lists changed). Typed tool handlers are wrapped here: their argument struct
// gives the input schema and is converted from the call's arguments, and a described
// return type gives the output schema and structuredContent.
//
// Tool handler shapes accepted by `make_tool_handler`, where `Args` is a described struct
// (or `boost::json::object` for a raw schema) and `Out` is `tool_result`, `std::string`,
// or a described struct (structured output):
//
//     Out(const Args&, call_context&)    Out(const Args&)    Out(call_context&)    Out()
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/error.hpp>
#include <warden/mcp/cache_hint.hpp>
#include <warden/mcp/content.hpp>
#include <warden/mcp/context.hpp>
#include <warden/mcp/dispatcher.hpp>
#include <warden/mcp/schema.hpp>
#include <warden/mcp/task_settings.hpp>

#include <boost/json/serialize.hpp>
#include <boost/mp11/list.hpp>

#include <warden/mcp/modern.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {

/// A tool's declaration. `input_schema`, when set, is served verbatim (a raw JSON Schema
/// 2020-12); otherwise it is generated from the handler's argument type.
struct tool_spec {
    std::string name{};
    std::string description{};
    std::string title{};
    std::optional<boost::json::object> input_schema{};
    std::optional<boost::json::object> output_schema{};
    boost::json::object annotations{}; ///< readOnlyHint, destructiveHint, idempotentHint, openWorldHint
    std::vector<std::string> scopes{};  ///< every one of these is needed to call the tool
    std::vector<std::string> schemes{}; ///< if any: the caller must have authenticated with one of these
    /// The handler never blocks (no I/O, no waiting on the client, no long computation): run
    /// it on the thread that received the request instead of the worker pool, saving two
    /// thread hops; a stateless HTTP request for it is answered without a session of its
    /// own (a question to the client then fails at once in the session era). Leave false
    /// when in doubt.
    bool run_inline = false;
    /// Whether the tool runs as a task (the tasks extension; `server<D>::enable_tasks()`
    /// first): `optional` becomes a task when the client declared the extension, `required`
    /// always does (a client without it gets -32021). Listed as `execution.taskSupport`.
    task_support task = task_support::forbidden;
    /// For a task tool: the call stays a plain call (its requests to the client answered
    /// through it, input-required in 2026-07-28) until the handler calls
    /// `ctx.start_task()`; it becomes a task there. Without it the task starts before the
    /// handler runs.
    bool task_starts_in_handler = false;
};

using tool_handler = std::function<tool_result(const boost::json::object& arguments, call_context&)>;

struct resource_spec {
    std::string uri{};
    std::string name{};
    std::string description{};
    std::string mime_type{};
    std::string title{};
    std::optional<std::uint64_t> size{};
    std::optional<cache_hint> cache{}; ///< resources/read in the stateless era; default: session_options
};
using resource_handler = std::function<std::vector<resource_contents>(const std::string& uri, call_context&)>;

/// A family of resources named by an RFC 6570 level-1 template such as
/// "test://template/{id}/data"; each variable matches a non-empty run without '/'.
struct resource_template_spec {
    std::string uri_template{};
    std::string name{};
    std::string description{};
    std::string mime_type{};
    std::string title{};
    std::optional<cache_hint> cache{}; ///< resources/read in the stateless era; default: session_options
};
using uri_variables = std::map<std::string, std::string, std::less<>>;
using resource_template_handler =
    std::function<std::vector<resource_contents>(const std::string& uri, const uri_variables&, call_context&)>;

struct prompt_argument {
    std::string name{};
    std::string description{};
    bool required = false;
};
struct prompt_spec {
    std::string name{};
    std::string description{};
    std::vector<prompt_argument> arguments{};
    std::string title{};
};
using prompt_arguments = std::map<std::string, std::string, std::less<>>;
using prompt_handler = std::function<prompt_result(const prompt_arguments&, call_context&)>;

/// What completion/complete asks: the argument, its partial value, and the values of the
/// other arguments already chosen.
struct completion_request {
    std::string argument{};
    std::string value{};
    prompt_arguments context{};
};
using completion_handler = std::function<std::vector<std::string>(const completion_request&)>;

namespace mcp {

namespace detail {
template <class F>
struct callable : callable<decltype(&std::remove_cvref_t<F>::operator())> {};
template <class C, class R, class... A>
struct callable<R (C::*)(A...) const> {
    using return_type = R;
    using arguments = boost::mp11::mp_list<A...>;
};
template <class C, class R, class... A>
struct callable<R (C::*)(A...)> : callable<R (C::*)(A...) const> {};
template <class R, class... A>
struct callable<R (*)(A...)> {
    using return_type = R;
    using arguments = boost::mp11::mp_list<A...>;
};
template <class R, class... A>
struct callable<R(A...)> : callable<R (*)(A...)> {};

/// A tool's argument type: `void` when it takes none.
template <class List>
struct tool_args {
    using type = void;
};
template <class A, class... Rest>
struct tool_args<boost::mp11::mp_list<A, Rest...>> {
    using type = std::conditional_t<std::is_same_v<std::remove_cvref_t<A>, call_context>, void, std::remove_cvref_t<A>>;
};

inline bool valid_tool_name(std::string_view n) noexcept {
    if (n.empty() || n.size() > 128) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    return true;
}

template <class Out>
tool_result to_tool_result(Out&& out) {
    using O = std::remove_cvref_t<Out>;
    if constexpr (std::is_same_v<O, tool_result>) {
        return std::forward<Out>(out);
    } else if constexpr (std::is_same_v<O, std::string>) {
        return tool_result::text(out);
    } else {
        boost::json::value structured = to_json(out);
        tool_result r;
        r.contents.push_back(content::text(boost::json::serialize(structured)));
        r.structured = std::move(structured.as_object());
        return r;
    }
}
} // namespace detail

/// The input schema a typed handler implies (or `{"type":"object"}` for a raw one).
template <class F>
boost::json::object input_schema_for() {
    using Args = typename detail::tool_args<typename detail::callable<F>::arguments>::type;
    if constexpr (std::is_void_v<Args>) {
        return boost::json::object{{"type", "object"}, {"properties", boost::json::object{}}};
    } else if constexpr (std::is_same_v<Args, boost::json::object>) {
        return boost::json::object{{"type", "object"}};
    } else {
        static_assert(detail::described_struct<Args>,
                      "warden: a tool's arguments must be a struct described with BOOST_DESCRIBE_STRUCT, or "
                      "boost::json::object with a raw input schema");
        return schema_for<Args>();
    }
}

/// The output schema a typed handler implies, if its result is structured.
template <class F>
std::optional<boost::json::object> output_schema_for() {
    using Out = std::remove_cvref_t<typename detail::callable<F>::return_type>;
    if constexpr (std::is_same_v<Out, tool_result> || std::is_same_v<Out, std::string>) {
        return std::nullopt;
    } else {
        static_assert(detail::described_struct<Out>,
                      "warden: a tool returns tool_result, std::string, or a described struct (structured output)");
        return schema_for<Out>();
    }
}

/// Wraps a typed handler into a tool_handler: converts arguments (a mismatch becomes a
/// tool result with isError, so the model can correct itself) and the result.
template <class F>
tool_handler make_tool_handler(F f) {
    using traits = detail::callable<F>;
    using Args = typename detail::tool_args<typename traits::arguments>::type;
    constexpr std::size_t arity = boost::mp11::mp_size<typename traits::arguments>::value;
    return [f = std::move(f)](const boost::json::object& arguments, call_context& ctx) -> tool_result {
        if constexpr (std::is_void_v<Args>) {
            if (!arguments.empty())
                return tool_result::error("this tool takes no arguments; got \"" +
                                          std::string(arguments.begin()->key()) + "\"");
            if constexpr (arity == 0)
                return detail::to_tool_result(f());
            else
                return detail::to_tool_result(f(ctx));
        } else {
            if constexpr (std::is_same_v<Args, boost::json::object>) {
                if constexpr (arity == 1)
                    return detail::to_tool_result(f(arguments));
                else
                    return detail::to_tool_result(f(arguments, ctx));
            } else {
                auto args = from_json<Args>(arguments);
                if (!args) return tool_result::error("invalid arguments: " + args.error().message());
                if constexpr (arity == 1)
                    return detail::to_tool_result(f(args.value()));
                else
                    return detail::to_tool_result(f(args.value(), ctx));
            }
        }
    };
}

/// A parsed level-1 URI template.
class uri_template {
public:
    explicit uri_template(std::string_view text) {
        std::size_t i = 0;
        while (i < text.size()) {
            auto open = text.find('{', i);
            if (open == std::string_view::npos) {
                parts_.push_back({std::string(text.substr(i)), false});
                break;
            }
            if (open > i) parts_.push_back({std::string(text.substr(i, open - i)), false});
            auto close = text.find('}', open);
            if (close == std::string_view::npos) throw std::invalid_argument("warden: unclosed '{' in URI template");
            std::string name(text.substr(open + 1, close - open - 1));
            if (name.empty() || name.find_first_of("+#./;?&=,!@|*:") != std::string::npos)
                throw std::invalid_argument("warden: only level-1 URI template variables ({name}) are supported");
            if (!parts_.empty() && parts_.back().variable)
                throw std::invalid_argument("warden: two URI template variables need a literal between them");
            parts_.push_back({std::move(name), true});
            i = close + 1;
        }
    }

    /// The variables when `uri` matches, else nullopt.
    std::optional<uri_variables> match(std::string_view uri) const {
        uri_variables vars;
        std::size_t pos = 0;
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            const auto& p = parts_[k];
            if (!p.variable) {
                if (uri.substr(pos, p.text.size()) != p.text) return std::nullopt;
                pos += p.text.size();
                continue;
            }
            std::size_t end = uri.find('/', pos);
            if (end == std::string_view::npos) end = uri.size();
            if (k + 1 < parts_.size()) {
                auto next = uri.find(parts_[k + 1].text, pos);
                if (next == std::string_view::npos) return std::nullopt;
                end = std::min(end, next);
            }
            if (end == pos) return std::nullopt;
            vars.emplace(p.text, std::string(uri.substr(pos, end - pos)));
            pos = end;
        }
        if (pos != uri.size()) return std::nullopt;
        return vars;
    }

    bool has_variable(std::string_view name) const {
        for (const auto& p : parts_)
            if (p.variable && p.text == name) return true;
        return false;
    }

private:
    struct part {
        std::string text{};
        bool variable;
    };
    std::vector<part> parts_{};
};

/// Everything a server offers. Safe to read from many sessions while it is extended.
class registry final : public dispatcher {
public:
    struct tool_entry {
        boost::json::object definition{}; ///< what tools/list shows
        std::vector<std::string> scopes{};
        tool_handler handler{};
        bool run_inline = false;
        std::vector<std::string> schemes{};
        std::vector<modern::mirrored_param> mirrored{}; ///< parameters mirrored into Mcp-Param-* headers
        task_support task = task_support::forbidden;
        bool task_starts_in_handler = false;

        /// Why `caller` may not call this tool, or nothing when it may. `held` tells whether
        /// the caller holds the scopes (with the server's scope hierarchy).
        template <class Held>
        std::optional<std::string> refusal(const principal& caller, const Held& held) const {
            if (!schemes.empty() && std::find(schemes.begin(), schemes.end(), caller.scheme) == schemes.end())
                return "tool \"" + std::string(definition.at("name").get_string()) +
                       "\" needs authentication by " + join_words(schemes);
            if (!held(caller, scopes))
                return "tool \"" + std::string(definition.at("name").get_string()) + "\" needs scope: " +
                       join_words(scopes);
            return std::nullopt;
        }
    };
    /// "a b c"
    static std::string join_words(const std::vector<std::string>& words) {
        std::string out;
        for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
        return out;
    }
    struct resource_entry {
        boost::json::object definition{};
        resource_handler handler{};
        std::optional<cache_hint> cache{};
    };
    struct template_entry {
        boost::json::object definition{};
        uri_template pattern;
        resource_template_handler handler{};
        std::optional<cache_hint> cache{};
    };
    struct prompt_entry {
        boost::json::object definition{};
        std::vector<prompt_argument> arguments{};
        prompt_handler handler{};
    };

    /// Adds a tool; throws std::invalid_argument for a bad or duplicate name.
    void add_tool(tool_spec spec, tool_handler handler, boost::json::object input_schema,
                  std::optional<boost::json::object> output_schema) {
        if (!detail::valid_tool_name(spec.name))
            throw std::invalid_argument("warden: tool name \"" + spec.name +
                                        "\" must be 1-128 characters of A-Z a-z 0-9 _ - .");
        boost::json::object def{};
        def.emplace("name", spec.name);
        if (!spec.title.empty()) def.emplace("title", spec.title);
        if (!spec.description.empty()) def.emplace("description", spec.description);
        def.emplace("inputSchema", spec.input_schema ? std::move(*spec.input_schema) : std::move(input_schema));
        if (spec.output_schema)
            def.emplace("outputSchema", std::move(*spec.output_schema));
        else if (output_schema)
            def.emplace("outputSchema", std::move(*output_schema));
        if (!spec.annotations.empty()) def.emplace("annotations", std::move(spec.annotations));
        if (spec.task != task_support::forbidden) {
            if (!tasks_enabled_.load())
                throw std::invalid_argument("warden: tool \"" + spec.name +
                                            "\" runs as a task: call enable_tasks() on the server before adding it");
            def.emplace("execution", boost::json::object{
                                         {"taskSupport", spec.task == task_support::required ? "required" : "optional"}});
        }
        auto mirrored = modern::mirrored_params(def.at("inputSchema").as_object());
        auto entry = std::make_shared<tool_entry>(tool_entry{std::move(def), std::move(spec.scopes), std::move(handler),
                                                             spec.run_inline && spec.task == task_support::forbidden,
                                                             std::move(spec.schemes), std::move(mirrored), spec.task,
                                                             spec.task_starts_in_handler});
        std::unique_lock lock(mutex_);
        insert_unique(tools_, tool_order_, spec.name, std::move(entry), "tool");
    }

    void add_resource(resource_spec spec, resource_handler handler) {
        if (spec.uri.empty() || spec.name.empty())
            throw std::invalid_argument("warden: a resource needs a uri and a name");
        boost::json::object def{};
        def.emplace("uri", spec.uri);
        def.emplace("name", spec.name);
        if (!spec.title.empty()) def.emplace("title", spec.title);
        if (!spec.description.empty()) def.emplace("description", spec.description);
        if (!spec.mime_type.empty()) def.emplace("mimeType", spec.mime_type);
        if (spec.size) def.emplace("size", *spec.size);
        auto entry = std::make_shared<resource_entry>(resource_entry{std::move(def), std::move(handler), spec.cache});
        std::unique_lock lock(mutex_);
        insert_unique(resources_, resource_order_, spec.uri, std::move(entry), "resource");
    }

    void add_resource_template(resource_template_spec spec, resource_template_handler handler) {
        if (spec.uri_template.empty() || spec.name.empty())
            throw std::invalid_argument("warden: a resource template needs a uriTemplate and a name");
        uri_template pattern(spec.uri_template);
        boost::json::object def{};
        def.emplace("uriTemplate", spec.uri_template);
        def.emplace("name", spec.name);
        if (!spec.title.empty()) def.emplace("title", spec.title);
        if (!spec.description.empty()) def.emplace("description", spec.description);
        if (!spec.mime_type.empty()) def.emplace("mimeType", spec.mime_type);
        auto entry = std::make_shared<template_entry>(
            template_entry{std::move(def), std::move(pattern), std::move(handler), spec.cache});
        std::unique_lock lock(mutex_);
        insert_unique(templates_, template_order_, spec.uri_template, std::move(entry), "resource template");
    }

    void add_prompt(prompt_spec spec, prompt_handler handler) {
        if (spec.name.empty()) throw std::invalid_argument("warden: a prompt needs a name");
        boost::json::object def{};
        def.emplace("name", spec.name);
        if (!spec.title.empty()) def.emplace("title", spec.title);
        if (!spec.description.empty()) def.emplace("description", spec.description);
        if (!spec.arguments.empty()) {
            boost::json::array args{};
            for (const auto& a : spec.arguments) {
                boost::json::object o{};
                o.emplace("name", a.name);
                if (!a.description.empty()) o.emplace("description", a.description);
                o.emplace("required", a.required);
                args.emplace_back(std::move(o));
            }
            def.emplace("arguments", std::move(args));
        }
        auto entry =
            std::make_shared<prompt_entry>(prompt_entry{std::move(def), std::move(spec.arguments), std::move(handler)});
        std::unique_lock lock(mutex_);
        insert_unique(prompts_, prompt_order_, spec.name, std::move(entry), "prompt");
    }

    /// Completions for argument `argument` of prompt `prompt_name`.
    void add_prompt_completion(std::string prompt_name, std::string argument, completion_handler handler) {
        std::unique_lock lock(mutex_);
        completions_.insert_or_assign("prompt\n" + prompt_name + "\n" + argument, std::move(handler));
    }
    /// Completions for variable `argument` of the resource template `uri_template`.
    void add_template_completion(std::string uri_template, std::string argument, completion_handler handler) {
        std::unique_lock lock(mutex_);
        completions_.insert_or_assign("resource\n" + uri_template + "\n" + argument, std::move(handler));
    }

    std::shared_ptr<const tool_entry> find_tool(std::string_view name) const {
        // One call looks its tool up several times (the HTTP gate's scope check, dispatch,
        // the call, its metrics), and tools are only ever added: each thread remembers the
        // last tool it found, without the registry's lock.
        struct memo {
            std::uint64_t registry = 0;
            std::string name;
            std::weak_ptr<const tool_entry> entry;
        };
        thread_local memo last;
        if (last.registry == id_ && last.name == name)
            if (auto e = last.entry.lock()) return e;
        auto e = find(tools_, name);
        if (e) {
            last.registry = id_;
            last.name.assign(name);
            last.entry = e;
        }
        return e;
    }
    std::shared_ptr<const resource_entry> find_resource(std::string_view uri) const { return find(resources_, uri); }
    std::shared_ptr<const prompt_entry> find_prompt(std::string_view name) const { return find(prompts_, name); }
    std::shared_ptr<const template_entry> find_template(std::string_view uri_template) const {
        return find(templates_, uri_template);
    }
    /// The first template that matches `uri`, with its variables.
    std::pair<std::shared_ptr<const template_entry>, uri_variables> match_template(std::string_view uri) const {
        std::shared_lock lock(mutex_);
        for (const auto& key : template_order_) {
            auto& e = templates_.at(key);
            if (auto vars = e->pattern.match(uri)) return {e, std::move(*vars)};
        }
        return {};
    }
    std::optional<completion_handler> find_completion(std::string_view kind, std::string_view ref,
                                                      std::string_view argument) const {
        std::shared_lock lock(mutex_);
        auto it = completions_.find(std::string(kind) + "\n" + std::string(ref) + "\n" + std::string(argument));
        if (it == completions_.end()) return std::nullopt;
        return it->second;
    }

    /// One page of definitions, starting at `offset`; `next` is the next page's offset.
    struct page {
        boost::json::array items{};
        std::optional<std::size_t> next{};
    };
    page list_tools(std::size_t offset, std::size_t limit) const { return list(tools_, tool_order_, offset, limit); }
    page list_resources(std::size_t offset, std::size_t limit) const {
        return list(resources_, resource_order_, offset, limit);
    }
    page list_templates(std::size_t offset, std::size_t limit) const {
        return list(templates_, template_order_, offset, limit);
    }
    page list_prompts(std::size_t offset, std::size_t limit) const {
        return list(prompts_, prompt_order_, offset, limit);
    }

    /// Declares that holding `broader` grants each of `narrower` (and what they imply in
    /// turn), e.g. `implies("repo:admin", {"repo:read", "repo:write"})`.
    void scope_implies(std::string broader, std::vector<std::string> narrower) {
        std::unique_lock lock(mutex_);
        auto& into = implied_[std::move(broader)];
        into.insert(std::make_move_iterator(narrower.begin()), std::make_move_iterator(narrower.end()));
    }
    /// Whether `caller` holds every scope of `needed`, directly or through a broader scope.
    bool holds(const principal& caller, std::span<const std::string> needed) const {
        if (caller.has_scopes(needed)) return true; // the common case, no hierarchy walk
        std::shared_lock lock(mutex_);
        if (implied_.empty()) return false;
        std::set<std::string, std::less<>> held(caller.scopes.begin(), caller.scopes.end());
        std::vector<std::string> todo(caller.scopes.begin(), caller.scopes.end());
        while (!todo.empty()) {
            auto s = std::move(todo.back());
            todo.pop_back();
            auto it = implied_.find(s);
            if (it == implied_.end()) continue;
            for (const auto& n : it->second)
                if (held.insert(n).second) todo.push_back(n);
        }
        return std::all_of(needed.begin(), needed.end(), [&](const std::string& n) { return held.contains(n); });
    }
    /// Why `caller` may not call `tool`, or nothing when it may.
    std::optional<std::string> refusal(const tool_entry& tool, const principal& caller) const {
        return tool.refusal(caller, [this](const principal& p, const std::vector<std::string>& needed) {
            return holds(p, needed);
        });
    }

    /// Every scope some registered tool requires, sorted, each once, never `offline_access`
    /// (refresh tokens are the client's business, not a resource requirement): what a 401
    /// challenge asks for.
    std::vector<std::string> tool_scopes() const override { return scopes(false); }
    /// What the resource metadata advertises (`scopes_supported`): the scopes tools require
    /// and every broader scope declared to imply one of them, without `offline_access`.
    std::vector<std::string> advertised_scopes() const override { return scopes(true); }
    bool has_tools() const { return count(tool_order_) > 0; }

    // The dispatcher interface (warden/mcp/dispatcher.hpp): what transports may ask.
    bool offers(std::string_view method) const override {
        if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") return tasks_enabled_.load();
        if (!modern::is_request_method(method)) return false;
        if (method.starts_with("tools/")) return has_tools();
        if (method.starts_with("resources/")) return has_resources();
        if (method.starts_with("prompts/")) return has_prompts();
        if (method == "completion/complete") return has_completions();
        return true;
    }
    std::optional<tool_denial> deny_tool(std::string_view name, const principal& caller) const override {
        auto tool = find_tool(name);
        if (!tool) return std::nullopt;
        auto why = refusal(*tool, caller);
        if (!why) return std::nullopt;
        return tool_denial{std::move(*why), tool->scopes};
    }
    std::vector<modern::mirrored_param> mirrored_params(std::string_view name) const override {
        auto tool = find_tool(name);
        return tool ? tool->mirrored : std::vector<modern::mirrored_param>{};
    }

    /// Tools may run as tasks (the tasks extension): `tasks/*` are served, the extension is
    /// advertised. Set by `server<D>::enable_tasks()`.
    void enable_tasks() { tasks_enabled_ = true; }
    bool tasks_enabled() const noexcept { return tasks_enabled_.load(); }

    bool has_resources() const { return count(resource_order_) + count(template_order_) > 0; }
    bool has_prompts() const { return count(prompt_order_) > 0; }
    bool has_completions() const {
        std::shared_lock lock(mutex_);
        return !completions_.empty();
    }

private:
    std::vector<std::string> scopes(bool with_broader) const {
        std::shared_lock lock(mutex_);
        std::set<std::string> all;
        for (const auto& [name, tool] : tools_) all.insert(tool->scopes.begin(), tool->scopes.end());
        if (with_broader)
            for (const auto& [broader, narrower] : implied_) all.insert(broader);
        all.erase("offline_access");
        return {all.begin(), all.end()};
    }
    template <class Map, class Entry>
    static void insert_unique(Map& map, std::vector<std::string>& order, const std::string& key, Entry entry,
                              const char* what) {
        if (!map.emplace(key, std::move(entry)).second)
            throw std::invalid_argument(std::string("warden: duplicate ") + what + " \"" + key + "\"");
        order.push_back(key);
    }
    template <class Map>
    auto find(const Map& map, std::string_view key) const -> std::shared_ptr<const typename Map::mapped_type::element_type> {
        std::shared_lock lock(mutex_);
        auto it = map.find(key);
        if (it == map.end()) return nullptr;
        return it->second;
    }
    template <class Map>
    page list(const Map& map, const std::vector<std::string>& order, std::size_t offset, std::size_t limit) const {
        std::shared_lock lock(mutex_);
        page p;
        for (std::size_t i = offset; i < order.size() && p.items.size() < limit; ++i)
            p.items.emplace_back(map.at(order[i])->definition);
        if (offset + p.items.size() < order.size()) p.next = offset + p.items.size();
        return p;
    }
    std::size_t count(const std::vector<std::string>& order) const {
        std::shared_lock lock(mutex_);
        return order.size();
    }

    static std::uint64_t next_id() {
        static std::atomic<std::uint64_t> n{0};
        return ++n;
    }

    const std::uint64_t id_ = next_id(); ///< tells this registry from a destroyed one at the same address
    std::atomic<bool> tasks_enabled_{false};
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<tool_entry>, std::less<>> tools_{};
    std::vector<std::string> tool_order_{};
    std::map<std::string, std::shared_ptr<resource_entry>, std::less<>> resources_{};
    std::vector<std::string> resource_order_{};
    std::map<std::string, std::shared_ptr<template_entry>, std::less<>> templates_{};
    std::vector<std::string> template_order_{};
    std::map<std::string, std::shared_ptr<prompt_entry>, std::less<>> prompts_{};
    std::vector<std::string> prompt_order_{};
    std::map<std::string, completion_handler, std::less<>> completions_{};
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> implied_{};
};

} // namespace mcp
} // namespace warden
