// warden/audit.hpp: the audit log, one JSON line per authentication and authorization
// decision.
//
// Separate from the diagnostic log (warden/log.hpp): a security team ships these lines to
// its SIEM and alerts on them, so their shape is fixed and nothing else is mixed in.
//
//   {"time":"2026-11-22T18:01:02.345Z","event":"authentication","decision":"deny",
//    "reason":"invalid_token","status":401,"scheme":"bearer","http":"POST /mcp",
//    "request_id":"5f3a91c2-1b","address":"203.0.113.9","credential":"fp:4be1d0c2a9f37e11"}
//
// | field        | meaning                                                                  |
// |--------------|--------------------------------------------------------------------------|
// | event        | "authentication" (the HTTP gate) or "authorization" (a tool's scopes)    |
// | decision     | "allow" or "deny"                                                        |
// | reason       | "ok", "no_credentials", "invalid_token", "invalid_request", "rate_limited", |
// |              | "unavailable", "insufficient_scope", ... (RFC 6750 codes where they fit)  |
// | scheme       | how the caller authenticated (or tried to)                               |
// | subject, tenant, client | the principal, once known                                     |
// | method, tool | the MCP method and tool, when known (from Mcp-Method/Mcp-Name, or the body) |
// | request_id   | warden's id of the HTTP request (also sent back as X-Request-Id)          |
// | rpc_id       | the JSON-RPC id, for authorization decisions                             |
// | address      | the client address (behind a trusted proxy: the one it reports)          |
// | credential   | 64 bits of a keyed hash of the presented credential's identifier         |
//
// The credential itself never appears: only that short digest, an HMAC under a key that the
// process draws at start and never shows (crypto::fingerprint), enough to tell "the same
// key again" from "a different key" across one process's lines, and no help in guessing
// the credential offline. Lines are buffered and written at least every
// 200 ms (and when the log is destroyed), so auditing costs no system call per request.
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/error.hpp>
#include <warden/metrics.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace warden {

struct audit_settings {
    /// Unset: the profile decides (`profile::audits_by_default`): on in `production`, off
    /// in `development` and `test`.
    std::optional<bool> enabled{};
    /// Appends to this file (created 0600, never through a symbolic link); empty: stderr.
    std::string file{};
};

/// One decision, as the code that made it saw it. Views: valid during `record` only.
struct audit_event {
    std::string_view event{};    ///< "authentication" or "authorization"
    std::string_view decision{}; ///< "allow" or "deny"
    std::string_view reason{};
    unsigned status = 0;         ///< the HTTP status answered, when there is one
    std::string_view scheme{};
    const principal* who = nullptr;
    std::string_view http{};     ///< "POST /mcp"
    std::string_view method{};
    std::string_view tool{};
    std::string_view request_id{};
    const boost::json::value* rpc_id = nullptr;
    std::string_view address{};
    std::string_view credential{};
};

