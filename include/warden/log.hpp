// warden/log.hpp: the server's diagnostic log, and MCP log levels.
//
// Diagnostics go to stderr (never stdout, which stdio reserves for protocol messages), one
// line each, from any thread. Nothing logged here may contain a credential: log a
// `secret`'s fingerprint, never its value. As a last line of defence every line passes
// through one redactor: each loaded credential value that appears in it is replaced by its
// fingerprint, and control characters are escaped.
#pragma once

#include <warden/crypto/digest.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <memory>
#include <vector>

namespace warden {

/// RFC 5424 severities, as MCP's logging uses them.
enum class log_level { debug, info, notice, warning, error, critical, alert, emergency };

inline constexpr std::string_view to_string(log_level l) noexcept {
    constexpr std::string_view names[] = {"debug", "info", "notice", "warning", "error", "critical", "alert",
                                          "emergency"};
    return names[static_cast<int>(l)];
}

inline std::optional<log_level> parse_log_level(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(log_level::emergency); ++i)
        if (to_string(static_cast<log_level>(i)) == s) return static_cast<log_level>(i);
    return std::nullopt;
}

/// A thread-safe line logger to a C stream (stderr by default).
class logger {
public:
    explicit logger(log_level threshold = log_level::info, std::FILE* sink = stderr) noexcept
        : threshold_(threshold), sink_(sink) {}

    log_level threshold() const noexcept { return threshold_; }
    void set_threshold(log_level l) noexcept { threshold_ = l; }
    bool enabled(log_level l) const noexcept { return l >= threshold_; }

    /// Values that must never appear in a line (the loaded credentials): each occurrence is
    /// replaced by "[redacted fp:xxxxxxxx]" (crypto::fingerprint, keyed). Values under 6
    /// bytes are left out (they would redact ordinary words).
    void redact(std::vector<std::string> values) {
        std::erase_if(values, [](const std::string& v) { return v.size() < 6; });
        // Longest first, so that a secret containing another is replaced whole.
        std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
        auto next = std::shared_ptr<std::vector<std::string>>(new std::vector<std::string>(std::move(values)),
                                                              [](std::vector<std::string>* v) {
                                                                  for (auto& x : *v) crypto::cleanse(x.data(), x.size());
                                                                  delete v;
                                                              });
        std::lock_guard lock(mutex_);
        redactions_ = std::move(next);
    }

    /// `text` with every redacted value replaced by its fingerprint.
    std::string redacted(std::string_view text) const {
        std::shared_ptr<const std::vector<std::string>> values;
        {
            std::lock_guard lock(mutex_);
            values = redactions_;
        }
        std::string out(text);
        if (!values) return out;
        for (const auto& v : *values)
            for (auto at = out.find(v); at != std::string::npos; at = out.find(v, at)) {
                const std::string mark = "[redacted " + crypto::fingerprint(v) + "]";
                out.replace(at, v.size(), mark);
                at += mark.size();
            }
        return out;
    }

    void log(log_level l, std::string_view raw) const {
        if (!enabled(l)) return;
        const std::string message = redacted(raw);
        const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        std::tm tm{};
        gmtime_r(&now, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string line;
        line.reserve(message.size() + 48);
        line.append(stamp).append(" warden ").append(to_string(l)).append(": ");
        // Control characters from client-supplied text would let a client forge log lines.
        for (char c : message) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) {
                static constexpr char hex[] = "0123456789abcdef";
                line.append("\\x").push_back(hex[u >> 4]);
                line.push_back(hex[u & 0xf]);
            } else {
                line.push_back(c);
            }
        }
        line.push_back('\n');
        std::lock_guard lock(mutex_);
        std::fwrite(line.data(), 1, line.size(), sink_);
        std::fflush(sink_);
    }
    void debug(std::string_view m) const { log(log_level::debug, m); }
    void info(std::string_view m) const { log(log_level::info, m); }
    void warn(std::string_view m) const { log(log_level::warning, m); }
    void error(std::string_view m) const { log(log_level::error, m); }

private:
    log_level threshold_;
    std::FILE* sink_;
    mutable std::mutex mutex_;
    std::shared_ptr<const std::vector<std::string>> redactions_;
};

} // namespace warden
