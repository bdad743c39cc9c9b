// warden/mcp/impl/tasks.hpp: `task_manager`: task records in the store, the threads that run
// task handlers, input requests parked until tasks/update, cancellation and heartbeats.
// Included by warden/mcp/tasks.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/mcp/tasks.hpp>

#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/mcp/jsonrpc.hpp>
#include <warden/mcp/modern.hpp>
#include <warden/mcp/request_state.hpp>
#include <warden/storage/file.hpp>
#include <warden/storage/memory.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace warden::mcp {

namespace detail {
inline constexpr std::string_view task_stopped = "the server stopped before the task finished";
}

/// One task this instance runs: its identity, how to stop it, and the hand-over between the
/// call that started it and its handler's thread.
struct task_manager::task_state {
    enum class phase { attached, detached, finished };

    std::string id{};
    std::string owner{};
    std::string tool{};
    boost::json::object capabilities{};
    std::stop_source stop{};

    std::mutex m{};
    std::condition_variable_any cv{};
    phase at = phase::detached;
    std::uint64_t version = 0; ///< bumped when something the handler may wait for changed
    std::optional<boost::json::object> created{};
    tool_result result{};
    std::exception_ptr thrown{};
};

/// The request as a task's handler sees it: until `start_task()` (attached), the call that
/// started it; after, the task (input through tasks/update, progress as statusMessage).
class task_manager::task_link final : public detail::request_link {
public:
    task_link(task_manager& m, std::shared_ptr<task_state> t, const task_job& job, detail::request_link* call)
        : m_(m), t_(std::move(t)), job_(job), call_(call) {}

    void notify(boost::json::object message, const boost::json::value& related) override {
        if (call_) return call_->notify(std::move(message), related);
        m_.progress(t_, message);
    }
    result<std::vector<boost::json::object>> client_requests(std::vector<input_request> requests,
                                                             std::optional<std::chrono::milliseconds> timeout,
                                                             std::stop_token stop,
                                                             const boost::json::value& related) override {
        if (call_) return call_->client_requests(std::move(requests), timeout, std::move(stop), related);
        return m_.ask(t_, std::move(requests), timeout, std::move(stop));
    }
    log_level client_log_level() const override { return call_ ? call_->client_log_level() : log_level::emergency; }
    bool wants_logs() const override { return call_ && call_->wants_logs(); }
    const boost::json::object& client_capabilities() const override { return job_.capabilities; }
    std::string_view protocol_version() const override { return job_.version; }
    bool stateless() const override { return call_ && call_->stateless(); }
    std::string_view request_state() const override { return call_ ? call_->request_state() : std::string_view{}; }
    bool in_task() const override { return call_ == nullptr; }

    bool start_task() override {
        if (!call_) return true;
        auto written = m_.write_new(*t_);
        if (!written) {
            m_.log_->warn("tool " + job_.tool + " goes on as a plain call: its task could not be stored: " +
                          written.error().message());
            return false;
        }
        auto created = m_.task_json(written.value(), t_->id, false);
        created["resultType"] = "task";
        call_ = nullptr; // the call returns now: nothing of it may be touched after
        {
            std::lock_guard lock(t_->m);
            t_->created = std::move(created);
            t_->at = task_state::phase::detached;
        }
        t_->cv.notify_all();
        return true;
    }

private:
    task_manager& m_;
    std::shared_ptr<task_state> t_;
    const task_job& job_;
    detail::request_link* call_; ///< read and written by the handler's thread only
};

WARDEN_DECL std::shared_ptr<storage::store> task_manager::store() {
    std::lock_guard lock(mutex_);
    if (!store_) store_ = std::make_shared<storage::memory_store>();
    return store_;
}

WARDEN_DECL std::int64_t task_manager::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

WARDEN_DECL std::string task_manager::iso_time(std::int64_t ms) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(ms % 1000));
    return out;
}

WARDEN_DECL std::string task_manager::owner_of(const principal& p) {
    const auto d = crypto::sha256(caller_binding(p));
    return crypto::to_hex(d.data(), d.size());
}