class audit_log {
public:
    /// The log `s` asks for; null when it is off. `on_by_default` is the profile's word.
    static result<std::shared_ptr<audit_log>> open(const audit_settings& s, bool on_by_default) {
        if (!s.enabled.value_or(on_by_default)) return std::shared_ptr<audit_log>();
        if (s.file.empty()) return std::make_shared<audit_log>(stderr, false);
        const int fd = ::open(s.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return failure(errc::storage_error, "cannot open the audit log " + s.file + ": " + std::strerror(errno));
        std::FILE* f = ::fdopen(fd, "a");
        if (!f) {
            ::close(fd);
            return failure(errc::storage_error, "cannot open the audit log " + s.file);
        }
        return std::make_shared<audit_log>(f, true);
    }

    audit_log(std::FILE* sink, bool owned) : sink_(sink), owned_(owned), flusher_([this](std::stop_token st) { run(st); }) {}
    audit_log(const audit_log&) = delete;
    audit_log& operator=(const audit_log&) = delete;
    ~audit_log() {
        flusher_.request_stop();
        wake_.notify_all();
        flusher_.join();
        flush();
        if (owned_) std::fclose(sink_);
    }

    /// Adds the line for `e`. (Written member by member: on the request path, building a
    /// json::object per decision would cost more than the decision.)
    void record(const audit_event& e) {
        std::string line;
        line.reserve(384);
        line.append("{\"time\":\"").append(now_text()).push_back('"');
        member(line, "event", e.event);
        member(line, "decision", e.decision);
        member(line, "reason", e.reason);
        if (e.status) line.append(",\"status\":").append(std::to_string(e.status));
        member(line, "scheme", e.scheme);
        if (e.who) {
            member(line, "subject", e.who->subject);
            member(line, "tenant", e.who->tenant);
            member(line, "client", e.who->client);
            member(line, "issuer", e.who->issuer);
        }
        member(line, "http", e.http);
        member(line, "method", e.method);
        member(line, "tool", e.tool);
        member(line, "request_id", e.request_id);
        if (e.rpc_id && !e.rpc_id->is_null()) line.append(",\"rpc_id\":").append(boost::json::serialize(*e.rpc_id));
        member(line, "address", e.address);
        member(line, "credential", e.credential);
        line.append("}\n");
        std::lock_guard lock(mutex_);
        buffer_ += line;
        if (buffer_.size() >= flush_at) write_locked();
    }

    /// Writes what is buffered now.
    void flush() {
        std::lock_guard lock(mutex_);
        write_locked();
    }

private:
    static constexpr std::size_t flush_at = 64 * 1024;

    /// ",\"name\":\"value\"" with the value escaped by Boost.JSON; nothing for an empty value.
    static void member(std::string& out, std::string_view name, std::string_view value) {
        if (value.empty()) return;
        out.append(",\"").append(name).append("\":");
        thread_local boost::json::serializer sr;
        const boost::json::string_view v(value.data(), value.size());
        sr.reset(v);
        char buf[256];
        while (!sr.done()) {
            const auto part = sr.read(buf, sizeof buf);
            out.append(part.data(), part.size());
        }
    }

    /// Now as RFC 3339 UTC with milliseconds; the seconds part formatted once a second.
    static std::string now_text() {
        const auto now = std::chrono::system_clock::now();
        const auto ms_total = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        const auto t = static_cast<std::time_t>(ms_total / 1000);
        thread_local std::time_t cached_second = -1;
        thread_local char cached[24];
        if (t != cached_second) {
            std::tm tm{};
            gmtime_r(&t, &tm);
            std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
            cached_second = t;
        }
        char out[32];
        const int n = std::snprintf(out, sizeof out, "%s.%03dZ", cached, static_cast<int>(ms_total % 1000));
        return std::string(out, static_cast<std::size_t>(n));
    }

    void write_locked() {
        if (buffer_.empty()) return;
        std::fwrite(buffer_.data(), 1, buffer_.size(), sink_);
        std::fflush(sink_);
        buffer_.clear();
    }

    void run(std::stop_token st) {
        std::unique_lock lock(wake_mutex_);
        while (!st.stop_requested()) {
            wake_.wait_for(lock, std::chrono::milliseconds(200));
            flush();
        }
    }

    std::FILE* sink_;
    bool owned_;
    std::mutex mutex_;
    std::string buffer_;
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    std::jthread flusher_;
};

/// Counts a per-tool scope decision and, when `log` is set, writes its audit line.
inline void record_authorization(audit_log* log, const principal& who, std::string_view tool, bool allowed,
                                 const boost::json::value* rpc_id = nullptr, unsigned status = 0) {
    const std::string_view decision = allowed ? "allow" : "deny";
    const std::string_view reason = allowed ? "ok" : "insufficient_scope";
    metrics::global().authorization_decisions.with({decision, reason}).inc();
    if (!log) return;
    log->record(audit_event{.event = "authorization", .decision = decision, .reason = reason, .status = status,
                            .scheme = who.scheme, .who = &who, .method = "tools/call", .tool = tool,
                            .request_id = who.request_id, .rpc_id = rpc_id, .address = who.address});
}

} // namespace warden
