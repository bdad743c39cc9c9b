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
// | event        | "authentication" (the HTTP gate), "authorization" (a tool's scopes), or  |
// |              | "call" (both allowed, in one line: `audit_settings::one_line_per_allowed_call`) |
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
// the credential offline.
//
// With `one_line_per_allowed_call`, the HTTP transport records an allowed authentication of
// a POST as pending; the tool's authorization (inline or on a worker) takes it and writes
// one "call" line, and the end of the request writes it alone if no call took it.
//
// Cost and back-pressure. A decision formats its line into a buffer of the thread that made
// it (no lock shared between I/O threads; the buffer's own lock is only ever contended by
// the writer swapping it out). One writer thread collects the buffers every 200 ms, or
// sooner when one holds 64 KiB, puts the lines back into the order they were recorded in,
// and hands them to the sink: the I/O threads never wait for a disk or a pipe. When the
// sink is slower than the server, a thread's buffer stops growing at
// `max_pending_per_thread` bytes and further lines are dropped, counted in
// `warden_audit_dropped_lines_total` and `audit_log::dropped()`. Destroying the log writes
// every line recorded before.
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/error.hpp>
#include <warden/metrics.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace warden {

struct audit_settings {
    /// Unset: the profile decides (`profile::audits_by_default`): on in `production`, off
    /// in `development` and `test`.
    std::optional<bool> enabled{};
    /// Appends to this file (created 0600, never through a symbolic link); empty: stderr.
    std::string file{};
    /// When set, receives every line (without its newline) instead of the file or stderr:
    /// on the log's writer thread, in the order the decisions were made. An exception it
    /// throws counts the line as dropped.
    std::function<void(std::string_view line)> sink{};
    /// A `tools/call` whose authentication and authorization both allow gives one line,
    /// event "call", with the fields of both, instead of two. Denials keep their own lines.
    /// Off by default: the two-line shape is what existing alert rules expect.
    bool one_line_per_allowed_call = false;
    /// The most bytes of lines that one thread may have waiting for the writer; beyond it
    /// lines are dropped and counted (warden_audit_dropped_lines_total).
    std::size_t max_pending_per_thread = std::size_t{1} << 20;
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
        if (s.sink || s.file.empty()) return std::make_shared<audit_log>(s, STDERR_FILENO, false);
        const int fd = ::open(s.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return failure(errc::storage_error, "cannot open the audit log " + s.file + ": " + std::strerror(errno));
        return std::make_shared<audit_log>(s, fd, true);
    }

    /// Writes to `fd` (closed at the end when `owned`), or to `s.sink` when set.
    audit_log(const audit_settings& s, int fd, bool owned)
        : fd_(fd), owned_(owned), sink_(s.sink), combine_(s.one_line_per_allowed_call),
          max_pending_(std::max<std::size_t>(s.max_pending_per_thread, 4096)),
          writer_([this](std::stop_token st) { run(st); }) {}
    audit_log(const audit_log&) = delete;
    audit_log& operator=(const audit_log&) = delete;
    ~audit_log() {
        writer_.request_stop();
        wake_.notify_all();
        writer_.join(); // its last round writes everything recorded before
        std::lock_guard lock(shards_mutex_);
        for (auto& s : shards_) s->closed.store(true, std::memory_order_relaxed);
        if (owned_) ::close(fd_);
    }

    /// Adds the line for `e`.
    void record(const audit_event& e) {
        shard& s = mine();
        if (combine_ && e.event == "authorization" && !e.request_id.empty())
            if (auto h = take_held(s, e.request_id)) {
                if (e.decision == "allow") {
                    audit_event both = h->view();
                    both.event = "call";
                    both.who = e.who ? e.who : both.who;
                    both.method = e.method;
                    both.tool = e.tool;
                    both.rpc_id = e.rpc_id;
                    return append(s, h->time, both);
                }
                append(s, h->time, h->view());
            }
        append(s, time_text(), e);
    }

    /// An allowed authentication of a request that may carry one `tools/call`: with
    /// `one_line_per_allowed_call` on, its line waits for that call's authorization (to
    /// become one "call" line) or for `settle`; otherwise it is recorded now.
    void record_pending(const audit_event& e) {
        if (!combine_) return record(e);
        shard& s = mine();
        held_event h(e, time_text());
        std::unique_lock lock(s.mutex);
        if (s.held) release_held(s, lock);
        s.held = std::move(h);
    }