WARDEN_DECL std::string task_manager::new_id() { return crypto::base64url_encode(crypto::random_bytes(18)); }

WARDEN_DECL void task_manager::touch(record& x) {
    const auto* u = x.if_contains("updated");
    const std::int64_t before = u && u->is_int64() ? u->get_int64() : 0;
    x["updated"] = std::max(now_ms(), before + 1); // every change is a new value, within a millisecond too
}

WARDEN_DECL void task_manager::settle(record& x, std::string_view status, std::string_view failure) {
    x["status"] = status;
    if (!failure.empty())
        x["error"] = boost::json::object{{"code", jsonrpc::internal_error}, {"message", failure}};
    x.erase("inputRequests");
    x.erase("answers");
    touch(x);
}

WARDEN_DECL std::string_view task_manager::status_of(const record& r) {
    const auto* s = r.if_contains("status");
    return s && s->is_string() ? std::string_view(s->get_string()) : std::string_view{};
}

WARDEN_DECL result<std::string> task_manager::encode(std::string_view id, const record& r) {
    std::shared_ptr<const storage::record_codec> codec;
    {
        std::lock_guard lock(mutex_);
        codec = codec_;
    }
    std::string text = boost::json::serialize(r);
    if (!codec) return text;
    auto sealed = codec->seal("task:" + std::string(id), text);
    crypto::cleanse(text.data(), text.size());
    return sealed;
}

WARDEN_DECL result<task_manager::record> task_manager::decode(std::string_view id, std::string_view stored) {
    std::shared_ptr<const storage::record_codec> codec;
    {
        std::lock_guard lock(mutex_);
        codec = codec_;
    }
    const auto invalid = [] { return failure(errc::storage_error, "a task record in the store is not valid"); };
    std::string opened;
    if (codec) {
        auto o = codec->open("task:" + std::string(id), stored);
        if (!o) return invalid();
        opened = std::move(o).value();
        stored = opened;
    }
    auto doc = warden::detail::parse_strict_json(stored);
    crypto::cleanse(opened.data(), opened.size());
    if (!doc || !doc.value().is_object()) return invalid();
    return std::move(doc.value().as_object());
}

WARDEN_DECL result<std::optional<task_manager::record>> task_manager::load(std::string_view id) {
    auto text = store()->get("tasks", id);
    if (!text) return text.error();
    if (!text.value()) return std::optional<record>{};
    auto r = decode(id, *text.value());
    if (!r) return r.error();
    return std::optional<record>(std::move(r).value());
}

WARDEN_DECL result<std::optional<task_manager::record>> task_manager::modify(std::string_view id,
                                                                            const std::function<bool(record&)>& f) {
    auto s = store();
    const auto ttl = std::chrono::duration_cast<storage::store::ttl_type>(settings_.ttl);
    for (int attempt = 0; attempt < 64; ++attempt) {
        auto text = s->get("tasks", id);
        if (!text) return text.error();
        if (!text.value()) return std::optional<record>{};
        auto decoded = decode(id, *text.value());
        if (!decoded) return decoded.error();
        record r = std::move(decoded).value();
        const auto* before = r.if_contains("updated");
        const std::int64_t was = before && before->is_int64() ? before->get_int64() : -1;
        if (!f(r)) return std::optional<record>(std::move(r));
        auto encoded = encode(id, r);
        if (!encoded) return encoded.error();
        auto swapped = s->compare_and_swap("tasks", id, text.value(), std::move(encoded).value(), ttl);
        if (!swapped) return swapped.error();
        if (swapped.value()) {
            const auto* after = r.if_contains("updated");
            if (after && after->is_int64() && after->get_int64() != was) announce(id, r); // not a mere heartbeat
            return std::optional<record>(std::move(r));
        }
    }
    return failure(errc::storage_error, "a task record kept changing under this write");
}

