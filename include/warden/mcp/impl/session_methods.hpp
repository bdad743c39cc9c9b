// warden/mcp/impl/session_methods.hpp: `session`: the session era's methods: initialize, lists,
// logging level, subscriptions, tools/call, resources/read, prompts/get, completion/complete,
// server/discover.
// Included by warden/mcp/session.hpp.
#pragma once

#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::mcp {

namespace detail {
/// `r`, or an error when the tool declares an output schema and `r` has no structured
/// content (a plain call's result and a task's alike).
template <class Tool>
tool_result declared_output(const Tool& tool, tool_result r, const logger& log) {
    if (r.is_error || r.structured || !tool.definition.contains("outputSchema")) return r;
    const std::string name(tool.definition.at("name").get_string());
    log.error("tool " + name + " declares an output schema and returned no structured content");
    return tool_result::error("tool \"" + name + "\" returned no structured content");
}
} // namespace detail

WARDEN_DECL result<boost::json::object> session::discover() {
    boost::json::array versions{};
    for (const auto& v : supported()) versions.emplace_back(v);
    boost::json::object out{};
    out.emplace("supportedVersions", std::move(versions));
    out.emplace("capabilities", server_capabilities());
    if (!info_->instructions.empty()) out.emplace("instructions", info_->instructions);
    return out;
}

WARDEN_DECL result<boost::json::object> session::initialize(const boost::json::object& params) {
    const auto* requested = params.if_contains("protocolVersion");
    if (!requested || !requested->is_string())
        return failure(errc::invalid_params, "initialize needs a string \"protocolVersion\"");
    if (const auto* caps = params.if_contains("capabilities"); caps && !caps->is_object())
        return failure(errc::invalid_params, "\"capabilities\" must be an object");
    bool expected = false;
    if (!initializing_.compare_exchange_strong(expected, true))
        return failure(errc::already_initialized, "this session is already initialized");
    const std::string_view want = requested->get_string();
    version_ = is_supported_version(want) ? std::string(want) : std::string(supported_versions.front());
    if (const auto* caps = params.if_contains("capabilities")) client_capabilities_ = caps->get_object();
    if (const auto* ci = params.if_contains("clientInfo"); ci && ci->is_object()) {
        const auto* name = ci->get_object().if_contains("name");
        log_->info("session initialized: client " +
                   (name && name->is_string() ? std::string(name->get_string()) : std::string("(unnamed)")) +
                   ", protocol " + version_);
    }

    boost::json::object out{};
    out.emplace("protocolVersion", version_);
    out.emplace("capabilities", server_capabilities());
    out.emplace("serverInfo", server_info_json());
    if (!info_->instructions.empty()) out.emplace("instructions", info_->instructions);
    initialized_ = true;
    return out;
}

WARDEN_DECL boost::json::object session::server_capabilities() const {
    boost::json::object caps{};
    caps.emplace("logging", boost::json::object{});
    if (registry_->has_completions()) caps.emplace("completions", boost::json::object{});
    if (registry_->has_prompts()) caps.emplace("prompts", boost::json::object{{"listChanged", true}});
    if (registry_->has_resources())
        caps.emplace("resources", boost::json::object{{"subscribe", true}, {"listChanged", true}});
    if (registry_->has_tools()) caps.emplace("tools", boost::json::object{{"listChanged", true}});
    if (tasks_) caps.emplace("extensions", boost::json::object{{tasks_extension, boost::json::object{}}});
    return caps;
}

WARDEN_DECL result<boost::json::object> session::list_page(std::string_view member,
                                                          const boost::json::object& params) {
    std::size_t offset = 0;
    if (const auto* c = params.if_contains("cursor"); c && !c->is_null()) {
        if (!c->is_string()) return failure(errc::invalid_params, "\"cursor\" must be a string");
        const auto s = c->get_string();
        if (!warden::detail::parse_decimal(std::string_view(s), offset))
            return failure(errc::invalid_params, "invalid cursor");
    }
    const auto list = member == "tools"       ? &registry::list_tools
                      : member == "resources" ? &registry::list_resources
                      : member == "prompts"   ? &registry::list_prompts
                                              : &registry::list_templates;
    auto page = ((*registry_).*list)(offset, options_.page_size);
    boost::json::object out{};
    out.emplace(member, std::move(page.items));
    if (page.next) out.emplace("nextCursor", std::to_string(*page.next));
    return out;
}

