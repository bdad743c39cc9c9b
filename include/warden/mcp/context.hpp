// warden/mcp/context.hpp: what a handler may do while it runs.
//
// A `call_context` gives a tool, resource or prompt handler the caller (`principal`), the
// server's own credentials, cancellation, progress and log notifications to the client,
// and requests to the client (sampling, elicitation, roots) that the handler awaits. It
// never exposes the transport or a credential the client presented.
//
// In the session era, requests to the client block the calling handler thread until the
// client answers, the wait times out, or the call is cancelled; handlers run on worker
// threads, never on the I/O path, so this is safe. In the stateless era (2026-07-28) a
// request whose answer is not in the retry's `inputResponses` ends the handler (by an
// exception that is not a std::exception: do not swallow it with `catch (...)`), the
// server answers input-required, and the handler runs again from the start on the retry.
// So a handler gathers its inputs (elicitation, sampling, roots) before it makes side
// effects: see docs/design.md §8.
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <vector>
#include <stop_token>
#include <string>
#include <string_view>

namespace warden {

namespace mcp {
class session;
/// One request to the client: elicitation/create, sampling/createMessage or roots/list.
/// In the stateless era its `key` names it in `inputRequests` and `inputResponses`.
struct input_request {
    std::string key{};          ///< unique within the handler's requests; generated when empty
    std::string method{};
    boost::json::object params{};
    std::string capability{};   ///< what the client must have declared ("elicitation", ...); empty: none
};
} // namespace mcp

namespace mcp::detail {
/// The request as a handler sees it. Implemented by mcp::session (session era) and by a
/// stateless request of the 2026-07-28 era.
class request_link {
public:
    virtual ~request_link() = default;
    /// Sends a notification that belongs to the request `related`.
    virtual void notify(boost::json::object message, const boost::json::value& related) = 0;
    /// Obtains the client's answers to `requests`, in order. The session era sends them to
    /// the client and waits; the stateless era takes them from the retry's inputResponses,
    /// or ends the handler so that the server answers input-required.
    virtual result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                                     std::optional<std::chrono::milliseconds> timeout,
                                                                     std::stop_token stop,
                                                                     const boost::json::value& related) = 0;
    virtual log_level client_log_level() const = 0;
    /// False when the client did not ask for log messages (stateless era without logLevel).
    virtual bool wants_logs() const { return true; }
    virtual const boost::json::object& client_capabilities() const = 0;
    virtual std::string_view protocol_version() const = 0;
    /// True in the stateless era (2026-07-28).
    virtual bool stateless() const { return false; }
    /// The requestState the request presented (stateless era), else empty.
    virtual std::string_view request_state() const { return {}; }
    /// Turns the rest of the call into a task (the tasks extension): true when the call now
    /// runs as one, false when it cannot (a tool not declared for tasks, a client that did
    /// not declare the extension), and it then goes on as a plain call.
    virtual bool start_task() { return false; }
    /// True while the handler runs as a task.
    virtual bool in_task() const { return false; }
};
} // namespace mcp::detail

/// The answer to an elicitation: "accept" with content, "decline", or "cancel".
struct elicitation_result {
    std::string action{};
    boost::json::object content{};
    bool accepted() const noexcept { return action == "accept"; }
};

class call_context {
public:
    call_context(mcp::detail::request_link& link, const principal& caller, const credential_set& credentials,
                 boost::json::value request_id, boost::json::value progress_token, std::stop_token stop)
        : link_(link), caller_(caller), credentials_(credentials), request_id_(std::move(request_id)),
          progress_token_(std::move(progress_token)), stop_(std::move(stop)) {}

    call_context(const call_context&) = delete;
    call_context& operator=(const call_context&) = delete;