WARDEN_DECL bool task_manager::stale(const record& r) const {
    const auto* inst = r.if_contains("instance");
    if (!inst || !inst->is_string()) return true;
    if (inst->get_string() == instance_) {
        std::lock_guard lock(mutex_);
        const auto* id = r.if_contains("id");
        return !id || !id->is_string() || !local_.contains(std::string_view(id->get_string()));
    }
    if (!shared_store_) return true; // a store of one instance: the process that wrote it is gone
    const auto* beat = r.if_contains("beat");
    return !beat || !beat->is_int64() || now_ms() - beat->get_int64() > 5 * settings_.heartbeat.count();
}

WARDEN_DECL result<task_manager::record> task_manager::owned(const principal& who, std::string_view id) {
    auto loaded = load(id);
    if (!loaded) return loaded.error();
    const auto unknown = [] { return failure(errc::invalid_params, "unknown task"); };
    if (!loaded.value()) return unknown();
    record r = std::move(*loaded.value());
    const auto* owner = r.if_contains("owner");
    if (!owner || !owner->is_string() || owner->get_string() != owner_of(who)) return unknown();
    if (!terminal(status_of(r)) && stale(r)) {
        auto failed = modify(id, [&](record& x) {
            if (terminal(status_of(x)) || !stale(x)) return false;
            settle(x, "failed", "the server running this task stopped before it finished");
            return true;
        });
        if (failed && failed.value()) r = std::move(*failed.value());
    }
    return r;
}

WARDEN_DECL boost::json::object task_manager::task_json(const record& r, std::string_view id, bool detailed) const {
    boost::json::object o{};
    o.emplace("taskId", id);
    const auto status = status_of(r);
    o.emplace("status", status);
    if (const auto* m = r.if_contains("statusMessage"); m && m->is_string()) o.emplace("statusMessage", *m);
    const auto when = [&](const char* k) {
        const auto* v = r.if_contains(k);
        return iso_time(v && v->is_int64() ? v->get_int64() : 0);
    };
    o.emplace("createdAt", when("created"));
    o.emplace("lastUpdatedAt", when("updated"));
    o.emplace("ttlMs", settings_.ttl.count());
    o.emplace("pollIntervalMs", settings_.poll_interval.count());
    if (!detailed) return o;
    const char* member = status == "completed" ? "result" : status == "failed" ? "error"
                       : status == "input_required" ? "inputRequests" : nullptr;
    if (member)
        if (const auto* v = r.if_contains(member)) o.emplace(member, *v);
    return o;
}

WARDEN_DECL result<void> task_manager::admit(const std::shared_ptr<task_state>& t) {
    std::lock_guard lock(mutex_);
    if (stopping_) return failure(errc::closed, "the server is stopping");
    if (local_.size() >= settings_.max_running)
        return failure(errc::overloaded, "too many tasks are running on this server; try again later");
    auto& n = per_owner_[t->owner];
    if (n >= settings_.max_per_caller)
        return failure(errc::overloaded, "you have " + std::to_string(n) +
                                             " unfinished tasks, the most allowed: wait for one to finish, or "
                                             "cancel one (tasks/cancel)");
    ++n;
    local_.emplace(t->id, t);
    start_watching();
    return success();
}

WARDEN_DECL result<task_manager::record> task_manager::write_new(const task_state& t) {
    const auto now = now_ms();
    record r{};
    r.emplace("id", t.id);
    r.emplace("owner", t.owner);
    r.emplace("tool", t.tool);
    r.emplace("instance", instance_);
    r.emplace("beat", now);
    r.emplace("status", "working");
    r.emplace("created", now);
    r.emplace("updated", now);
    auto encoded = encode(t.id, r);
    if (!encoded) return encoded.error();
    auto fresh = store()->insert_if_absent("tasks", t.id, std::move(encoded).value(),
                                           std::chrono::duration_cast<storage::store::ttl_type>(settings_.ttl));
    if (!fresh) return fresh.error();
    if (!fresh.value()) return failure(errc::internal_error, "a task id was drawn twice");
    return r;
}

