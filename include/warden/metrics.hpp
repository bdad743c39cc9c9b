// warden/metrics.hpp: the process's counters, gauges and histograms, and their Prometheus
// text exposition (format 0.0.4).
//
// One registry per process (`metrics::global()`), as Prometheus client libraries keep: the
// code that counts (the auth gate, the JWKS fetcher, a Redis store, the token manager) does
// not need to know which server it serves. Updating a series is a lock-free atomic add once
// the series exists; finding it by its label values takes a short lock.
//
// The HTTP transports serve `render()` at `/metrics` on a listener of its own, on loopback
// only (`http_settings::metrics_port`): the main endpoint never answers it.
//
// | family                                   | type      | labels                   |
// |------------------------------------------|-----------|--------------------------|
// | warden_requests_total                    | counter   | method, tool, outcome    |
// | warden_request_duration_seconds          | histogram | method, tool             |
// | warden_auth_decisions_total              | counter   | scheme, decision, reason |
// | warden_authorization_decisions_total     | counter   | decision, reason         |
// | warden_rate_limited_total                | counter   | by (address, credential) |
// | warden_sessions / warden_streams         | gauge     |                          |
// | warden_jwks_fetches_total                | counter   | outcome                  |
// | warden_introspections_total              | counter   | outcome                  |
// | warden_token_refreshes_total             | counter   | outcome                  |
// | warden_storage_errors_total              | counter   | operation                |
// | warden_audit_dropped_lines_total         | counter   |                          |
#pragma once

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace warden::metrics {

/// A monotonically increasing count.
class counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (live sessions, open streams).
class gauge {
public:
    void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

/// Adds one to a gauge for as long as it lives (a session, a stream).
class gauge_hold {
public:
    explicit gauge_hold(gauge& g) noexcept : g_(&g) { g_->add(1); }
    gauge_hold(const gauge_hold&) = delete;
    gauge_hold& operator=(const gauge_hold&) = delete;
    ~gauge_hold() { g_->add(-1); }

private:
    gauge* g_;
};

/// Durations in seconds, in fixed buckets from 100 µs to 10 s.
class histogram {
public:
    static constexpr std::array<double, 14> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,    1,     10};
    void observe(double seconds) noexcept {
        std::size_t i = 0;
        while (i < bounds.size() && seconds > bounds[i]) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9), std::memory_order_relaxed);
    }
    /// Observations at or below bounds[i] (i == bounds.size(): all of them).
    std::uint64_t cumulative(std::size_t i) const noexcept {
        std::uint64_t n = 0;
        for (std::size_t k = 0; k <= i && k < buckets_.size(); ++k) n += buckets_[k].load(std::memory_order_relaxed);
        return n;
    }
    std::uint64_t count() const noexcept { return cumulative(bounds.size()); }
    double sum() const noexcept { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> sum_ns_{0};
};

namespace detail {
/// A label value escaped as the text format wants (backslash, quote, newline).
inline void append_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out.push_back(c);
    }
}
inline std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf, static_cast<std::size_t>(n));
}
} // namespace detail

/// The series of one metric, one per combination of label values. Series live as long as
/// the family (references stay valid), so hot paths may keep them.
template <class T>
class family {
public:
    family(std::string name, std::string help, std::vector<std::string> labels)
        : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}

    /// The series for these label values (in the order of the family's label names).
    T& with(std::initializer_list<std::string_view> values) {
        // Each thread remembers the series it asked for last in a small table of its own:
        // a request's counters are found without the family's lock after the first time.
        struct slot {
            std::uint64_t family = 0; ///< id_ of the family (never reused), 0: empty
            std::string key;
            T* series = nullptr;
        };
        thread_local std::array<slot, 64> recent;
        thread_local std::string key;
        key.clear();
        for (auto v : values) key.append(v).push_back('\0');
        auto& s = recent[(std::hash<std::string_view>{}(key) ^ id_) % recent.size()];
        if (s.family == id_ && s.key == key) return *s.series;
        T* found;
        {
            std::lock_guard lock(mutex_);
            auto it = series_.find(key);
            if (it == series_.end()) it = series_.emplace(key, std::make_unique<T>()).first;
            found = it->second.get();
        }
        s.family = id_;
        s.key = key;
        s.series = found;
        return *found;
    }

    const std::string& name() const noexcept { return name_; }

    void render(std::string& out) const {
        out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " " + type() + "\n";
        std::lock_guard lock(mutex_);
        for (const auto& [key, s] : series_) {
            const std::string labels = label_text(key);
            if constexpr (std::is_same_v<T, histogram>) {
                for (std::size_t i = 0; i <= histogram::bounds.size(); ++i) {
                    out += name_ + "_bucket{" + labels + (labels.empty() ? "" : ",") + "le=\"" +
                           (i < histogram::bounds.size() ? detail::number(histogram::bounds[i]) : "+Inf") + "\"} " +
                           std::to_string(s->cumulative(i)) + "\n";
                }
                out += name_ + "_sum" + braces(labels) + " " + detail::number(s->sum()) + "\n";
                out += name_ + "_count" + braces(labels) + " " + std::to_string(s->count()) + "\n";
            } else {
                out += name_ + braces(labels) + " " + std::to_string(s->value()) + "\n";
            }
        }
    }