    /// The request `request_id` is over: its pending authentication line, if still waiting,
    /// is recorded alone.
    void settle(std::string_view request_id) {
        if (!combine_) return;
        shard& s = mine();
        std::unique_lock lock(s.mutex);
        if (s.held && s.held->request_id == request_id) release_held(s, lock);
    }

    /// Lines dropped so far because the sink could not keep up (or failed).
    std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

    /// Hands everything recorded so far to the sink before returning.
    void flush() {
        const auto target = written_rounds_.load() + 2; // a round that starts after this call
        {
            std::lock_guard lock(wake_mutex_);
            urgent_ = true;
        }
        wake_.notify_all();
        std::unique_lock lock(wake_mutex_);
        done_.wait(lock, [&] { return written_rounds_.load() >= target || stopping_; });
    }

private:
    static constexpr std::size_t wake_at = 64 * 1024;
    static constexpr std::size_t header = sizeof(std::uint64_t) + sizeof(std::uint32_t); ///< seq, length

    /// An authentication line waiting to be joined with its call's authorization.
    struct held_event {
        held_event() = default;
        held_event(const audit_event& e, std::string_view t)
            : time(t), decision(e.decision), reason(e.reason), scheme(e.scheme), http(e.http), method(e.method),
              tool(e.tool), request_id(e.request_id), address(e.address), credential(e.credential),
              status(e.status) {
            if (e.who) who = *e.who;
        }
        audit_event view() const {
            return {.event = "authentication", .decision = decision, .reason = reason, .status = status,
                    .scheme = scheme, .who = who ? &*who : nullptr, .http = http, .method = method, .tool = tool,
                    .request_id = request_id, .address = address, .credential = credential};
        }
        std::string time, decision, reason, scheme, http, method, tool, request_id, address, credential;
        unsigned status = 0;
        std::optional<principal> who;
    };

    /// One thread's lines: records of [seq (8 bytes)][length (4 bytes)][line with '\n'].
    struct shard {
        std::mutex mutex;
        std::string lines;              ///< under mutex
        std::optional<held_event> held; ///< under mutex
        std::string spare;              ///< the writer's
        std::atomic<bool> closed{false};
    };

    /// The calling thread's shard of this log (created on its first line).
    shard& mine() {
        struct entry {
            std::uint64_t log;
            std::shared_ptr<shard> s;
        };
        thread_local std::vector<entry> entries;
        for (const auto& en : entries)
            if (en.log == id_) return *en.s;
        std::erase_if(entries, [](const entry& en) { return en.s->closed.load(std::memory_order_relaxed); });
        auto s = std::make_shared<shard>();
        {
            std::lock_guard lock(shards_mutex_);
            shards_.push_back(s);
        }
        entries.push_back({id_, s});
        return *s;
    }

    /// The pending authentication of request `request_id`: usually in the calling thread's
    /// shard (a tool that runs inline), else in the I/O thread's that authenticated it.
    std::optional<held_event> take_held(shard& own, std::string_view request_id) {
        auto take = [&](shard& s) -> std::optional<held_event> {
            std::lock_guard lock(s.mutex);
            if (!s.held || s.held->request_id != request_id) return std::nullopt;
            std::optional<held_event> h = std::move(s.held);
            s.held.reset();
            return h;
        };
        if (auto h = take(own)) return h;
        std::lock_guard lock(shards_mutex_);
        for (auto& s : shards_)
            if (s.get() != &own)
                if (auto h = take(*s)) return h;
        return std::nullopt;
    }

    void release_held(shard& s, std::unique_lock<std::mutex>& lock) {
        held_event h = std::move(*s.held);
        s.held.reset();
        lock.unlock();
        append(s, h.time, h.view());
        lock.lock();
    }

    /// Formats `e` into `s`, numbered in the order of all threads' lines; drops it when `s`
    /// is full.
    void append(shard& s, std::string_view time, const audit_event& e) {
        thread_local std::string line;
        line.clear();
        format(line, time, e);
        bool wake = false;
        {
            std::lock_guard lock(s.mutex);
            if (s.lines.size() + header + line.size() > max_pending_) {
                dropped_.fetch_add(1, std::memory_order_relaxed);
                dropped_counter().inc();
                return;
            }
            const std::uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
            const auto length = static_cast<std::uint32_t>(line.size());
            const std::size_t before = s.lines.size();
            s.lines.append(reinterpret_cast<const char*>(&seq), sizeof seq);
            s.lines.append(reinterpret_cast<const char*>(&length), sizeof length);
            s.lines.append(line);
            wake = before < wake_at && s.lines.size() >= wake_at;
        }
        if (wake) {
            {
                std::lock_guard lock(wake_mutex_);
                urgent_ = true;
            }
            wake_.notify_one();
        }
    }

