// warden/mcp/impl/session_client_requests.hpp: `session`: notifications and requests to the
// client (sampling, elicitation, roots) that a handler awaits.
// Included by warden/mcp/session.hpp.
#pragma once

#include <warden/mcp/session.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::mcp {

WARDEN_DECL void session::notify(boost::json::object message, const boost::json::value& related) {
    send(message, &related, false);
}

WARDEN_DECL result<std::vector<boost::json::object>> session::client_requests(std::vector<input_request> requests,
                                                         std::optional<std::chrono::milliseconds> timeout,
                                                         std::stop_token stop,
                                                         const boost::json::value& related) {
    for (const auto& r : requests)
        if (!r.capability.empty() && !client_capabilities_.contains(r.capability))
            return failure(errc::capability_missing,
                           "the client did not declare the \"" + r.capability + "\" capability");
    std::vector<boost::json::object> out;
    out.reserve(requests.size());
    for (auto& r : requests) {
        auto a = client_request(r.method, std::move(r.params), timeout, stop, related);
        if (!a) return a.error();
        out.push_back(std::move(a).value());
    }
    return out;
}

WARDEN_DECL result<boost::json::object> session::client_request(std::string_view method, boost::json::object params,
                                           std::optional<std::chrono::milliseconds> timeout, std::stop_token stop,
                                           const boost::json::value& related) {
    auto p = std::make_shared<pending_request>();
    std::int64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return failure(errc::closed, "session is closed");
        id = ++next_request_id_;
        pending_.emplace(id, p);
    }
    send(jsonrpc::make_request(id, method, std::move(params)), &related, false);
    const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(options_.client_request_timeout);
    std::unique_lock lock(mutex_);
    const bool answered =
        changed_.wait_until(lock, stop, deadline, [&] { return p->answer.has_value() || closed_; });
    pending_.erase(id);
    const bool closed = closed_;
    lock.unlock();
    if (!answered || (!p->answer && !closed)) {
        // Tell the client we no longer want the answer.
        send(jsonrpc::make_notification("notifications/cancelled",
                                        {{"requestId", id},
                                         {"reason", stop.stop_requested() ? "cancelled" : "timed out"}}),
             &related, false);
        if (stop.stop_requested()) return failure(errc::cancelled, std::string(method) + " was cancelled");
        return failure(errc::timeout, std::string(method) + ": the client did not answer in time");
    }
    if (!p->answer) return failure(errc::closed, "session closed while waiting for " + std::string(method));
    if (const auto* err = p->answer->if_contains("error")) {
        std::string text = "the client answered " + std::string(method) + " with an error";
        if (const auto* m = err->is_object() ? err->get_object().if_contains("message") : nullptr;
            m && m->is_string())
            text += ": " + std::string(m->get_string());
        return failure(errc::client_error, std::move(text));
    }
    const auto& r = p->answer->at("result");
    if (!r.is_object()) return failure(errc::client_error, std::string(method) + ": result is not an object");
    return r.get_object();
}

} // namespace warden::mcp
