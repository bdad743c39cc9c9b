// warden/auth/hmac.hpp: HMAC-signed requests, with a freshness window and replay refusal.
//
// A client signs every request with a shared key and sends, in one Authorization field:
//
//     Authorization: HMAC-SHA256 keyId="k2026", ts="1763790000", nonce="9f1c...", signature="<64 hex>"
//
// where signature = lower-case hex of HMAC-SHA-256(key, string-to-sign) and the
// string-to-sign is these seven lines joined by "\n" (no trailing newline):
//
//     HMAC-SHA256
//     <method, upper case>                e.g. POST
//     <request target as sent>            e.g. /mcp?x=1 (path and query)
//     <Host header, lower case>           e.g. 127.0.0.1:8080
//     <ts: Unix seconds, decimal>
//     <nonce: 16-128 of A-Z a-z 0-9 - _>
//     <lower-case hex SHA-256 of the exact body bytes>
//
// The server picks the key by keyId (several keys at once: rotation), refuses a timestamp
// more than `window` (300 s) from its clock, compares the signature in constant time, and
// then records keyId+nonce in the definition's storage for as long as the signature could
// be accepted (`nonce_lifetime`) with an atomic insert-if-absent: a second use is refused
// as a replay. When that store cannot answer, the
// request is refused (503): no replay check, no entry. `hmac_signer` below is the client
// side in C++; tests/integration/hmac_sign.mjs is the same in Node.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/decimal.hpp>
#include <warden/error.hpp>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

namespace detail {
using crypto::hmac_sha256;
using warden::detail::lower_ascii;
inline bool valid_nonce(std::string_view n) {
    if (n.size() < 16 || n.size() > 128) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}
} // namespace detail

/// How long a nonce is remembered: a timestamp is accepted within `window` either side of
/// now, in whole seconds, so a signature stays acceptable for up to twice the window plus
/// the second that rounding gives away; the nonce outlives that, with a margin for clocks
/// that step.
inline std::chrono::milliseconds nonce_lifetime(std::chrono::seconds window) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(2 * window + std::chrono::seconds(5));
}

/// The string a request's signature covers (see the header comment).
inline std::string hmac_string_to_sign(std::string_view method, std::string_view target, std::string_view host,
                                       std::string_view ts, std::string_view nonce, std::string_view body) {
    const auto body_hash = crypto::sha256(body);
    std::string s = "HMAC-SHA256\n";
    s.append(method).append("\n").append(target).append("\n").append(detail::lower_ascii(host)).append("\n");
    s.append(ts).append("\n").append(nonce).append("\n").append(crypto::to_hex(body_hash.data(), body_hash.size()));
    return s;
}

/// The client side: signs requests for a server using auth::hmac.
class hmac_signer {
public:
    hmac_signer(std::string key_id, const secret& key) : key_id_(std::move(key_id)), key_(key.clone()) {}

    /// The Authorization value for one request, with the current time and a fresh nonce.
    std::string authorization(std::string_view method, std::string_view target, std::string_view host,
                              std::string_view body) const {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        unsigned char random[16];
        if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("warden: the OpenSSL RNG failed");
        return authorization(method, target, host, body, now, crypto::to_hex(random, sizeof random));
    }
    /// The same with a given time and nonce (tests).
    std::string authorization(std::string_view method, std::string_view target, std::string_view host,
                              std::string_view body, std::int64_t ts, std::string_view nonce) const {
        const std::string t = std::to_string(ts);
        const auto mac = detail::hmac_sha256(key_.reveal(), hmac_string_to_sign(method, target, host, t, nonce, body));
        return "HMAC-SHA256 keyId=\"" + key_id_ + "\", ts=\"" + t + "\", nonce=\"" + std::string(nonce) +
               "\", signature=\"" + crypto::to_hex(mac.data(), mac.size()) + "\"";
    }

private:
    std::string key_id_;
    secret key_;
};

class hmac {
public:
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = false;
    /// A signature is bound to one request and refused when replayed: nothing reusable is sent.
    static constexpr bool sends_reusable_secret = false;
    static constexpr bool requires_client_certificate = false;
    static constexpr bool requires_replay_store = true;
    static constexpr bool keeps_shared_state = true; ///< the nonces: shared across instances (rule 6)
    static constexpr bool is_anonymous = false;
    static constexpr std::size_t min_key_bytes = 32;

    static std::vector<variable> variables(const auth_settings& s) {
        std::vector<variable> out;
        for (const auto& k : s.hmac.keys)
            out.push_back({k.credential, "HMAC key " + k.id + " of " + k.client, k.required, true});
        return out;
    }