    /// Who is calling, as the auth gate established it.
    const principal& caller() const noexcept { return caller_; }
    /// The credentials the author declared for handlers (settings.credentials: tokens for
    /// upstream APIs), as last loaded; never those the auth scheme verifies callers with,
    /// nor the storage's or the requestState key.
    const credential_set& credentials() const noexcept { return credentials_; }

    /// Requested to stop when the client cancels the call or the server shuts down.
    std::stop_token stop_token() const noexcept { return stop_; }
    bool cancelled() const noexcept { return stop_.stop_requested(); }

    const boost::json::value& request_id() const noexcept { return request_id_; }
    std::string_view protocol_version() const { return link_.protocol_version(); }
    const boost::json::object& client_capabilities() const { return link_.client_capabilities(); }

    /// Sends notifications/progress when the client asked for progress; in a task, sets the
    /// task's statusMessage (`message`, else "progress 3 of 10"). Progress must increase: a
    /// value not above the last one sent is dropped. Returns whether it was sent.
    bool progress(double value, std::optional<double> total = std::nullopt, std::string_view message = {}) {
        if (progress_token_.is_null() && !link_.in_task()) return false; // a task's goes to its statusMessage
        if (last_progress_ && value <= *last_progress_) return false;
        last_progress_ = value;
        boost::json::object params{};
        params.emplace("progressToken", progress_token_);
        params.emplace("progress", value);
        if (total) params.emplace("total", *total);
        if (!message.empty()) params.emplace("message", message);
        boost::json::object n{};
        n.emplace("jsonrpc", "2.0");
        n.emplace("method", "notifications/progress");
        n.emplace("params", std::move(params));
        link_.notify(std::move(n), request_id_);
        return true;
    }

    /// Sends notifications/message when `level` reaches the client's logging/setLevel.
    void log(log_level level, boost::json::value data, std::string_view logger_name = {}) {
        if (!link_.wants_logs() || level < link_.client_log_level()) return;
        boost::json::object params{};
        params.emplace("level", to_string(level));
        if (!logger_name.empty()) params.emplace("logger", logger_name);
        params.emplace("data", std::move(data));
        boost::json::object n{};
        n.emplace("jsonrpc", "2.0");
        n.emplace("method", "notifications/message");
        n.emplace("params", std::move(params));
        link_.notify(std::move(n), request_id_);
    }

    /// True in the stateless era (2026-07-28): requests to the client are answered through
    /// input-required results, and the handler may run again from the start on the retry.
    bool stateless() const { return link_.stateless(); }

    /// For a tool declared `task_starts_in_handler` (warden/mcp/tasks.hpp): the client gets a
    /// task now (CreateTaskResult) and the rest of the handler runs as that task; what it
    /// returns becomes the task's result. Call it once the inputs are gathered: before it,
    /// requests to the client go through the call itself (input-required in 2026-07-28);
    /// after it, through the task (`input_required` until `tasks/update` answers). False,
    /// and nothing changes, when the call cannot become a task (the client did not declare
    /// the extension): the handler then simply goes on and returns the result.
    bool start_task() { return link_.start_task(); }
    /// True while the handler runs as a task: progress then becomes the task's
    /// statusMessage, and cancellation comes from `tasks/cancel`.
    bool in_task() const { return link_.in_task(); }
    /// The sealed requestState this retry presented (empty on a first round and in the
    /// session era), e.g. for `mcp::use_once(store, ctx.request_state())`.
    std::string_view request_state() const { return link_.request_state(); }
    /// Whether the client declared `capability` ("elicitation", "sampling", "roots"); for the
    /// stateless era, in this very request.
    bool client_supports(std::string_view capability) const { return link_.client_capabilities().contains(capability); }

    /// Several requests to the client at once; the answers come back in the same order. In
    /// the stateless era they all go out in one input-required result (one round trip).
    /// Fails with capability_missing when the client did not declare what one needs (in the
    /// stateless era the request then ends with error -32021 naming the capability).
    result<std::vector<boost::json::object>> gather(std::vector<mcp::input_request> requests,
                                                    std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
        for (auto& r : requests)
            if (r.key.empty()) r.key = next_key(r.method);
        return link_.client_requests(std::move(requests), timeout, stop_, request_id_);
    }