WARDEN_DECL result<boost::json::object> session::set_level(const boost::json::object& params) {
    const auto* level = params.if_contains("level");
    std::optional<log_level> l{};
    if (level && level->is_string()) l = parse_log_level(level->get_string());
    if (!l) return failure(errc::invalid_params, "\"level\" must be one of debug, info, notice, warning, error, "
                                                 "critical, alert, emergency");
    client_level_ = static_cast<int>(*l);
    return boost::json::object{};
}

WARDEN_DECL result<boost::json::object> session::subscribe(const boost::json::object& params, bool on) {
    const auto* uri = params.if_contains("uri");
    if (!uri || !uri->is_string()) return failure(errc::invalid_params, "\"uri\" must be a string");
    const std::string u(uri->get_string());
    if (on && !registry_->find_resource(u) && !registry_->match_template(u).first)
        return failure(errc::resource_not_found, "resource not found: " + u);
    std::lock_guard lock(mutex_);
    if (on)
        subscriptions_.insert(u);
    else
        subscriptions_.erase(u);
    return boost::json::object{};
}

WARDEN_DECL result<boost::json::object> session::call_tool(const boost::json::object& params, call_context& ctx) {
    const auto* name = params.if_contains("name");
    if (!name || !name->is_string()) return failure(errc::invalid_params, "tools/call needs a string \"name\"");
    static const boost::json::object no_arguments;
    const boost::json::object* args = &no_arguments;
    if (const auto* a = params.if_contains("arguments"); a && !a->is_null()) {
        if (!a->is_object()) return failure(errc::invalid_params, "\"arguments\" must be an object");
        args = &a->get_object();
    }
    auto tool = registry_->find_tool(name->get_string());
    if (!tool) return failure(errc::invalid_params, "unknown tool: " + std::string(name->get_string()));
    if (auto why = registry_->refusal(*tool, ctx.caller())) {
        record_authorization(audit_.get(), ctx.caller(), name->get_string(), false, &ctx.request_id());
        return failure(errc::insufficient_scope, std::move(*why));
    }
    record_authorization(audit_.get(), ctx.caller(), name->get_string(), true, &ctx.request_id());
    bool as_task = false;
    if (tool->task != task_support::forbidden && tasks_) {
        as_task = declares_tasks_here(params, ctx);
        if (!as_task && tool->task == task_support::required)
            throw detail::capability_needed{std::string(tasks_extension), tasks_capability()};
    }
    tool_result r;
    try {
        if (as_task) {
            auto out = call_task_tool(tool, *args, ctx);
            if (!out) return out.error();
            if (out.value().created) return std::move(*out.value().created);
            r = std::move(out.value().result);
        } else {
            r = tool->handler(*args, ctx);
        }
    } catch (const tool_error& e) {
        r = tool_result::error(e.what());
    } catch (const std::exception& e) {
        log_->error("tool " + std::string(name->get_string()) + " threw: " + e.what());
        r = tool_result::error("tool \"" + std::string(name->get_string()) + "\" failed");
    }
    return detail::declared_output(*tool, std::move(r), *log_).to_json();
}

