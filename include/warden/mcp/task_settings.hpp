// warden/mcp/task_settings.hpp: how a tool runs as a task (`tool_spec::task`) and the
// limits of a server's tasks (`server<D>::enable_tasks`); the tasks themselves are in
// warden/mcp/tasks.hpp.
#pragma once

#include <chrono>
#include <cstddef>

namespace warden {

/// Whether a tool runs as a task (the tasks extension).
enum class task_support {
    forbidden, ///< always a plain call (the default)
    optional,  ///< a task when the client declared the extension, else a plain call
    required,  ///< a task; a client without the extension gets -32021
};

/// The tasks of a server (`server<D>::enable_tasks`).
struct task_settings {
    /// How long a task's record, and its result, are kept after its last change.
    std::chrono::milliseconds ttl{std::chrono::hours(1)};
    /// What clients are told to poll `tasks/get` at.
    std::chrono::milliseconds poll_interval{std::chrono::milliseconds(500)};
    /// Unfinished tasks one principal may have on one instance; the next call is refused.
    std::size_t max_per_caller = 8;
    /// Unfinished tasks on one instance (each holds a thread).
    std::size_t max_running = 256;
    /// How long a task waits in `input_required` for `tasks/update` (it then goes on with
    /// the request failed as timed out).
    std::chrono::milliseconds input_timeout{std::chrono::minutes(30)};
    /// How often the instance running a task says so in its record. A task of another
    /// instance that has not said so for 5 of these reads as failed (shared stores only; in
    /// a store of one instance, a task of an earlier process reads as failed at once).
    std::chrono::milliseconds heartbeat{std::chrono::seconds(2)};
};

} // namespace warden