    /// Any request to the client; fails with capability_missing when the client did not
    /// declare `capability` (pass empty to skip the check).
    result<boost::json::object> request_client(std::string_view method, boost::json::object params,
                                               std::string_view capability = {},
                                               std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                                               std::string_view key = {}) {
        std::vector<mcp::input_request> one;
        one.push_back({std::string(key), std::string(method), std::move(params), std::string(capability)});
        auto r = gather(std::move(one), timeout);
        if (!r) return r.error();
        return std::move(r.value().front());
    }

    /// sampling/createMessage: asks the client's model. `params` as the spec defines them
    /// (messages, maxTokens, ...). `key` names the request in the stateless era.
    result<boost::json::object> sample(boost::json::object params, std::string_view key = {}) {
        return request_client("sampling/createMessage", std::move(params), "sampling", std::nullopt, key);
    }

    /// sampling/createMessage with one user text message.
    result<boost::json::object> sample_text(std::string_view prompt, int max_tokens = 256, std::string_view key = {}) {
        return sample(sampling_params(prompt, max_tokens), key);
    }
    static boost::json::object sampling_params(std::string_view prompt, int max_tokens) {
        boost::json::object message{};
        message.emplace("role", "user");
        message.emplace("content", boost::json::object{{"type", "text"}, {"text", prompt}});
        boost::json::object params{};
        params.emplace("messages", boost::json::array{std::move(message)});
        params.emplace("maxTokens", max_tokens);
        return params;
    }

    /// elicitation/create (form mode): asks the user for `requested_schema`-shaped input.
    result<elicitation_result> elicit(std::string_view message, boost::json::object requested_schema,
                                      std::string_view key = {}) {
        auto r = request_client("elicitation/create", elicitation_params(message, std::move(requested_schema)),
                                "elicitation", std::nullopt, key);
        if (!r) return r.error();
        return as_elicitation(r.value());
    }
    static boost::json::object elicitation_params(std::string_view message, boost::json::object requested_schema) {
        boost::json::object params{};
        params.emplace("message", message);
        params.emplace("requestedSchema", std::move(requested_schema));
        return params;
    }
    /// An elicitation answer as a struct (for answers obtained through `gather`).
    static result<elicitation_result> as_elicitation(const boost::json::object& answer) {
        elicitation_result out;
        const auto* action = answer.if_contains("action");
        if (!action || !action->is_string())
            return failure(errc::client_error, "elicitation answer without an \"action\"");
        out.action = std::string(action->get_string());
        if (const auto* c = answer.if_contains("content"); c && c->is_object()) out.content = c->get_object();
        return out;
    }

    /// roots/list: the client's roots.
    result<boost::json::array> list_roots(std::string_view key = {}) {
        auto r = request_client("roots/list", {}, "roots", std::nullopt, key);
        if (!r) return r.error();
        const auto* roots = r.value().if_contains("roots");
        if (!roots || !roots->is_array()) return failure(errc::client_error, "roots/list answer without \"roots\"");
        return roots->get_array();
    }

private:
    friend class mcp::session; // hands the request's link to a task that starts in the handler

    mcp::detail::request_link& link_;
    const principal& caller_;
    const credential_set& credentials_;
    boost::json::value request_id_{};
    boost::json::value progress_token_{};
    std::stop_token stop_{};
    std::optional<double> last_progress_{};
    unsigned requests_made_ = 0;

    // Keys that stay the same when the handler runs again on the retry: the n-th request of
    // the run, named after its kind.
    std::string next_key(std::string_view method) {
        std::string_view kind = method.substr(0, method.find('/'));
        return std::string(kind) + "-" + std::to_string(++requests_made_);
    }
};

} // namespace warden