WARDEN_DECL result<boost::json::object> task_manager::create(task_job job) {
    auto t = std::make_shared<task_state>();
    t->id = new_id();
    t->owner = owner_of(job.caller);
    t->tool = job.tool;
    t->capabilities = job.capabilities;
    if (auto a = admit(t); !a) return a.error();
    auto written = write_new(*t);
    if (!written) {
        finish(t, std::nullopt, std::nullopt);
        return written.error();
    }
    auto out = task_json(written.value(), t->id, false);
    out["resultType"] = "task";
    launch(t, std::move(job), nullptr);
    return out;
}

WARDEN_DECL result<task_manager::attached_outcome> task_manager::run_attached(task_job job, detail::request_link& link,
                                                                             std::stop_token stop) {
    auto t = std::make_shared<task_state>();
    t->id = new_id();
    t->owner = owner_of(job.caller);
    t->tool = job.tool;
    t->capabilities = job.capabilities;
    t->at = task_state::phase::attached;
    if (auto a = admit(t); !a) return a.error();
    std::stop_callback forward(stop, [t] { t->stop.request_stop(); });
    launch(t, std::move(job), &link);
    std::unique_lock lock(t->m);
    t->cv.wait(lock, [&] { return t->at != task_state::phase::attached; });
    if (t->at == task_state::phase::detached) return attached_outcome{std::move(t->created), {}};
    if (t->thrown) std::rethrow_exception(t->thrown);
    return attached_outcome{std::nullopt, std::move(t->result)};
}

WARDEN_DECL void task_manager::launch(std::shared_ptr<task_state> t, task_job job, detail::request_link* link) {
    auto self = shared_from_this();
    try {
        std::thread([self, t, job = std::move(job), link]() mutable { self->run(t, job, link); }).detach();
    } catch (const std::system_error& e) {
        log_->error(std::string("no thread for a task: ") + e.what());
        {
            std::lock_guard lock(t->m);
            if (t->at == task_state::phase::attached) {
                t->thrown = std::current_exception();
                t->at = task_state::phase::finished;
            }
        }
        t->cv.notify_all();
        finish(t, std::nullopt, error{make_error_code(errc::overloaded), "the server could not start the task"});
    }
}

WARDEN_DECL void task_manager::run(const std::shared_ptr<task_state>& t, task_job& job, detail::request_link* link) {
    static const credential_set no_credentials;
    task_link l(*this, t, job, link);
    std::optional<tool_result> r;
    std::exception_ptr thrown;
    {
        call_context ctx(l, job.caller, job.credentials ? *job.credentials : no_credentials, job.request_id,
                         job.progress_token, t->stop.get_token());
        try {
            r = job.run(ctx);
        } catch (const tool_error& e) {
            r = tool_result::error(e.what());
        } catch (...) {
            thrown = std::current_exception();
        }
    }
    if (!l.in_task()) { // it never became a task: the call answers
        finish(t, std::nullopt, std::nullopt);
        {
            std::lock_guard lock(t->m);
            if (r) t->result = std::move(*r);
            t->thrown = thrown;
            t->at = task_state::phase::finished;
        }
        t->cv.notify_all();
        return;
    }
    std::optional<error> failed;
    if (thrown) {
        try {
            std::rethrow_exception(thrown);
        } catch (const std::exception& e) {
            log_->error("the task of tool " + job.tool + " failed: " + e.what());
        } catch (...) {
            log_->error("the task of tool " + job.tool + " failed");
        }
        failed = error{make_error_code(errc::internal_error), "tool \"" + job.tool + "\" failed"};
        r.reset();
    }
    finish(t, std::move(r), std::move(failed));
}