    static result<hmac> configure(const credential_set& creds, const auth_settings& s,
                                  std::shared_ptr<replay_store> replay) {
        if (!replay) return failure(errc::invalid_argument, "auth::hmac needs a replay store");
        hmac h;
        h.state_ = std::make_shared<state>();
        h.state_->settings = s.hmac;
        h.state_->replay = std::move(replay);
        std::string names;
        for (const auto& k : s.hmac.keys) {
            names += (names.empty() ? "" : ", ") + k.credential;
            const secret* key = creds.find_secret(k.credential);
            if (!key || key->empty()) continue;
            if (key->size() < min_key_bytes)
                return failure(errc::invalid_credentials, k.credential + ": shorter than " + std::to_string(min_key_bytes) +
                                                              " bytes; generate one with: openssl rand -hex 32");
            if (k.id.empty() || k.id.size() > 64 || k.id.find('"') != std::string::npos || k.id.find('\\') != std::string::npos)
                return failure(errc::invalid_argument, "HMAC key id \"" + k.id + "\" must be 1-64 characters without quotes");
            if (!h.state_->keys.emplace(k.id, entry{key->clone(), k}).second)
                return failure(errc::invalid_argument, "HMAC key id \"" + k.id + "\" is configured twice");
        }
        if (h.state_->keys.empty())
            return failure(errc::missing_credentials, "no HMAC key is configured" + (names.empty() ? "" : ": set " + names));
        h.challenge_ = {"HMAC-SHA256", s.hmac.realm};
        return h;
    }

    static bool presents(const http_request_view& r) { return presents_authorization(r, "HMAC-SHA256"); }

    /// The replay store may be across the network (storage::redis).
    bool may_block() const { return state_ && state_->replay->may_block(); }

    gate_result authenticate(const http_request_view& r) const {
        auto read = authorization_credentials(r, "HMAC-SHA256", challenge_);
        if (auto* refused = std::get_if<challenge>(&read)) return std::move(*refused);
        auto params = parse_params(std::get<std::string_view>(read));
        if (!params) return challenge_.invalid("malformed signature parameters");
        auto& p = *params;
        auto key = state_->keys.find(p["keyId"]);
        if (key == state_->keys.end()) return challenge_.invalid("unknown key");
        std::int64_t ts = 0;
        if (std::uint64_t t = 0; !warden::detail::parse_decimal(p["ts"], t) || p["ts"].size() > 12) {
            return challenge_.invalid("malformed timestamp");
        } else {
            ts = static_cast<std::int64_t>(t);
        }
        const std::int64_t now = state_->settings.clock ? state_->settings.clock()
                                                        : std::chrono::duration_cast<std::chrono::seconds>(
                                                              std::chrono::system_clock::now().time_since_epoch())
                                                              .count();
        const auto window = state_->settings.window.count();
        if (ts < now - window || ts > now + window) return challenge_.invalid("stale or future timestamp");
        if (!detail::valid_nonce(p["nonce"])) return challenge_.invalid("malformed nonce");
        const auto& sig = p["signature"];
        if (sig.size() != 64) return challenge_.invalid("malformed signature");
        std::array<unsigned char, 32> presented{};
        for (std::size_t i = 0; i < 32; ++i) {
            const int hi = hex_value(sig[2 * i]), lo = hex_value(sig[2 * i + 1]);
            if (hi < 0 || lo < 0) return challenge_.invalid("malformed signature");
            presented[i] = static_cast<unsigned char>(hi << 4 | lo);
        }
        auto hosts = header_values(r, "Host");
        if (hosts.size() != 1) return challenge_.malformed("exactly one Host field is needed");
        const auto expected = detail::hmac_sha256(
            key->second.key.reveal(), hmac_string_to_sign(r.method, r.target, hosts.front(), p["ts"], p["nonce"], r.body));
        if (CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) != 0)
            return challenge_.invalid("signature does not match");
        // Only a correctly signed request reaches the replay store.
        auto fresh = state_->replay->remember("hmac:" + key->first + ":" + p["nonce"], nonce_lifetime(state_->settings.window));
        if (!fresh) return challenge{503, "", "temporarily_unavailable", "the replay store is unavailable"};
        if (!fresh.value()) return challenge_.invalid("replayed request");
        principal who;
        who.subject = key->second.grant.client;
        who.scheme = "hmac";
        who.reverifiable = false; // its nonce is spent: the request cannot be verified again
        who.scopes = key->second.grant.scopes;
        who.claims.emplace("key_id", key->first);
        return who;
    }

private:
    struct entry {
        secret key;
        hmac_key grant;
    };
    struct state {
        hmac_settings settings;
        std::map<std::string, entry, std::less<>> keys;
        std::shared_ptr<replay_store> replay;
    };

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1; // upper case is refused: one spelling per signature
    }

    /// keyId, ts, nonce and signature, each exactly once as name="value"; nothing else.
    static std::optional<std::map<std::string, std::string>> parse_params(std::string_view s) {
        std::map<std::string, std::string> out;
        while (!s.empty()) {
            const auto eq = s.find('=');
            if (eq == std::string_view::npos) return std::nullopt;
            const std::string name(s.substr(0, eq));
            if (name != "keyId" && name != "ts" && name != "nonce" && name != "signature") return std::nullopt;
            s.remove_prefix(eq + 1);
            if (s.empty() || s.front() != '"') return std::nullopt;
            const auto close = s.find('"', 1);
            if (close == std::string_view::npos) return std::nullopt;
            const std::string value(s.substr(1, close - 1));
            if (value.find('\\') != std::string::npos) return std::nullopt;
            if (!out.emplace(name, value).second) return std::nullopt; // repeated
            s.remove_prefix(close + 1);
            if (s.empty()) break;
            if (!s.starts_with(", ")) return std::nullopt;
            s.remove_prefix(2);
        }
        if (out.size() != 4) return std::nullopt;
        return out;
    }

    std::shared_ptr<state> state_;
    challenges challenge_{"HMAC-SHA256", "mcp"};
};

} // namespace warden::auth
