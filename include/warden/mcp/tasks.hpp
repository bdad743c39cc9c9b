// warden/mcp/tasks.hpp: the tasks extension (io.modelcontextprotocol/tasks, SEP-2663): tool
// calls that answer with a task the client polls (`tasks/get`), answers (`tasks/update`) and
// cancels (`tasks/cancel`), in both protocol eras.
//
// A tool declares `task_support` (warden/mcp/registry.hpp). When the client declared the
// extension (at initialize, or in the request's `_meta` client capabilities), a call of an
// `optional` or `required` tool answers at once with a CreateTaskResult and its handler runs
// on a thread of its own; without the extension an `optional` tool answers as a plain call
// and a `required` one with -32021. The handler is the same code either way: its
// `call_context` reports progress (the task's statusMessage) and sees `tasks/cancel`, and
// its requests to the client park the task in `input_required` until `tasks/update` brings
// the answers. A tool declared `task_starts_in_handler` runs as a plain call (its inputs
// gathered through input-required results in 2026-07-28) until the handler calls
// `ctx.start_task()`.
//
// Tasks live in the definition's store (namespace "tasks"), so a task created through one
// instance is read, answered and cancelled through another that shares the store (Redis);
// only the principal that created a task finds it (any other gets "unknown task"). The
// instance running a task writes a heartbeat into its record: a task whose instance stopped
// (a restart, a crash) reads as failed, with that reason, instead of working for ever.
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/config.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>
#include <warden/mcp/content.hpp>
#include <warden/mcp/context.hpp>
#include <warden/mcp/task_settings.hpp>
#include <warden/storage/store.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>


namespace warden::storage {
class record_codec; // warden/storage/file.hpp
} // namespace warden::storage

namespace warden::mcp {

/// The extension's identifier, under `capabilities.extensions`.
inline constexpr std::string_view tasks_extension = "io.modelcontextprotocol/tasks";

/// Whether client capabilities declare the tasks extension.
inline bool declares_tasks(const boost::json::object& capabilities) {
    const auto* ext = capabilities.if_contains("extensions");
    return ext && ext->is_object() && ext->get_object().contains(tasks_extension);
}

/// The capabilities a client must declare for tasks, in the shape of initialize's
/// (`requiredCapabilities` of a -32021 error).
inline boost::json::object tasks_capability() {
    return boost::json::object{{"extensions", boost::json::object{{tasks_extension, boost::json::object{}}}}};
}

/// A tool call to run as a task: who asked, what the handler sees, and the handler with its
/// arguments.
struct task_job {
    principal caller{};
    std::shared_ptr<const credential_set> credentials{};
    boost::json::value request_id{};
    boost::json::value progress_token{};
    boost::json::object capabilities{}; ///< what the client declared (its requests need them)
    std::string version{};              ///< the call's protocol version
    std::string tool{};
    std::function<tool_result(call_context&)> run{};
};

class task_manager : public std::enable_shared_from_this<task_manager> {
public:
    /// `shared_store`: the definition's storage is shared across instances (tasks of other
    /// instances are judged by their heartbeat).
    task_manager(task_settings settings, bool shared_store, std::shared_ptr<const logger> log)
        : settings_(settings), shared_store_(shared_store), log_(std::move(log)) {}
    ~task_manager() { stop_watching(); }

    task_manager(const task_manager&) = delete;
    task_manager& operator=(const task_manager&) = delete;

    /// The definition's store (a store of this process until it is set).
    void set_store(std::shared_ptr<storage::store> s) {
        std::lock_guard lock(mutex_);
        store_ = std::move(s);
    }
    const task_settings& settings() const noexcept { return settings_; }
    /// Seals every record (AES-256-GCM, bound to its task id) before it reaches the store:
    /// for a store whose values other hosts read (Redis). Records the codec cannot open read
    /// as a storage error.
    void set_codec(std::shared_ptr<const storage::record_codec> c) {
        std::lock_guard lock(mutex_);
        codec_ = std::move(c);
    }

    /// Starts `job` as a task at once: the CreateTaskResult, or why not (the caller's limit,
    /// the store).
    result<boost::json::object> create(task_job job);

    /// What a call of a `task_starts_in_handler` tool came to.
    struct attached_outcome {
        std::optional<boost::json::object> created{}; ///< the CreateTaskResult, when the handler started a task
        tool_result result{};                         ///< else what the handler returned
    };
    /// Runs `job` on a thread of its own with its requests to the client going through
    /// `link` (the call's), until the handler returns or calls `start_task()`. Rethrows what
    /// the handler threw before that (the stateless era's "input needed" among them). The
    /// call's `stop` stops the handler until it becomes a task.
    result<attached_outcome> run_attached(task_job job, detail::request_link& link, std::stop_token stop);

    /// tasks/get: the task as a DetailedTask (with `result`, `error` or `inputRequests`).
    result<boost::json::object> get(const principal& who, std::string_view id);
    /// tasks/update: answers to the task's input requests; keys it is not waiting for are
    /// ignored, a malformed answer refused.
    result<void> update(const principal& who, std::string_view id, const boost::json::object& responses);
    /// tasks/cancel: a task not yet finished becomes `cancelled` and its handler is asked to
    /// stop; a finished one stays as it is.
    result<void> cancel(const principal& who, std::string_view id);

