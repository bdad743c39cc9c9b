// warden/auth/basic.hpp: HTTP Basic authentication (RFC 7617) against password hashes.
//
//     Authorization: Basic base64(user ":" password)
//
// Users come from one credential (settings::auth.basic.users_credential, default
// MCP_BASIC_USERS): one "user:hash" line each, the hash made by tools/hash_password
// (scrypt or PBKDF2, warden/crypto/password.hpp). The credentials are split at the first
// colon, must be UTF-8 without control characters, and an unknown user costs the same
// password check as a known one and gets the same answer. A verified user and password
// are remembered (keyed by a keyed hash, never stored) for `cache_ttl`, so that Basic's
// password-with-every-request does not cost a password hash every time.
//
// Basic sends a reusable password with every request: rule 1 wants TLS (or loopback), and
// OAuth is the better place to end up (examples/basic_migration shows the move).
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/password.hpp>
#include <warden/error.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden::auth {

class basic : public header_secret_traits {
public:
    static constexpr std::size_t max_credentials_length = 1024;
    static constexpr std::size_t max_cached = 4096;

    static std::vector<variable> variables(const auth_settings& s) {
        return {{s.basic.users_credential, "Basic users: one user:password-hash line each (tools/hash_password)", true,
                 true}};
    }

    static result<basic> configure(const credential_set& creds, const auth_settings& s) {
        const secret* table = creds.find_secret(s.basic.users_credential);
        if (!table) return failure(errc::missing_credentials, "no Basic users: set " + s.basic.users_credential);
        basic b;
        b.state_ = std::make_shared<state>();
        b.state_->settings = s.basic;
        std::string_view rest = table->reveal();
        std::size_t line_no = 0;
        while (!rest.empty()) {
            ++line_no;
            auto nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.empty() || line.front() == '#') continue;
            const auto colon = line.find(':');
            const std::string where = s.basic.users_credential + " line " + std::to_string(line_no);
            if (colon == 0 || colon == std::string_view::npos)
                return failure(errc::invalid_credentials, where + ": expected user:hash");
            const std::string user(line.substr(0, colon));
            if (!valid_text(user)) return failure(errc::invalid_credentials, where + ": the user name has control characters");
            auto hash = crypto::parse_password_hash(line.substr(colon + 1));
            if (!hash) return failure(errc::invalid_credentials, where + " (" + user + "): " + hash.error().message());
            if (auto weak = crypto::below_guidance(hash.value()); weak && !s.basic.accept_weak_hashes)
                return failure(errc::invalid_credentials, where + " (" + user + "): " + *weak +
                                                              "; rehash it with tools/hash_password (only "
                                                              "profile::development and profile::test accept it)");
            if (!b.state_->users.emplace(user, std::move(hash).value()).second)
                return failure(errc::invalid_credentials, where + ": user \"" + user + "\" appears twice");
        }
        if (b.state_->users.empty()) return failure(errc::missing_credentials, s.basic.users_credential + " lists no users");
        // An unknown user is checked against the costliest configured hash, so that no
        // user's answer comes later than an unknown one's.
        b.state_->decoy = std::max_element(b.state_->users.begin(), b.state_->users.end(), [](const auto& x, const auto& y) {
                              return crypto::password_work(x.second) < crypto::password_work(y.second);
                          })->second;
        if (RAND_bytes(b.state_->cache_key.data(), static_cast<int>(b.state_->cache_key.size())) != 1)
            return failure(errc::internal_error, "the OpenSSL RNG failed");
        b.challenge_ = {"Basic", s.basic.realm};
        return b;
    }

    static bool presents(const http_request_view& r) { return presents_authorization(r, "Basic"); }

    /// What checking an unknown user's password costs (crypto::password_work): that of the
    /// costliest configured hash.
    double decoy_work() const { return crypto::password_work(state_->decoy); }

    /// A password check is a memory-hard hash (tens of milliseconds, megabytes): it runs on
    /// the worker pool, never on an I/O thread, where it would stall every connection there.
    bool may_block() const noexcept { return true; }

    gate_result authenticate(const http_request_view& r) const {
        auto read = authorization_credentials(r, "Basic", challenge_);
        if (auto* refused = std::get_if<challenge>(&read)) return refuse(std::move(*refused));
        const std::string_view credentials = std::get<std::string_view>(read);
        if (credentials.size() > max_credentials_length || !is_token68(credentials))
            return refuse(challenge_.invalid("malformed Basic credentials"));
        auto decoded = crypto::base64_decode(credentials);
        if (!decoded) return refuse(challenge_.invalid("malformed Basic credentials"));
        std::string pair(decoded.value().begin(), decoded.value().end());
        crypto::cleanse(decoded.value().data(), decoded.value().size());
        const auto colon = pair.find(':');
        if (colon == std::string::npos || colon == 0 || !valid_text(pair)) {
            crypto::cleanse(pair.data(), pair.size());
            return refuse(challenge_.invalid("malformed Basic credentials"));
        }
        const std::string user = pair.substr(0, colon);
        const std::string_view password = std::string_view(pair).substr(colon + 1);
        const bool ok = check(user, password);
        crypto::cleanse(pair.data(), pair.size());
        if (!ok) return refuse(challenge_.invalid("unknown user or wrong password"));
        principal p;
        p.subject = user;
        p.scheme = "basic";
        const auto& scopes = state_->settings.scopes;
        if (auto it = scopes.find(user); it != scopes.end()) p.scopes = it->second;
        else if (auto all = scopes.find("*"); all != scopes.end()) p.scopes = all->second;
        return p;
    }

