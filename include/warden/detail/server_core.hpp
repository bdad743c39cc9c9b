// warden/detail/server_core.hpp: what a transport sees of a server.
//
// The non-template heart of `server<Definition>`: the registry, the loaded credentials,
// the worker pool and the live sessions. A transport asks it for sessions and never sees
// a tool; users never name it.
#pragma once

#include <warden/audit.hpp>
#include <warden/auth/failure_limits.hpp>
#include <warden/auth/principal.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/log.hpp>
#include <warden/config.hpp>
#include <warden/mcp/dispatcher.hpp>
#include <warden/mcp/session.hpp>
#include <warden/settings.hpp>
#include <warden/storage/memory.hpp>
#include <warden/storage/settings.hpp>
#include <warden/storage/store.hpp>
#include <warden/transport/http_settings.hpp>

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

namespace warden {

namespace detail {

class server_core {
public:
    server_core(server_info info, settings s);

    server_core(const server_core&) = delete;
    server_core& operator=(const server_core&) = delete;
    ~server_core() {
        if (tasks_) tasks_->set_observers({}, {}); // its threads may outlive this core
        stop_workers();
    }

    const settings& config() const noexcept { return settings_; }
    settings& config() noexcept { return settings_; }
    /// What the server offers, for `server<Definition>` to extend (warden/mcp/registry.hpp).
    mcp::registry& registry() noexcept { return *registry_; }
    /// What a transport may ask about it (warden/mcp/dispatcher.hpp): never the registry.
    const mcp::dispatcher& dispatcher() const noexcept { return *dispatcher_; }
    const server_info& info() const noexcept { return *info_; }
    const logger& log() const noexcept { return *log_; }
    logger& log() noexcept { return *log_; }
    std::shared_ptr<const logger> log_handle() const { return log_; }
    const credential_set& credentials() const noexcept { return *credentials_; }
    std::shared_ptr<const credential_set> credentials_snapshot() const {
        std::lock_guard lock(mutex_);
        return credentials_;
    }
    void set_credentials(credential_set c) {
        std::vector<std::string> values;
        c.for_each_secret([&](std::string_view, const secret& s) { values.emplace_back(s.reveal()); });
        log_->redact(std::move(values));
        auto for_handlers = std::make_shared<const credential_set>(c.only(handler_names_));
        auto next = std::make_shared<const credential_set>(std::move(c));
        std::lock_guard lock(mutex_);
        credentials_ = std::move(next);
        handler_credentials_ = std::move(for_handlers);
        direct_.reset();
    }
    /// What tool handlers see (`call_context::credentials()`): the variables the author
    /// declared for them, never what the auth scheme verifies callers with, the storage's
    /// keys or the requestState key. Set before the credentials are.
    void set_handler_credential_names(std::vector<std::string> names) { handler_names_ = std::move(names); }
    std::shared_ptr<const credential_set> handler_credentials_snapshot() const {
        std::lock_guard lock(mutex_);
        return handler_credentials_;
    }

    /// The key that seals requestState; null: the process's random key.
    std::shared_ptr<const mcp::request_state_sealer> state_sealer() const {
        std::lock_guard lock(mutex_);
        return sealer_;
    }
    void set_state_sealer(std::shared_ptr<const mcp::request_state_sealer> s) {
        std::lock_guard lock(mutex_);
        sealer_ = std::move(s);
        direct_.reset();
    }

    /// The replay store over the definition's storage (for schemes that refuse replays).
    const std::shared_ptr<auth::replay_store>& replay() const noexcept { return replay_; }
    void set_replay(std::shared_ptr<auth::replay_store> r) { replay_ = std::move(r); }
    /// The definition's store, once it is open (null before).
    const std::shared_ptr<storage::store>& store() const noexcept { return store_; }
    void set_store(std::shared_ptr<storage::store> s) { store_ = std::move(s); }

    /// The brute-force limiter of the HTTP gate (warden/auth/failure_limits.hpp), built on
    /// first use from the settings: its buckets in the store set by `set_failure_store`
    /// (a store shared across instances), else in this process's memory.
    std::shared_ptr<auth::failure_limiter> failure_limiter() {
        std::lock_guard lock(mutex_);
        if (!limiter_) {
            auto store = failure_store_ ? failure_store_ : std::make_shared<storage::memory_store>();
            limiter_ = std::make_shared<auth::failure_limiter>(std::move(store), settings_.auth.failures);
        }
        return limiter_;
    }
    void set_failure_store(std::shared_ptr<storage::store> s) {
        std::lock_guard lock(mutex_);
        failure_store_ = std::move(s);
        limiter_.reset();
    }

    /// The tasks (the tasks extension); null until `server<D>::enable_tasks()`.
    const std::shared_ptr<mcp::task_manager>& tasks() const noexcept { return tasks_; }
    void set_tasks(std::shared_ptr<mcp::task_manager> t) {
        // What changes in a task reaches the subscriptions/listen streams that follow it.
        t->set_observers(
            [this](std::string_view id, std::string_view owner, const boost::json::object& task) {
                for_each_session([&](mcp::session& s) { s.notify_task(id, owner, task); });
            },
            [this] {
                std::vector<std::string> ids;
                for_each_session([&](mcp::session& s) {
                    auto mine = s.followed_tasks();
                    ids.insert(ids.end(), mine.begin(), mine.end());
                });
                return ids;
            });
        std::lock_guard lock(mutex_);
        tasks_ = std::move(t);
        direct_.reset();
    }

    /// The audit log; null when it is off.
    const std::shared_ptr<audit_log>& audit() const noexcept { return audit_; }
    void set_audit(std::shared_ptr<audit_log> a) {
        std::lock_guard lock(mutex_);
        audit_ = std::move(a);
        direct_.reset();
    }