template <class Tool>
result<task_manager::attached_outcome> session::call_task_tool(const std::shared_ptr<const Tool>& tool,
                                                               const boost::json::object& args, call_context& ctx) {
    task_job job{};
    job.caller = ctx.caller();
    job.credentials = credentials_;
    job.request_id = ctx.request_id();
    job.progress_token = ctx.progress_token_;
    job.capabilities = ctx.client_capabilities();
    job.version = std::string(ctx.protocol_version());
    job.tool = std::string(tool->definition.at("name").get_string());
    job.run = [tool, args, log = log_](call_context& c) {
        return detail::declared_output(*tool, tool->handler(args, c), *log);
    };
    if (tool->task_starts_in_handler) return tasks_->run_attached(std::move(job), ctx.link_, ctx.stop_token());
    auto created = tasks_->create(std::move(job));
    if (!created) return created.error();
    return task_manager::attached_outcome{std::move(created).value(), {}};
}

WARDEN_DECL bool session::declares_tasks_here(const boost::json::object& params, const call_context& ctx) {
    if (declares_tasks(ctx.client_capabilities())) return true;
    if (const auto* meta = modern::meta_of(params))
        if (const auto* c = meta->if_contains(modern::meta_client_capabilities); c && c->is_object())
            return declares_tasks(c->get_object());
    return false;
}

WARDEN_DECL result<std::string> session::task_id_of(const boost::json::object& params, const call_context& ctx) {
    if (!declares_tasks_here(params, ctx))
        throw detail::capability_needed{std::string(tasks_extension), tasks_capability()};
    const auto* id = params.if_contains("taskId");
    if (!id || !id->is_string()) return failure(errc::invalid_params, "\"taskId\" must be a string");
    return std::string(id->get_string());
}

WARDEN_DECL result<boost::json::object> session::get_task(const boost::json::object& params, call_context& ctx) {
    auto id = task_id_of(params, ctx);
    if (!id) return id.error();
    auto task = tasks_->get(ctx.caller(), id.value());
    if (!task) return task.error();
    task.value()["resultType"] = "complete";
    return task;
}

WARDEN_DECL result<boost::json::object> session::update_task(const boost::json::object& params, call_context& ctx) {
    auto id = task_id_of(params, ctx);
    if (!id) return id.error();
    const auto* responses = params.if_contains("inputResponses");
    if (!responses || !responses->is_object())
        return failure(errc::invalid_params, "tasks/update needs an object \"inputResponses\"");
    if (auto r = tasks_->update(ctx.caller(), id.value(), responses->get_object()); !r) return r.error();
    return boost::json::object{{"resultType", "complete"}};
}

WARDEN_DECL result<boost::json::object> session::cancel_task(const boost::json::object& params, call_context& ctx) {
    auto id = task_id_of(params, ctx);
    if (!id) return id.error();
    if (auto r = tasks_->cancel(ctx.caller(), id.value()); !r) return r.error();
    return boost::json::object{{"resultType", "complete"}};
}

WARDEN_DECL boost::json::object session::missing_capability(const boost::json::value& id,
                                                            const detail::capability_needed& c) {
    boost::json::object required = c.required;
    if (required.empty()) required.emplace(c.name, boost::json::object{});
    return jsonrpc::make_error(id, modern::missing_client_capability,
                               "this request needs the client capability \"" + c.name +
                                   "\", which the client did not declare",
                               boost::json::object{{"requiredCapabilities", std::move(required)}});
}

WARDEN_DECL result<boost::json::object> session::read_resource(const boost::json::object& params, call_context& ctx) {
    const auto* uri = params.if_contains("uri");
    if (!uri || !uri->is_string()) return failure(errc::invalid_params, "resources/read needs a string \"uri\"");
    const std::string u(uri->get_string());
    auto with_hint = [&](boost::json::object out, const std::optional<cache_hint>& hint) {
        if (ctx.stateless()) add_cache_hint(out, hint.value_or(options_.resource_cache));
        return out;
    };
    if (auto r = registry_->find_resource(u)) return with_hint(contents_json(r->handler(u, ctx)), r->cache);
    if (auto [t, vars] = registry_->match_template(u); t)
        return with_hint(contents_json(t->handler(u, vars, ctx)), t->cache);
    return failure(errc::resource_not_found, "resource not found: " + u);
}

