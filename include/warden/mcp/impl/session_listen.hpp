// warden/mcp/impl/session_listen.hpp: `session`: subscriptions/listen streams and the change
// notifications they carry.
// Included by warden/mcp/session.hpp.
#pragma once

#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::mcp {

WARDEN_DECL void session::notify_list_changed(std::string_view what) {
    const std::string method = "notifications/" + std::string(what) + "/list_changed";
    if (initialized_) send(jsonrpc::make_notification(method, {}), nullptr, false);
    to_listeners([&](const listen_entry& l) -> std::optional<boost::json::object> {
        if ((what == "tools" && l.tools) || (what == "prompts" && l.prompts) || (what == "resources" && l.resources))
            return jsonrpc::make_notification(method, {{"_meta", subscription_meta(l.id)}});
        return std::nullopt;
    });
}

WARDEN_DECL void session::notify_resource_updated(std::string_view uri) {
    bool subscribed = false;
    {
        std::lock_guard lock(mutex_);
        subscribed = subscriptions_.contains(uri);
    }
    if (subscribed) send(jsonrpc::make_notification("notifications/resources/updated", {{"uri", uri}}), nullptr, false);
    to_listeners([&](const listen_entry& l) -> std::optional<boost::json::object> {
        if (!l.uris.contains(uri)) return std::nullopt;
        return jsonrpc::make_notification("notifications/resources/updated",
                                          {{"_meta", subscription_meta(l.id)}, {"uri", uri}});
    });
}

WARDEN_DECL void session::notify_task(std::string_view id, std::string_view owner, const boost::json::object& task) {
    {
        std::lock_guard lock(listen_mutex_);
        if (listens_.empty()) return; // the common case: no stream to send to
    }
    if (owner != task_manager::owner_of(*caller())) return;
    to_listeners([&](const listen_entry& l) -> std::optional<boost::json::object> {
        if (!l.tasks.contains(id)) return std::nullopt;
        boost::json::object params = task;
        params["_meta"] = subscription_meta(l.id);
        return jsonrpc::make_notification("notifications/tasks", std::move(params));
    });
}

WARDEN_DECL std::vector<std::string> session::followed_tasks() {
    std::vector<std::string> out;
    std::lock_guard lock(listen_mutex_);
    for (const auto& [key, l] : listens_) out.insert(out.end(), l.tasks.begin(), l.tasks.end());
    return out;
}

WARDEN_DECL bool session::listening() {
    std::lock_guard lock(listen_mutex_);
    return !listens_.empty();
}

WARDEN_DECL void session::end_listens() {
    std::lock_guard sending(listen_send_mutex_);
    std::map<std::string, listen_entry, std::less<>> ending;
    {
        std::lock_guard lock(listen_mutex_);
        ending.swap(listens_);
    }
    for (auto& [key, l] : ending) {
        boost::json::object meta = subscription_meta(l.id);
        meta.emplace(modern::meta_server_info, server_info_json());
        send_response(jsonrpc::make_result(l.id, boost::json::object{{"resultType", "complete"}, {"_meta", std::move(meta)}}),
                      l.id);
    }
}

WARDEN_DECL void session::listen(const boost::json::value& id, const boost::json::object& params, const reply_fn& reply) {
    const auto* n = params.if_contains("notifications");
    if (!n || !n->is_object())
        return reply(id, jsonrpc::make_error(id, jsonrpc::invalid_params,
                                             "subscriptions/listen needs a \"notifications\" object"));
    const auto& asked = n->get_object();
    listen_entry l{id};
    boost::json::object honoured{};
    auto flag = [&](std::string_view name, bool offered, bool& into) {
        const auto* v = asked.if_contains(name);
        if (v && v->is_bool() && v->get_bool() && offered) {
            into = true;
            honoured.emplace(name, true);
        }
    };
    flag("toolsListChanged", registry_->has_tools(), l.tools);
    flag("promptsListChanged", registry_->has_prompts(), l.prompts);
    flag("resourcesListChanged", registry_->has_resources(), l.resources);
    if (const auto* u = asked.if_contains("resourceSubscriptions"); u && u->is_array() && registry_->has_resources()) {
        boost::json::array kept{};
        for (const auto& x : u->get_array())
            if (x.is_string() && l.uris.insert(std::string(x.get_string())).second) kept.push_back(x);
        honoured.emplace("resourceSubscriptions", std::move(kept));
    }
    // The tasks extension: task ids to hear about (notifications/tasks). Each is followed
    // only for its owner: another caller's task never says anything on this stream.
    if (const auto* t = asked.if_contains("taskIds"); t && t->is_array() && tasks_) {
        constexpr std::size_t most = 64;
        boost::json::array kept{};
        for (const auto& x : t->get_array())
            if (x.is_string() && l.tasks.size() < most && l.tasks.insert(std::string(x.get_string())).second)
                kept.push_back(x);
        honoured.emplace("taskIds", std::move(kept));
        tasks_->following();
    }
    const auto key = jsonrpc::id_key(id);
    // The acknowledgement goes out before any notification of this listen: notifiers
    // send under listen_send_mutex_ too, after they chose their listens.
    std::lock_guard sending(listen_send_mutex_);
    {
        std::lock_guard lock(listen_mutex_);
        std::optional<error> refused;
        {
            std::lock_guard state(mutex_);
            if (closed_)
                refused = failure_value(errc::closed, "session is closing");
            else if (listens_.contains(key) || in_flight_.contains(key))
                refused = failure_value(errc::duplicate_request_id, "request id " + key + " is already in flight");
            else if (listens_.size() + in_flight_.size() >= options_.max_in_flight)
                refused = failure_value(errc::overloaded, "too many requests in flight");
        }
        if (refused) return reply(id, jsonrpc::make_error(id, *refused));
        listens_.emplace(key, std::move(l));
    }
    boost::json::object ack{};
    ack.emplace("_meta", subscription_meta(id));
    ack.emplace("notifications", std::move(honoured));
    send(jsonrpc::make_notification("notifications/subscriptions/acknowledged", std::move(ack)), &id, false);
}

} // namespace warden::mcp