private:
    struct state {
        basic_settings settings;
        std::map<std::string, crypto::password_hash, std::less<>> users;
        crypto::password_hash decoy;
        std::array<unsigned char, 32> cache_key{};
        std::mutex mutex;
        std::unordered_map<std::string, std::chrono::steady_clock::time_point> verified; ///< keyed hash -> until
        ~state() { crypto::cleanse(cache_key.data(), cache_key.size()); }
    };

    gate_result refuse(challenge c) const {
        c.www_authenticate += ", charset=\"UTF-8\"";
        return c;
    }

public:
    /// UTF-8 without control characters (RFC 7617 §2): every sequence the shortest form of
    /// its code point (no overlong forms), no surrogates (U+D800..U+DFFF), nothing past
    /// U+10FFFF, and no C0 or C1 control character or DEL.
    static bool valid_text(std::string_view s) {
        std::size_t i = 0;
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
            if (len == 0 || i + len > s.size()) return false;
            std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
            for (std::size_t k = 1; k < len; ++k) {
                const auto cont = static_cast<unsigned char>(s[i + k]);
                if ((cont & 0xc0) != 0x80) return false;
                cp = (cp << 6) | (cont & 0x3fu);
            }
            constexpr std::uint32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
            if (cp < shortest[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
            i += len;
        }
        return true;
    }

private:

    bool check(const std::string& user, std::string_view password) const {
        const std::string both = user + '\0' + std::string(password);
        const auto mac = crypto::hmac_sha256(
            {reinterpret_cast<const char*>(state_->cache_key.data()), state_->cache_key.size()}, both);
        crypto::cleanse(const_cast<char*>(both.data()), both.size());
        const std::string cache_key(reinterpret_cast<const char*>(mac.data()), mac.size());
        const auto now = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(state_->mutex);
            auto it = state_->verified.find(cache_key);
            if (it != state_->verified.end()) {
                if (it->second > now) return true;
                state_->verified.erase(it);
            }
        }
        auto found = state_->users.find(user);
        // Same cost and same answer for an unknown user.
        const bool ok = crypto::verify_password(password, found == state_->users.end() ? state_->decoy : found->second) &&
                        found != state_->users.end();
        if (ok && state_->settings.cache_ttl.count() > 0) {
            std::lock_guard lock(state_->mutex);
            if (state_->verified.size() >= max_cached) std::erase_if(state_->verified, [&](const auto& e) { return e.second <= now; });
            if (state_->verified.size() < max_cached) state_->verified[cache_key] = now + state_->settings.cache_ttl;
        }
        return ok;
    }

    std::shared_ptr<state> state_;
    challenges challenge_{"Basic", "mcp"};
};

} // namespace warden::auth