WARDEN_DECL void task_manager::finish(const std::shared_ptr<task_state>& t, std::optional<tool_result> r,
                                      std::optional<error> failed) {
    bool stopping = false;
    {
        std::lock_guard lock(mutex_);
        stopping = stopping_;
    }
    if (r || failed) {
        auto done = modify(t->id, [&](record& x) {
            if (terminal(status_of(x))) return false; // cancelled meanwhile: the result is dropped
            if (t->stop.stop_requested() && stopping) {
                settle(x, "failed", detail::task_stopped);
            } else if (t->stop.stop_requested()) {
                settle(x, "cancelled");
            } else if (failed) {
                settle(x, "failed");
                x["error"] = boost::json::object{{"code", jsonrpc::code_for(*failed)}, {"message", failed->message()}};
            } else {
                settle(x, "completed");
                x["result"] = tool_result(*r).to_json();
            }
            return true;
        });
        if (!done) log_->error("the outcome of a task of tool " + t->tool + " could not be stored: " + done.error().message());
    }
    std::lock_guard lock(mutex_);
    if (local_.erase(t->id)) {
        auto it = per_owner_.find(t->owner);
        if (it != per_owner_.end() && --it->second == 0) per_owner_.erase(it);
    }
    changed_.notify_all();
}

WARDEN_DECL void task_manager::announce(std::string_view id, const record& r) {
    std::shared_lock lock(observers_mutex_);
    if (!announce_) return;
    const auto* owner = r.if_contains("owner");
    if (!owner || !owner->is_string()) return;
    announce_(id, owner->get_string(), task_json(r, id, true));
    const auto* u = r.if_contains("updated");
    std::lock_guard seen(mutex_);
    if (auto it = seen_.find(id); it != seen_.end() && u && u->is_int64()) it->second = u->get_int64();
}

WARDEN_DECL void task_manager::follow_remote() {
    std::vector<std::string> ids;
    {
        std::shared_lock lock(observers_mutex_);
        if (interest_) ids = interest_();
    }
    std::map<std::string, std::int64_t, std::less<>> seen;
    {
        std::lock_guard lock(mutex_);
        for (const auto& id : ids) {
            const auto it = seen_.find(id);
            seen.emplace(id, it != seen_.end() ? it->second : -1);
        }
    }
    for (auto& [id, last] : seen) {
        auto loaded = load(id);
        if (!loaded || !loaded.value()) continue;
        const auto* u = loaded.value()->if_contains("updated");
        const std::int64_t updated = u && u->is_int64() ? u->get_int64() : -1;
        if (last != -1 && updated != last) announce(id, *loaded.value()); // changed elsewhere, or unseen here
        last = updated;
    }
    std::lock_guard lock(mutex_);
    seen_ = std::move(seen); // forgets the tasks no listen follows any more
}

WARDEN_DECL void task_manager::wake(std::string_view id) {
    std::shared_ptr<task_state> t;
    {
        std::lock_guard lock(mutex_);
        auto it = local_.find(id);
        if (it == local_.end()) return;
        t = it->second;
    }
    {
        std::lock_guard lock(t->m);
        ++t->version;
    }
    t->cv.notify_all();
}

