// Test support: a small authorization server and API on 127.0.0.1 for the upstream tests.
// /token: authorization_code (with PKCE S256 checked) and refresh_token grants, rotating
// refresh tokens (a used one is invalid_grant), counting refreshes, optionally slow.
// /api: 200 for a live access token, 401 otherwise (or when told to refuse the next one).
#pragma once

#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace warden_test {

class oauth_stub {
public:
    std::atomic<int> refreshes{0};
    std::atomic<int> code_exchanges{0};
    std::atomic<int> api_calls{0};
    std::atomic<bool> refuse_next_api{false};
    std::atomic<int> token_delay_ms{0};
    std::atomic<int> expires_in{3600};
    std::atomic<bool> down{false};

    oauth_stub() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~oauth_stub() {
        stop_ = true;
        boost::system::error_code ec;
        // wake the blocking accept
        boost::asio::ip::tcp::socket s(io_);
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
        for (auto& t : workers_) t.join();
    }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

    /// Issues tokens for a code as if a user had signed in (the challenge is checked later).
    void expect_code(std::string code, std::string challenge) {
        std::lock_guard lock(mutex_);
        codes_[std::move(code)] = std::move(challenge);
    }
    /// A first token set, as after a login.
    std::pair<std::string, std::string> issue() {
        std::lock_guard lock(mutex_);
        return issue_locked();
    }
    bool refresh_token_live(const std::string& r) {
        std::lock_guard lock(mutex_);
        return refresh_.count(r) != 0;
    }
    void revoke_all() {
        std::lock_guard lock(mutex_);
        refresh_.clear();
        access_.clear();
    }

private:
    std::pair<std::string, std::string> issue_locked() {
        const auto n = ++serial_;
        std::string a = "access-" + std::to_string(n), r = "refresh-" + std::to_string(n);
        access_.insert(a);
        refresh_.insert(r);
        return {a, r};
    }

    void serve() {
        for (;;) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket s(io_);
            acceptor_.accept(s, ec);
            if (stop_) return;
            if (ec) continue;
            workers_.emplace_back([this, sock = std::move(s)]() mutable { handle(std::move(sock)); });
        }
    }

    static std::map<std::string, std::string> form(std::string_view body) {
        std::map<std::string, std::string> out;
        const std::string target = "/?" + std::string(body);
        auto u = boost::urls::parse_origin_form(target);
        if (u)
            for (auto p : u->params()) out[p.key] = p.value;
        return out;
    }

    void handle(boost::asio::ip::tcp::socket s) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        boost::system::error_code ec;
        http::read(s, buffer, req, ec);
        if (ec) return;
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        const std::string target(req.target());
        if (down) {
            res.result(http::status::service_unavailable);
            res.body() = R"({"error":"temporarily_unavailable"})";
        } else if (target == "/token") {
            if (token_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(token_delay_ms));
            auto f = form(req.body());
            std::lock_guard lock(mutex_);
            const std::string proof(req["DPoP"]);
            last_token_dpop = proof;
            auto error = [&](const char* code) {
                res.result(http::status::bad_request);
                res.body() = std::string(R"({"error":")") + code + "\"}";
            };
            if (f["grant_type"] == "refresh_token") {
                ++refreshes;
                if (refresh_.erase(f["refresh_token"]) == 0) error("invalid_grant");
                else grant(res, issue_locked(), !proof.empty());
            } else if (f["grant_type"] == "authorization_code") {
                ++code_exchanges;
                auto it = codes_.find(f["code"]);
                const auto d = warden::crypto::sha256(f["code_verifier"]);
                const auto challenge = warden::crypto::base64url_encode(
                    std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
                if (it == codes_.end() || it->second != challenge || f["redirect_uri"].empty()) error("invalid_grant");
                else {
                    codes_.erase(it);
                    grant(res, issue_locked(), !proof.empty());
                }
            } else {
                error("unsupported_grant_type");
            }
        } else if (target == "/redirect") {
            // Where a credential must not follow.
            res.result(http::status::found);
            res.set(http::field::location, "http://127.0.0.1:9/steal");
        } else if (target == "/huge") {
            res.body() = "\"" + std::string(600 * 1024, 'x') + "\"";
        } else if (target.starts_with("/api")) {
            ++api_calls;
            std::string auth(req[http::field::authorization]);
            std::lock_guard lock(mutex_);
            last_api_authorization = auth;
            last_api_dpop = std::string(req["DPoP"]);
            const bool live = (auth.starts_with("Bearer ") && access_.count(auth.substr(7))) ||
                              (auth.starts_with("DPoP ") && access_.count(auth.substr(5)));
            if (!live || refuse_next_api.exchange(false)) {
                res.result(http::status::unauthorized);
                res.set(http::field::www_authenticate, R"(Bearer error="invalid_token")");
                res.body() = R"({"error":"invalid_token"})";
            } else {
                res.body() = R"({"items":["a","b"]})";
            }
        } else {
            res.result(http::status::not_found);
        }
        res.prepare_payload();
        http::write(s, res, ec);
    }

    void grant(boost::beast::http::response<boost::beast::http::string_body>& res,
               const std::pair<std::string, std::string>& t, bool dpop = false) {
        res.body() = boost::json::serialize(boost::json::object{{"access_token", t.first},
                                                                {"refresh_token", t.second},
                                                                {"token_type", dpop ? "DPoP" : "Bearer"},
                                                                {"expires_in", expires_in.load()},
                                                                {"scope", "repo"}});
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::vector<std::thread> workers_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    int serial_ = 0;
    std::set<std::string> access_, refresh_;
    std::map<std::string, std::string> codes_;

public:
    /// What the last requests carried (DPoP): the token request's proof, the API request's
    /// Authorization and proof. Read after the request returned.
    std::string last_token_dpop, last_api_authorization, last_api_dpop;
};

} // namespace warden_test
