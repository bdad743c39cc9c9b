// Test support: a session wired to an in-memory outbound that records every message.
#pragma once

#include <warden/mcp/session.hpp>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace test {

namespace json = boost::json;
using namespace std::chrono_literals;

/// Records what a session sends, and lets a test wait for a message.
class recorder final : public warden::mcp::outbound {
public:
    struct entry {
        json::value message;
        json::value related;
        bool final = false;
    };

    void send(std::string message, const json::value* related, bool final) override {
        std::lock_guard lock(mutex_);
        entries_.push_back({json::parse(message), related ? *related : json::value(), final});
        cv_.notify_all();
    }
    void abandoned(const json::value& related) override {
        std::lock_guard lock(mutex_);
        abandoned_.push_back(related);
        cv_.notify_all();
    }

    /// The first message matching `pred`, waiting up to `timeout`.
    json::value wait_for(const std::function<bool(const json::value&)>& pred, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mutex_);
        json::value found;
        cv_.wait_for(lock, timeout, [&] {
            for (auto& e : entries_)
                if (pred(e.message)) {
                    found = e.message;
                    return true;
                }
            return false;
        });
        return found;
    }
    /// The response with this id.
    json::value response(const json::value& id, std::chrono::milliseconds timeout = 5s) {
        return wait_for([&](const json::value& m) {
            const auto* o = m.if_object();
            return o && !o->contains("method") && o->contains("id") && o->at("id") == id;
        }, timeout);
    }
    std::vector<entry> entries() {
        std::lock_guard lock(mutex_);
        return entries_;
    }
    std::vector<json::value> with_method(std::string_view method) {
        std::lock_guard lock(mutex_);
        std::vector<json::value> out;
        for (auto& e : entries_)
            if (const auto* o = e.message.if_object(); o && o->contains("method") && o->at("method").as_string() == method)
                out.push_back(e.message);
        return out;
    }
    bool was_abandoned(const json::value& id, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] {
            for (auto& a : abandoned_)
                if (a == id) return true;
            return false;
        });
    }
    void clear() {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<entry> entries_;
    std::vector<json::value> abandoned_;
};

/// A registry, a worker pool and one session over a recorder.
struct harness {
    std::shared_ptr<warden::mcp::registry> registry = std::make_shared<warden::mcp::registry>();
    boost::asio::thread_pool pool{4};
    std::shared_ptr<recorder> out = std::make_shared<recorder>();
    std::shared_ptr<warden::logger> log = std::make_shared<warden::logger>(warden::log_level::critical);
    warden::mcp::session_options options{};
    std::shared_ptr<warden::mcp::session> session;

    ~harness() {
        if (session) session->close();
        pool.join();
    }

    warden::mcp::session& open(warden::principal caller = unrestricted(),
                               std::shared_ptr<const warden::credential_set> creds =
                                   std::make_shared<warden::credential_set>()) {
        session = std::make_shared<warden::mcp::session>(
            registry, std::make_shared<warden::server_info>(warden::server_info{"test-server", "1.2.3"}), options,
            std::move(caller), std::move(creds), pool.get_executor(), out, log);
        return *session;
    }

    static warden::principal unrestricted() {
        warden::principal p;
        p.subject = "tester";
        p.scheme = "test";
        p.unrestricted = true;
        return p;
    }

    /// Sends `text` and returns the response to `id`.
    json::value call(std::string_view text, const json::value& id) {
        session->receive_text(text);
        return out->response(id);
    }

    json::value request(std::string_view method, json::object params, json::value id) {
        json::object msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
        return call(json::serialize(msg), id);
    }

    json::value initialize(std::string_view version = "2025-11-25", json::object caps = {}) {
        auto r = request("initialize",
                         {{"protocolVersion", version}, {"capabilities", std::move(caps)},
                          {"clientInfo", {{"name", "unit"}, {"version", "0"}}}},
                         "init");
        session->receive_text(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
        return r;
    }
};

/// A caller who signed in at an OAuth authorization server, holding every scope.
inline warden::principal person(std::string subject) {
    warden::principal p;
    p.subject = std::move(subject);
    p.scheme = "oauth";
    p.issuer = "https://as.example";
    p.unrestricted = true;
    return p;
}

inline int error_code_of(const json::value& response) {
    const auto* e = response.as_object().if_contains("error");
    return e ? static_cast<int>(e->as_object().at("code").as_int64()) : 0;
}

inline const json::object& result_of(const json::value& response) {
    INFO(json::serialize(response));
    REQUIRE(response.as_object().contains("result"));
    return response.as_object().at("result").as_object();
}

} // namespace test