WARDEN_DECL result<std::vector<boost::json::object>> task_manager::ask(const std::shared_ptr<task_state>& t,
                                                                      std::vector<input_request> requests,
                                                                      std::optional<std::chrono::milliseconds> timeout,
                                                                      std::stop_token stop) {
    for (const auto& q : requests)
        if (!q.capability.empty() && !t->capabilities.contains(q.capability))
            return failure(errc::capability_missing, "the client did not declare the \"" + q.capability + "\" capability");
    // Publish what is asked (answers already delivered for a key are kept).
    auto published = modify(t->id, [&](record& x) {
        if (terminal(status_of(x))) return false;
        auto& asked = x["inputRequests"]; // first: inserting it may move the other members
        if (!asked.is_object()) asked = boost::json::object{};
        const auto* answers = x.if_contains("answers");
        for (const auto& q : requests) {
            if (answers && answers->is_object() && answers->get_object().contains(q.key)) continue;
            boost::json::object one{{"method", q.method}};
            if (!q.params.empty() || q.method != "roots/list") one.emplace("params", q.params);
            asked.get_object()[q.key] = std::move(one);
        }
        if (asked.get_object().empty())
            x.erase("inputRequests");
        else
            x["status"] = "input_required";
        touch(x);
        return true;
    });
    if (!published) return published.error();
    // Let go of what is still asked (a stop, a timeout).
    const auto withdraw = [&] {
        (void)modify(t->id, [&](record& x) {
            if (terminal(status_of(x))) return false;
            if (auto* asked = x.if_contains("inputRequests"); asked && asked->is_object()) {
                for (const auto& q : requests) asked->get_object().erase(q.key);
                if (asked->get_object().empty()) x.erase("inputRequests");
            }
            if (!x.contains("inputRequests") && status_of(x) == "input_required") x["status"] = "working";
            touch(x);
            return true;
        });
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(settings_.input_timeout);
    const auto poll = shared_store_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
    for (;;) {
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(t->m);
            seen = t->version;
        }
        auto loaded = load(t->id);
        if (!loaded) return loaded.error();
        if (!loaded.value()) return failure(errc::closed, "the task is gone");
        const record& x = *loaded.value();
        if (terminal(status_of(x))) return failure(errc::cancelled, "the task was cancelled");
        const auto* answers = x.if_contains("answers");
        std::vector<boost::json::object> out;
        if (answers && answers->is_object())
            for (const auto& q : requests) {
                const auto* a = answers->get_object().if_contains(q.key);
                if (!a || !a->is_object()) break;
                out.push_back(a->get_object());
            }
        if (out.size() == requests.size()) {
            auto taken = modify(t->id, [&](record& y) {
                if (auto* a = y.if_contains("answers"); a && a->is_object()) {
                    for (const auto& q : requests) a->get_object().erase(q.key);
                    if (a->get_object().empty()) y.erase("answers");
                }
                if (!y.contains("inputRequests") && status_of(y) == "input_required") y["status"] = "working";
                touch(y);
                return true;
            });
            if (!taken) return taken.error();
            return out;
        }
        if (stop.stop_requested()) {
            withdraw();
            return failure(errc::cancelled, "the task was cancelled");
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            withdraw();
            return failure(errc::timeout, "the client did not answer the task's input requests in time");
        }
        std::unique_lock lock(t->m);
        t->cv.wait_for(lock, stop, poll, [&] { return t->version != seen; });
    }
}

WARDEN_DECL void task_manager::progress(const std::shared_ptr<task_state>& t, const boost::json::object& notification) {
    const auto* method = notification.if_contains("method");
    const auto* params = notification.if_contains("params");
    if (!method || *method != "notifications/progress" || !params || !params->is_object()) return; // logs: dropped
    const auto& p = params->get_object();
    std::string text;
    if (const auto* m = p.if_contains("message"); m && m->is_string()) {
        text = std::string(m->get_string());
    } else {
        const auto number = [](const boost::json::value* v) {
            const double d = v && v->is_number() ? v->to_number<double>() : 0.0;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", d);
            return std::string(buf);
        };
        text = "progress " + number(p.if_contains("progress"));
        if (const auto* total = p.if_contains("total")) text += " of " + number(total);
    }
    auto r = modify(t->id, [&](record& x) {
        if (terminal(status_of(x))) return false;
        x["statusMessage"] = text;
        touch(x);
        return true;
    });
    if (!r) log_->warn("the progress of a task of tool " + t->tool + " could not be stored: " + r.error().message());
}

WARDEN_DECL result<boost::json::object> task_manager::get(const principal& who, std::string_view id) {
    auto r = owned(who, id);
    if (!r) return r.error();
    return task_json(r.value(), id, true);
}