    static metrics::counter& dropped_counter() {
        static metrics::counter& c = metrics::global().audit_dropped_lines.with({});
        return c;
    }

    static void format(std::string& out, std::string_view time, const audit_event& e) {
        out.append("{\"time\":\"").append(time).push_back('"');
        member(out, "event", e.event);
        member(out, "decision", e.decision);
        member(out, "reason", e.reason);
        if (e.status) number(out.append(",\"status\":"), e.status);
        member(out, "scheme", e.scheme);
        if (e.who) {
            member(out, "subject", e.who->subject);
            member(out, "tenant", e.who->tenant);
            member(out, "client", e.who->client);
            member(out, "issuer", e.who->issuer);
        }
        member(out, "http", e.http);
        member(out, "method", e.method);
        member(out, "tool", e.tool);
        member(out, "request_id", e.request_id);
        if (e.rpc_id && !e.rpc_id->is_null()) {
            out.append(",\"rpc_id\":");
            if (e.rpc_id->is_int64()) number(out, e.rpc_id->get_int64());
            else out.append(boost::json::serialize(*e.rpc_id));
        }
        member(out, "address", e.address);
        member(out, "credential", e.credential);
        out.append("}\n");
    }

    template <class N>
    static void number(std::string& out, N n) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, n);
        out.append(buf, r.ptr);
    }

    /// ",\"name\":\"value\""; nothing for an empty value. Values that need escaping go
    /// through Boost.JSON's serializer; the rest (almost all) are copied as they are.
    static void member(std::string& out, std::string_view name, std::string_view value) {
        if (value.empty()) return;
        const auto plain = [](char c) {
            return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
        };
        if (std::all_of(value.begin(), value.end(), plain)) {
            // ,"name":"value"
            const std::size_t at = out.size();
            out.resize(at + name.size() + value.size() + 6);
            char* p = out.data() + at;
            *p++ = ',';
            *p++ = '"';
            p = std::copy(name.begin(), name.end(), p);
            *p++ = '"';
            *p++ = ':';
            *p++ = '"';
            p = std::copy(value.begin(), value.end(), p);
            *p = '"';
            return;
        }
        out.append(",\"").append(name).append("\":");
        thread_local boost::json::serializer sr;
        sr.reset(boost::json::string_view(value.data(), value.size()));
        char buf[256];
        while (!sr.done()) {
            const auto part = sr.read(buf, sizeof buf);
            out.append(part.data(), part.size());
        }
    }

    /// Now as RFC 3339 UTC with milliseconds (24 characters, held inline: no allocation per
    /// line); the seconds part formatted once a second.
    struct stamp {
        char text[24];
        operator std::string_view() const { return {text, sizeof text}; }
    };
    static stamp time_text() {
        const auto now = std::chrono::system_clock::now();
        const auto ms_total = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        const auto t = static_cast<std::time_t>(ms_total / 1000);
        thread_local std::time_t cached_second = -1;
        thread_local char cached[20]; // YYYY-MM-DDTHH:MM:SS
        if (t != cached_second) {
            std::tm tm{};
            gmtime_r(&t, &tm);
            char full[24];
            std::strftime(full, sizeof full, "%Y-%m-%dT%H:%M:%S", &tm);
            std::memcpy(cached, full, sizeof cached);
            cached_second = t;
        }
        const auto ms = static_cast<int>(ms_total % 1000);
        stamp out;
        std::memcpy(out.text, cached, sizeof cached);
        out.text[19] = '.';
        out.text[20] = static_cast<char>('0' + ms / 100);
        out.text[21] = static_cast<char>('0' + ms / 10 % 10);
        out.text[22] = static_cast<char>('0' + ms % 10);
        out.text[23] = 'Z';
        return out;
    }

    /// The writer: every 200 ms (sooner when a buffer fills, or asked to flush) takes every
    /// thread's lines, orders them, and writes those numbered before the round began; later
    /// ones wait for the next round, so that the output is in record order.
    void run(std::stop_token st) {
        std::string carry, out;
        std::vector<std::pair<std::uint64_t, std::string_view>> order;
        for (;;) {
            {
                std::unique_lock lock(wake_mutex_);
                wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return urgent_ || st.stop_requested(); });
                urgent_ = false;
            }
            const bool last = st.stop_requested();
            if (last) release_all_held();
            const std::uint64_t before = last ? UINT64_MAX : next_seq_.load(std::memory_order_relaxed);
            std::vector<std::shared_ptr<shard>> shards;
            {
                std::lock_guard lock(shards_mutex_);
                shards = shards_;
            }
            order.clear();
            collect(carry, order);
            for (auto& s : shards) {
                {
                    std::lock_guard lock(s->mutex);
                    std::swap(s->lines, s->spare);
                }
                collect(s->spare, order);
            }
            std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            out.clear();
            std::string next_carry;
            for (const auto& [seq, line] : order) {
                if (seq < before) {
                    emit(out, line);
                } else {
                    const auto length = static_cast<std::uint32_t>(line.size());
                    next_carry.append(reinterpret_cast<const char*>(&seq), sizeof seq);
                    next_carry.append(reinterpret_cast<const char*>(&length), sizeof length);
                    next_carry.append(line);
                }
            }
            if (!sink_) write_all(out);
            carry = std::move(next_carry);
            for (auto& s : shards) s->spare.clear();
            {
                std::lock_guard lock(wake_mutex_);
                written_rounds_.fetch_add(1);
                if (last) stopping_ = true;
            }
            done_.notify_all();
            if (last) return;
        }
    }

    /// Lists the records of `buffer` in `order`.
    static void collect(const std::string& buffer, std::vector<std::pair<std::uint64_t, std::string_view>>& order) {
        for (std::size_t at = 0; at + header <= buffer.size();) {
            std::uint64_t seq;
            std::uint32_t length;
            std::memcpy(&seq, buffer.data() + at, sizeof seq);
            std::memcpy(&length, buffer.data() + at + sizeof seq, sizeof length);
            order.emplace_back(seq, std::string_view(buffer).substr(at + header, length));
            at += header + length;
        }
    }

    /// Gives `line` to the callback, or adds it to `out` for the file.
    void emit(std::string& out, std::string_view line) {
        if (!sink_) {
            out.append(line);
            return;
        }
        try {
            sink_(line.substr(0, line.size() - 1));
        } catch (...) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            dropped_counter().inc();
        }
    }

    void write_all(std::string_view data) {
        while (!data.empty()) {
            const auto n = ::write(fd_, data.data(), data.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { // a full disk, a closed pipe: what could not be written is lost
                const auto lost = static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
                dropped_.fetch_add(lost, std::memory_order_relaxed);
                dropped_counter().inc(lost);
                return;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    /// At the end: the pending authentication lines of every thread, recorded alone.
    void release_all_held() {
        std::vector<std::shared_ptr<shard>> shards;
        {
            std::lock_guard lock(shards_mutex_);
            shards = shards_;
        }
        for (auto& s : shards) {
            std::unique_lock lock(s->mutex);
            if (s->held) release_held(*s, lock);
        }
    }

    static std::uint64_t next_id() {
        static std::atomic<std::uint64_t> n{0};
        return ++n;
    }

    const std::uint64_t id_ = next_id(); ///< tells this log's shards from a destroyed one's
    int fd_;
    bool owned_;
    std::function<void(std::string_view)> sink_;
    bool combine_;
    std::size_t max_pending_;
    std::atomic<std::uint64_t> next_seq_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::mutex shards_mutex_;
    std::vector<std::shared_ptr<shard>> shards_;
    std::mutex wake_mutex_;
    std::condition_variable wake_, done_;
    bool urgent_ = false;   ///< under wake_mutex_
    bool stopping_ = false; ///< under wake_mutex_
    std::atomic<std::uint64_t> written_rounds_{0};
    std::jthread writer_; ///< last: starts once the rest is ready
};

/// Counts a per-tool scope decision and, when `log` is set, writes its audit line.
inline void record_authorization(audit_log* log, const principal& who, std::string_view tool, bool allowed,
                                 const boost::json::value* rpc_id = nullptr, unsigned status = 0) {
    const std::string_view decision = allowed ? "allow" : "deny";
    const std::string_view reason = allowed ? "ok" : "insufficient_scope";
    static metrics::counter& allows = metrics::global().authorization_decisions.with({"allow", "ok"});
    static metrics::counter& denials = metrics::global().authorization_decisions.with({"deny", "insufficient_scope"});
    (allowed ? allows : denials).inc();
    if (!log) return;
    log->record(audit_event{.event = "authorization", .decision = decision, .reason = reason, .status = status,
                            .scheme = who.scheme, .who = &who, .method = "tools/call", .tool = tool,
                            .request_id = who.request_id, .rpc_id = rpc_id, .address = who.address});
}

} // namespace warden
