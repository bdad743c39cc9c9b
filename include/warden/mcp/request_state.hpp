// warden/mcp/request_state.hpp: sealed `requestState` for input-required results (MCP
// 2026-07-28, docs/design.md §8).
//
//     auto sealer = mcp::request_state_sealer::from_key(key_bytes).value();
//     std::string state = sealer.seal(binding, "round 2");          // into InputRequiredResult
//     auto inner = sealer.open(binding_of_the_retry, state_from_client); // the data, or an error
//
// `requestState` travels through the client, so it is attacker-controlled. A sealed state
// is base64url of `version (1 byte) | nonce (12) | AES-256-GCM(ciphertext | tag)`; the
// plaintext holds the expiry and the server's data; the additional data binds the caller
// (scheme, issuer, subject, tenant), the method and a digest of the request's parameters
// (without `_meta`, `inputResponses` and `requestState`, keys in sorted order). Opening a
// state that was changed, has expired, or was sealed for another caller, method or set of
// parameters fails with one generic error: the client learns nothing about which.
//
// A state is not single-use by itself; where an author needs that, a storage-backed check
// is one line in the handler: `if (auto r = mcp::use_once(store, ctx.request_state()); !r) ...`
// (an atomic insert-with-expiry of the state's digest; a second use fails).
#pragma once

#include <warden/auth/principal.hpp>
#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/detail/strict_json.hpp>
#include <warden/error.hpp>
#include <warden/storage/store.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace warden::mcp {

/// What a sealed state is bound to.
struct request_state_binding {
    std::string caller;         ///< `caller_binding(principal)`
    std::string method;         ///< "tools/call", "prompts/get", "resources/read"
    std::string params_digest;  ///< `params_digest(params)`
};

/// The caller as the state binds it: how it authenticated and who it is.
inline std::string caller_binding(const principal& p) {
    std::string out;
    for (const auto* part : {&p.scheme, &p.issuer, &p.subject, &p.tenant})
        out.append(std::to_string(part->size())).append(":").append(*part);
    return out;
}

namespace detail {
/// JSON with object members in sorted order, so that a retry's parameters digest the same
/// whatever order the client serialized them in.
inline void canonical(const boost::json::value& v, std::string& out) {
    if (v.is_object()) {
        const auto& o = v.as_object();
        std::vector<const boost::json::key_value_pair*> members;
        for (const auto& kv : o) members.push_back(&kv);
        std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
        out.push_back('{');
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i) out.push_back(',');
            out.append(boost::json::serialize(boost::json::value(members[i]->key())));
            out.push_back(':');
            canonical(members[i]->value(), out);
        }
        out.push_back('}');
    } else if (v.is_array()) {
        out.push_back('[');
        bool first = true;
        for (const auto& e : v.as_array()) {
            if (!first) out.push_back(',');
            first = false;
            canonical(e, out);
        }
        out.push_back(']');
    } else {
        out.append(boost::json::serialize(v));
    }
}
} // namespace detail

/// SHA-256 (hex) of the request's parameters without the members that change between an
/// input-required round and its retry.
inline std::string params_digest(const boost::json::object& params) {
    boost::json::object stable = params;
    stable.erase("_meta");
    stable.erase("inputResponses");
    stable.erase("requestState");
    std::string text;
    detail::canonical(stable, text);
    const auto d = crypto::sha256(text);
    return crypto::to_hex(d.data(), d.size());
}

class request_state_sealer {
public:
    using clock = std::chrono::system_clock;
    static constexpr unsigned char version = 1;
    /// The largest sealed state `open` accepts; `seal` callers check what they made.
    static constexpr std::size_t max_sealed_size = 64 * 1024;