WARDEN_DECL result<void> task_manager::update(const principal& who, std::string_view id,
                                              const boost::json::object& responses) {
    auto r = owned(who, id);
    if (!r) return r.error();
    if (terminal(status_of(r.value()))) return success();
    const auto* asked = r.value().if_contains("inputRequests");
    for (const auto& kv : responses) {
        if (!asked || !asked->is_object()) break;
        const auto* q = asked->get_object().if_contains(kv.key());
        if (!q || !q->is_object()) continue;
        const auto* m = q->get_object().if_contains("method");
        if (auto why = modern::malformed_answer(m && m->is_string() ? std::string_view(m->get_string()) : "",
                                                kv.value()))
            return failure(errc::invalid_params, "inputResponses[\"" + std::string(kv.key()) + "\"]: " + *why);
    }
    auto changed = modify(id, [&](record& x) {
        if (terminal(status_of(x))) return false;
        auto* open = x.if_contains("inputRequests");
        if (!open || !open->is_object()) return false;
        bool any = false;
        for (const auto& kv : responses) {
            if (!open->get_object().erase(kv.key())) continue;
            auto& answers = x["answers"];
            if (!answers.is_object()) answers = boost::json::object{};
            answers.get_object()[kv.key()] = kv.value();
            any = true;
            open = x.if_contains("inputRequests"); // `x["answers"]` may have moved the members
        }
        if (!any) return false;
        if (open->get_object().empty()) {
            x.erase("inputRequests");
            if (status_of(x) == "input_required") x["status"] = "working";
        }
        touch(x);
        return true;
    });
    if (!changed) return changed.error();
    wake(id);
    return success();
}

WARDEN_DECL result<void> task_manager::cancel(const principal& who, std::string_view id) {
    auto r = owned(who, id);
    if (!r) return r.error();
    if (terminal(status_of(r.value()))) return success();
    auto changed = modify(id, [&](record& x) {
        if (terminal(status_of(x))) return false;
        settle(x, "cancelled");
        x["statusMessage"] = "cancelled by the client";
        return true;
    });
    if (!changed) return changed.error();
    std::shared_ptr<task_state> t;
    {
        std::lock_guard lock(mutex_);
        if (auto it = local_.find(id); it != local_.end()) t = it->second;
    }
    if (t) {
        t->stop.request_stop();
        wake(id);
    }
    return success();
}

WARDEN_DECL void task_manager::watch(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait_for(lock, stop, settings_.heartbeat, [] { return false; });
        if (stop.stop_requested()) return;
        std::vector<std::shared_ptr<task_state>> mine;
        for (const auto& [id, t] : local_) mine.push_back(t);
        lock.unlock();
        follow_remote();
        for (const auto& t : mine) {
            bool ended = false;
            auto beat = modify(t->id, [&](record& x) {
                if (terminal(status_of(x))) {
                    ended = true; // cancelled through another instance (or failed by a reader)
                    return false;
                }
                x["beat"] = now_ms();
                return true;
            });
            if (beat && (ended || !beat.value())) {
                t->stop.request_stop();
                wake(t->id);
            }
        }
        lock.lock();
    }
}

WARDEN_DECL void task_manager::start_watching() {
    if (!watcher_.joinable() && !stopping_) watcher_ = std::jthread([this](std::stop_token stop) { watch(stop); });
}

WARDEN_DECL void task_manager::stop_watching() {
    if (!watcher_.joinable()) return;
    watcher_.request_stop();
    {
        std::lock_guard lock(mutex_); // the watcher is waiting or about to: it sees the stop
    }
    changed_.notify_all();
    watcher_.join();
}

WARDEN_DECL void task_manager::shutdown(std::chrono::milliseconds grace) {
    std::vector<std::shared_ptr<task_state>> mine;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (const auto& [id, t] : local_) mine.push_back(t);
    }
    for (const auto& t : mine) {
        t->stop.request_stop();
        wake(t->id);
    }
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, grace, [&] { return local_.empty(); });
        mine.clear();
        for (const auto& [id, t] : local_) mine.push_back(t);
    }
    set_observers({}, {}); // waits for an announcement under way: the server may go after this
    for (const auto& t : mine) // their handlers ignore the stop: say so in their records
        (void)modify(t->id, [&](record& x) {
            if (terminal(status_of(x))) return false;
            settle(x, "failed", detail::task_stopped);
            return true;
        });
    stop_watching();
}

} // namespace warden::mcp