WARDEN_DECL result<boost::json::object> session::get_prompt(const boost::json::object& params, call_context& ctx) {
    const auto* name = params.if_contains("name");
    if (!name || !name->is_string()) return failure(errc::invalid_params, "prompts/get needs a string \"name\"");
    auto prompt = registry_->find_prompt(name->get_string());
    if (!prompt) return failure(errc::invalid_params, "unknown prompt: " + std::string(name->get_string()));
    prompt_arguments args{};
    if (const auto* a = params.if_contains("arguments"); a && !a->is_null()) {
        if (!a->is_object()) return failure(errc::invalid_params, "\"arguments\" must be an object");
        for (const auto& kv : a->get_object()) {
            if (!kv.value().is_string())
                return failure(errc::invalid_params, "prompt argument \"" + std::string(kv.key()) +
                                                         "\" must be a string");
            args.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
        }
    }
    for (const auto& declared : prompt->arguments)
        if (declared.required && !args.contains(declared.name))
            return failure(errc::invalid_params, "missing required prompt argument \"" + declared.name + "\"");
    for (const auto& [k, v] : args) {
        bool known = false;
        for (const auto& declared : prompt->arguments) known = known || declared.name == k;
        if (!known) return failure(errc::invalid_params, "unknown prompt argument \"" + k + "\"");
    }
    return prompt->handler(args, ctx).to_json();
}

WARDEN_DECL result<boost::json::object> session::complete_argument(const boost::json::object& params, call_context&) {
    const auto* ref = params.if_contains("ref");
    const auto* argument = params.if_contains("argument");
    if (!ref || !ref->is_object() || !argument || !argument->is_object())
        return failure(errc::invalid_params, "completion/complete needs \"ref\" and \"argument\" objects");
    const auto* type = ref->get_object().if_contains("type");
    const auto* arg_name = argument->get_object().if_contains("name");
    const auto* arg_value = argument->get_object().if_contains("value");
    if (!type || !type->is_string() || !arg_name || !arg_name->is_string() || !arg_value || !arg_value->is_string())
        return failure(errc::invalid_params, "completion/complete: bad \"ref\" or \"argument\"");
    std::string kind{};
    std::string target{};
    if (type->get_string() == "ref/prompt") {
        const auto* n = ref->get_object().if_contains("name");
        if (!n || !n->is_string()) return failure(errc::invalid_params, "ref/prompt needs a \"name\"");
        target = std::string(n->get_string());
        auto prompt = registry_->find_prompt(target);
        if (!prompt) return failure(errc::invalid_params, "unknown prompt: " + target);
        kind = "prompt";
    } else if (type->get_string() == "ref/resource") {
        const auto* u = ref->get_object().if_contains("uri");
        if (!u || !u->is_string()) return failure(errc::invalid_params, "ref/resource needs a \"uri\"");
        target = std::string(u->get_string());
        if (!registry_->find_template(target) && !registry_->find_resource(target))
            return failure(errc::invalid_params, "unknown resource template: " + target);
        kind = "resource";
    } else {
        return failure(errc::invalid_params, "unknown ref type");
    }
    completion_request req{std::string(arg_name->get_string()), std::string(arg_value->get_string()), {}};
    if (const auto* c = params.if_contains("context"); c && c->is_object())
        if (const auto* a = c->get_object().if_contains("arguments"); a && a->is_object())
            for (const auto& kv : a->get_object())
                if (kv.value().is_string())
                    req.context.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
    std::vector<std::string> values{};
    if (auto h = registry_->find_completion(kind, target, req.argument)) values = (*h)(req);
    constexpr std::size_t max_values = 100; // the spec's cap per response
    const std::size_t total = values.size();
    if (values.size() > max_values) values.resize(max_values);
    boost::json::array a{};
    for (auto& v : values) a.emplace_back(v);
    boost::json::object completion{};
    completion.emplace("values", std::move(a));
    completion.emplace("total", total);
    completion.emplace("hasMore", total > max_values);
    return boost::json::object{{"completion", std::move(completion)}};
}

} // namespace warden::mcp