    /// `key` is 32 bytes (from a credential source); states live `ttl`.
    static result<request_state_sealer> from_key(std::string key, std::chrono::seconds ttl = std::chrono::seconds(600)) {
        if (key.size() != crypto::aes256_gcm_key_size)
            return failure(errc::invalid_credentials, "the requestState key must be 32 bytes");
        if (ttl <= std::chrono::seconds::zero()) return failure(errc::invalid_argument, "the requestState lifetime must be positive");
        request_state_sealer s;
        s.key_ = std::move(key);
        s.ttl_ = ttl;
        return s;
    }
    request_state_sealer(const request_state_sealer&) = default;
    request_state_sealer& operator=(const request_state_sealer&) = default;
    ~request_state_sealer() { crypto::cleanse(key_.data(), key_.size()); }

    /// Seals `data` for `b`, valid until now + ttl.
    std::string seal(const request_state_binding& b, std::string_view data, clock::time_point now = clock::now()) const {
        const auto exp = std::chrono::duration_cast<std::chrono::seconds>((now + ttl_).time_since_epoch()).count();
        std::string plain = boost::json::serialize(boost::json::object{{"exp", exp}, {"data", data}});
        std::string out(1, static_cast<char>(version));
        out.append(crypto::random_bytes(crypto::aes256_gcm_nonce_size));
        auto sealed = crypto::aes256_gcm_seal(key_, std::string_view(out).substr(1), aad(b), plain);
        crypto::cleanse(plain.data(), plain.size());
        out.append(sealed.value()); // only fails for a bad key size, excluded by from_key
        return crypto::base64url_encode(out);
    }

    /// The data sealed for `b`; one generic error for anything else.
    result<std::string> open(const request_state_binding& b, std::string_view sealed, clock::time_point now = clock::now()) const {
        const auto refused = [] { return failure(errc::invalid_params, "requestState is not valid for this request"); };
        if (sealed.size() > max_sealed_size) return refused();
        auto raw = crypto::base64url_decode(sealed);
        if (!raw || raw.value().size() < 1 + crypto::aes256_gcm_nonce_size + crypto::aes256_gcm_tag_size ||
            static_cast<unsigned char>(raw.value()[0]) != version)
            return refused();
        const std::string_view bytes = raw.value();
        auto plain = crypto::aes256_gcm_open(key_, bytes.substr(1, crypto::aes256_gcm_nonce_size), aad(b),
                                             bytes.substr(1 + crypto::aes256_gcm_nonce_size));
        if (!plain) return refused();
        auto doc = warden::detail::parse_strict_json(plain.value());
        crypto::cleanse(plain.value().data(), plain.value().size());
        if (!doc || !doc.value().is_object()) return refused();
        const auto& o = doc.value().as_object();
        const auto* exp = o.if_contains("exp");
        const auto* data = o.if_contains("data");
        if (!exp || !exp->is_int64() || !data || !data->is_string()) return refused();
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
        if (exp->as_int64() <= now_s) return refused();
        return std::string(data->as_string());
    }

private:
    request_state_sealer() = default;
    static std::string aad(const request_state_binding& b) {
        std::string a = "warden-request-state-v1";
        for (const auto* part : {&b.caller, &b.method, &b.params_digest})
            a.append(1, '\0').append(std::to_string(part->size())).append(":").append(*part);
        return a;
    }
    std::string key_;
    std::chrono::seconds ttl_{600};
};

/// Lets a requestState be used once: records the digest of `state` in `store` (atomic
/// insert-with-expiry, for `ttl`, as long as a state can live) and fails when it was used
/// before. An empty state (a first round) always passes.
inline result<void> use_once(storage::store& store, std::string_view state,
                             std::chrono::seconds ttl = std::chrono::seconds(600)) {
    if (state.empty()) return success();
    const auto d = crypto::sha256(state);
    auto fresh = store.insert_if_absent("request-state-used", crypto::to_hex(d.data(), d.size()), "1",
                                        std::chrono::duration_cast<storage::store::ttl_type>(ttl));
    if (!fresh) return fresh.error();
    if (!fresh.value()) return failure(errc::invalid_params, "requestState was used before");
    return success();
}

} // namespace warden::mcp
