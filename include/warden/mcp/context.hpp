// warden/mcp/context.hpp: what a handler may do while it runs.
//
// A `call_context` gives a tool, resource or prompt handler the caller (`principal`), the
// server's own credentials, cancellation, progress and log notifications to the client,
// and requests to the client (sampling, elicitation, roots) that the handler awaits. It
// never exposes the transport or a credential the client presented.
//
// Requests to the client block the calling handler thread until the client answers, the
// wait times out, or the call is cancelled; handlers run on worker threads, never on the
// I/O path, so this is safe. A handler should gather its inputs (elicitation, sampling)
// before it makes side effects: see DESIGN §8.
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
#include <stop_token>
#include <string>
#include <string_view>

namespace warden {

namespace mcp::detail {
/// The session as a handler's request sees it. Implemented by mcp::session.
class request_link {
public:
    virtual ~request_link() = default;
    /// Sends a notification that belongs to the request `related`.
    virtual void notify(boost::json::object message, const boost::json::value& related) = 0;
    /// Sends a request to the client and waits for its answer.
    virtual result<boost::json::object> client_request(std::string_view method, boost::json::object params,
                                                       std::optional<std::chrono::milliseconds> timeout,
                                                       std::stop_token stop, const boost::json::value& related) = 0;
    virtual log_level client_log_level() const = 0;
    virtual const boost::json::object& client_capabilities() const = 0;
    virtual std::string_view protocol_version() const = 0;
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
    /// The server's own credentials (for upstream APIs), loaded at start-up.
    const credential_set& credentials() const noexcept { return credentials_; }

    /// Requested to stop when the client cancels the call or the server shuts down.
    std::stop_token stop_token() const noexcept { return stop_; }
    bool cancelled() const noexcept { return stop_.stop_requested(); }

    const boost::json::value& request_id() const noexcept { return request_id_; }
    std::string_view protocol_version() const { return link_.protocol_version(); }
    const boost::json::object& client_capabilities() const { return link_.client_capabilities(); }

    /// Sends notifications/progress when the client asked for progress. Progress must
    /// increase: a value not above the last one sent is dropped. Returns whether it was sent.
    bool progress(double value, std::optional<double> total = std::nullopt, std::string_view message = {}) {
        if (progress_token_.is_null()) return false;
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
        if (level < link_.client_log_level()) return;
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

    /// Any request to the client; fails with capability_missing when the client did not
    /// declare `capability` at initialization (pass empty to skip the check).
    result<boost::json::object> request_client(std::string_view method, boost::json::object params,
                                               std::string_view capability = {},
                                               std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
        if (!capability.empty() && !link_.client_capabilities().contains(capability))
            return failure(errc::capability_missing,
                           "the client did not declare the \"" + std::string(capability) + "\" capability");
        return link_.client_request(method, std::move(params), timeout, stop_, request_id_);
    }

    /// sampling/createMessage: asks the client's model. `params` as the spec defines them
    /// (messages, maxTokens, ...).
    result<boost::json::object> sample(boost::json::object params) {
        return request_client("sampling/createMessage", std::move(params), "sampling");
    }

    /// sampling/createMessage with one user text message.
    result<boost::json::object> sample_text(std::string_view prompt, int max_tokens = 256) {
        boost::json::object message{};
        message.emplace("role", "user");
        message.emplace("content", boost::json::object{{"type", "text"}, {"text", prompt}});
        boost::json::object params{};
        params.emplace("messages", boost::json::array{std::move(message)});
        params.emplace("maxTokens", max_tokens);
        return sample(std::move(params));
    }

    /// elicitation/create (form mode): asks the user for `requested_schema`-shaped input.
    result<elicitation_result> elicit(std::string_view message, boost::json::object requested_schema) {
        boost::json::object params{};
        params.emplace("message", message);
        params.emplace("requestedSchema", std::move(requested_schema));
        auto r = request_client("elicitation/create", std::move(params), "elicitation");
        if (!r) return r.error();
        elicitation_result out;
        const auto* action = r.value().if_contains("action");
        if (!action || !action->is_string())
            return failure(errc::client_error, "elicitation answer without an \"action\"");
        out.action = std::string(action->get_string());
        if (const auto* c = r.value().if_contains("content"); c && c->is_object()) out.content = c->get_object();
        return out;
    }

    /// roots/list: the client's roots.
    result<boost::json::array> list_roots() {
        auto r = request_client("roots/list", {}, "roots");
        if (!r) return r.error();
        const auto* roots = r.value().if_contains("roots");
        if (!roots || !roots->is_array()) return failure(errc::client_error, "roots/list answer without \"roots\"");
        return roots->get_array();
    }

private:
    mcp::detail::request_link& link_;
    const principal& caller_;
    const credential_set& credentials_;
    boost::json::value request_id_{};
    boost::json::value progress_token_{};
    std::stop_token stop_{};
    std::optional<double> last_progress_{};
};

} // namespace warden