    /// Asks every task of this instance to stop and waits up to `grace` for their handlers;
    /// those still running are recorded as failed (the server stopped). New calls are refused.
    void shutdown(std::chrono::milliseconds grace);

    /// Who hears of changes (`notifications/tasks` on subscriptions/listen streams):
    /// `announce(id, owner, task)` gets every change of a task as a DetailedTask with the
    /// digest of its owner (`owner_of`), and `interest()` names the tasks some listen on this
    /// instance follows. Changes made here are announced at once; those made through another
    /// instance sharing the store, within a heartbeat. Cleared by `shutdown`.
    using announcer = std::function<void(std::string_view id, std::string_view owner, const boost::json::object& task)>;
    void set_observers(announcer announce, std::function<std::vector<std::string>()> interest) {
        std::unique_lock lock(observers_mutex_);
        announce_ = std::move(announce);
        interest_ = std::move(interest);
    }
    /// A listen on this instance follows tasks: changes made through other instances are
    /// looked for from now on.
    void following() {
        std::lock_guard lock(mutex_);
        start_watching();
    }
    /// What a task's owner is recorded as: a digest of the caller (scheme, issuer, subject,
    /// tenant).
    static std::string owner_of(const principal& p);

    /// Tasks of this instance whose handler runs.
    std::size_t running() const {
        std::lock_guard lock(mutex_);
        return local_.size();
    }

private:
    struct task_state;
    class task_link;
    using record = boost::json::object;

    std::shared_ptr<storage::store> store();
    static std::int64_t now_ms();
    static std::string iso_time(std::int64_t ms);
    static bool terminal(std::string_view status) noexcept {
        return status == "completed" || status == "failed" || status == "cancelled";
    }
    static std::string_view status_of(const record& r);
    /// Marks `x` changed: its `updated` moves on (what tells a change from a heartbeat).
    static void touch(record& x);
    /// Makes `x` end as `status` (with an internal error saying `failure`, when given):
    /// nothing asked or answered any more.
    static void settle(record& x, std::string_view status, std::string_view failure = {});

    result<std::optional<record>> load(std::string_view id);
    /// A record as stored (sealed when there is a codec), and back.
    result<std::string> encode(std::string_view id, const record& r);
    result<record> decode(std::string_view id, std::string_view stored);
    /// Changes the record of `id` with `f(record&)` (false: leave it) atomically, retrying
    /// when another writer came first. The record as it is after, or nothing when absent.
    result<std::optional<record>> modify(std::string_view id, const std::function<bool(record&)>& f);
    /// The record of `id` when `who` owns it, failed first if its instance stopped.
    result<record> owned(const principal& who, std::string_view id);
    bool stale(const record& r) const;

    boost::json::object task_json(const record& r, std::string_view id, bool detailed) const;

    /// Takes a slot of the caller's (and the instance's) limits for `t`.
    result<void> admit(const std::shared_ptr<task_state>& t);
    result<record> write_new(const task_state& t);
    void launch(std::shared_ptr<task_state> t, task_job job, detail::request_link* link);
    void run(const std::shared_ptr<task_state>& t, task_job& job, detail::request_link* link);
    void finish(const std::shared_ptr<task_state>& t, std::optional<tool_result> result, std::optional<error> failed);
    result<std::vector<boost::json::object>> ask(const std::shared_ptr<task_state>& t, std::vector<input_request> requests,
                                                 std::optional<std::chrono::milliseconds> timeout, std::stop_token stop);
    void progress(const std::shared_ptr<task_state>& t, const boost::json::object& notification);
    void wake(std::string_view id);
    /// Tells the observers about `r`, the record of `id` as it is now.
    void announce(std::string_view id, const record& r);
    /// Announces what changed in the tasks listens follow that was not announced here (a
    /// change made through another instance).
    void follow_remote();
    void watch(std::stop_token stop);
    void start_watching(); ///< with mutex_ held
    void stop_watching();

    const task_settings settings_;
    const bool shared_store_;
    std::shared_ptr<const logger> log_;
    const std::string instance_ = new_id(); ///< this process, in the records it writes

    static std::string new_id();

    mutable std::mutex mutex_{};
    std::condition_variable_any changed_{};
    std::shared_ptr<storage::store> store_{};
    std::shared_ptr<const storage::record_codec> codec_{};
    std::map<std::string, std::shared_ptr<task_state>, std::less<>> local_{};
    std::map<std::string, std::size_t, std::less<>> per_owner_{};
    bool stopping_ = false;
    std::map<std::string, std::int64_t, std::less<>> seen_{}; ///< followed tasks: the last change announced
    std::shared_mutex observers_mutex_{}; ///< held shared while announcing, so that clearing waits
    announcer announce_{};
    std::function<std::vector<std::string>()> interest_{};
    std::jthread watcher_{}; ///< last: stopped and joined first
};

} // namespace warden::mcp

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/mcp/impl/tasks.hpp>
#endif