    /// How to load the credentials again (set by `server` from its credential source).
    void set_credential_loader(std::function<result<credential_set>()> f) { loader_ = std::move(f); }
    /// Runs `f(credentials)` after every reload that changed them (a transport rebuilds its
    /// auth scheme). `f` returns an error to have the change refused.
    void on_credentials_changed(std::function<result<void>(const credential_set&)> f) {
        std::lock_guard lock(mutex_);
        reload_listeners_.push_back(std::move(f));
    }
    void clear_credential_listeners() {
        std::lock_guard lock(mutex_);
        reload_listeners_.clear();
    }
    /// Loads the credentials again; when they changed, installs them and tells the
    /// listeners. On any failure the previous credentials stay in force. Returns whether
    /// anything changed. Serialized: one reload at a time.
    result<bool> reload_credentials() {
        std::lock_guard reloading(reload_mutex_);
        if (!loader_) return false;
        auto loaded = loader_();
        if (!loaded) return loaded.error();
        if (loaded.value().fingerprint() == credentials_snapshot()->fingerprint()) return false;
        std::vector<std::function<result<void>(const credential_set&)>> listeners;
        {
            std::lock_guard lock(mutex_);
            listeners = reload_listeners_;
        }
        for (auto& f : listeners)
            if (auto r = f(loaded.value()); !r) return r.error();
        set_credentials(std::move(loaded).value());
        return true;
    }

    /// A new session for `caller`, answering through `out`. A session that lives for one
    /// request only (stateless HTTP) is not `tracked` for server-wide notifications.
    std::shared_ptr<mcp::session> open_session(principal caller, std::shared_ptr<mcp::outbound> out,
                                               bool tracked = true);

    /// The session that answers requests standing alone on the thread that received them
    /// (`mcp::session::answer_here`), shared by all of them: it holds only what is the same
    /// for every request, and is made again when the credentials, the requestState key or
    /// the audit log change.
    std::shared_ptr<mcp::session> direct_session();

    /// Asks the running transport to stop, as SIGTERM would. Safe from any thread, and
    /// before the transport starts (it then stops as soon as it does).
    void request_stop() {
        std::function<void()> f;
        {
            std::lock_guard lock(mutex_);
            stop_requested_ = true;
            f = stopper_;
        }
        if (f) f();
    }
    /// Called by a transport once it can be stopped; runs `f` at once if a stop is pending.
    void set_stopper(std::function<void()> f) {
        bool pending = false;
        {
            std::lock_guard lock(mutex_);
            stopper_ = f;
            pending = stop_requested_;
        }
        if (pending && f) f();
    }
    void clear_stopper() {
        std::lock_guard lock(mutex_);
        stopper_ = nullptr;
    }

    /// The port an HTTP transport listens on (after it started; 0 before).
    std::uint16_t listening_port() const noexcept { return port_.load(); }
    void set_listening_port(std::uint16_t p) noexcept { port_ = p; }
    /// The port of the metrics listener (0 when there is none, or before it started).
    std::uint16_t metrics_port() const noexcept { return metrics_port_.load(); }
    void set_metrics_port(std::uint16_t p) noexcept { metrics_port_ = p; }

    /// Calls `f` on every live session.
    template <class F>
    void for_each_session(F f) {
        std::vector<std::shared_ptr<mcp::session>> live{};
        {
            std::lock_guard lock(mutex_);
            for (auto& w : sessions_)
                if (auto s = w.lock()) live.push_back(std::move(s));
        }
        for (auto& s : live) f(*s);
    }

    boost::asio::thread_pool& workers() {
        std::call_once(workers_once_, [&] { workers_.emplace(settings_.worker_threads); });
        return *workers_;
    }

    /// Waits for queued handlers to finish and joins the worker threads.
    void stop_workers() {
        if (workers_) {
            workers_->join();
            workers_.reset();
        }
    }

private:
    settings settings_;
    std::shared_ptr<const server_info> info_{};
    std::shared_ptr<mcp::registry> registry_{};
    const mcp::dispatcher* dispatcher_ = nullptr; ///< the registry, as transports see it
    std::shared_ptr<logger> log_{};
    std::shared_ptr<const credential_set> credentials_ = std::make_shared<const credential_set>();
    std::shared_ptr<const credential_set> handler_credentials_ = std::make_shared<const credential_set>();
    std::vector<std::string> handler_names_{};
    std::once_flag workers_once_{};
    std::optional<boost::asio::thread_pool> workers_{};
    mutable std::mutex mutex_{};
    std::mutex reload_mutex_{};
    std::function<result<credential_set>()> loader_{};
    std::shared_ptr<auth::replay_store> replay_{};
    std::shared_ptr<storage::store> store_{};
    std::shared_ptr<storage::store> failure_store_{};
    std::shared_ptr<auth::failure_limiter> limiter_{};
    std::shared_ptr<audit_log> audit_{};
    std::shared_ptr<mcp::task_manager> tasks_{};
    std::shared_ptr<const mcp::request_state_sealer> sealer_{};
    std::shared_ptr<mcp::session> direct_{};
    std::vector<std::function<result<void>(const credential_set&)>> reload_listeners_{};
    std::list<std::weak_ptr<mcp::session>> sessions_{};
    std::function<void()> stopper_{};
    bool stop_requested_ = false;
    std::atomic<std::uint16_t> port_{0};
    std::atomic<std::uint16_t> metrics_port_{0};
};

} // namespace detail

/// What a transport's `serve<Auth>` is given (warden/transport/requirements.hpp).
using server_core = detail::server_core;

} // namespace warden

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/detail/impl/server_core.hpp>
#endif