private:
    static constexpr const char* type() {
        if constexpr (std::is_same_v<T, histogram>) return "histogram";
        else if constexpr (std::is_same_v<T, gauge>) return "gauge";
        else return "counter";
    }
    static std::string braces(const std::string& labels) { return labels.empty() ? labels : "{" + labels + "}"; }
    std::string label_text(const std::string& key) const {
        std::string out;
        std::size_t at = 0;
        for (const auto& l : labels_) {
            const auto end = key.find('\0', at);
            if (end == std::string::npos) break;
            if (!out.empty()) out.push_back(',');
            out += l + "=\"";
            detail::append_label_value(out, std::string_view(key).substr(at, end - at));
            out.push_back('"');
            at = end + 1;
        }
        return out;
    }

    static std::uint64_t next_id() {
        static std::atomic<std::uint64_t> n{0};
        return ++n;
    }

    const std::uint64_t id_ = next_id(); ///< tells this family from a destroyed one at the same address
    std::string name_, help_;
    std::vector<std::string> labels_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<T>> series_;
};

/// Everything warden counts.
struct registry {
    family<counter> requests{"warden_requests_total", "MCP requests handled, by method, tool and outcome (ok, error)",
                             {"method", "tool", "outcome"}};
    family<histogram> request_duration{"warden_request_duration_seconds",
                                       "Time from dispatch to response of MCP requests, by method and tool",
                                       {"method", "tool"}};
    family<counter> auth_decisions{"warden_auth_decisions_total",
                                   "Authentication decisions of the HTTP gate, by scheme, decision and reason",
                                   {"scheme", "decision", "reason"}};
    family<counter> authorization_decisions{"warden_authorization_decisions_total",
                                            "Per-tool scope decisions, by decision and reason", {"decision", "reason"}};
    family<counter> rate_limited{"warden_rate_limited_total",
                                 "Requests refused with 429 after too many failed authentications, by the bucket "
                                 "that was empty",
                                 {"by"}};
    family<gauge> sessions{"warden_sessions", "Live MCP sessions", {}};
    family<gauge> streams{"warden_streams", "Open SSE and WebSocket streams", {}};
    family<counter> jwks_fetches{"warden_jwks_fetches_total", "JWK set fetches, by outcome", {"outcome"}};
    family<counter> introspections{"warden_introspections_total", "Token introspection requests, by outcome",
                                   {"outcome"}};
    family<counter> token_refreshes{"warden_token_refreshes_total", "Upstream OAuth token refreshes, by outcome",
                                    {"outcome"}};
    family<counter> storage_errors{"warden_storage_errors_total", "Storage operations that failed, by operation",
                                   {"operation"}};
    family<counter> audit_dropped_lines{"warden_audit_dropped_lines_total",
                                        "Audit lines dropped because the audit sink could not keep up or failed", {}};

    registry() {
        // Present (at 0) from the first scrape on.
        sessions.with({});
        streams.with({});
        audit_dropped_lines.with({});
    }

    /// The whole exposition, in Prometheus text format 0.0.4.
    std::string render() const {
        std::string out;
        out.reserve(8192);
        requests.render(out);
        request_duration.render(out);
        auth_decisions.render(out);
        authorization_decisions.render(out);
        rate_limited.render(out);
        sessions.render(out);
        streams.render(out);
        jwks_fetches.render(out);
        introspections.render(out);
        token_refreshes.render(out);
        storage_errors.render(out);
        audit_dropped_lines.render(out);
        return out;
    }
};

/// The process's registry.
inline registry& global() {
    static registry r;
    return r;
}

/// The content type of `render()`.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

} // namespace warden::metrics
