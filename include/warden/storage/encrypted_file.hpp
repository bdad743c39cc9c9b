// warden/storage/encrypted_file.hpp: storage::file with every record sealed by AES-256-GCM.
//
// A file holds
//
//     "WRDNAEAD" | version (1 byte, 1) | key id (8 bytes) | nonce (12 bytes) | ciphertext | tag (16 bytes)
//
// and the additional data is those first 29 bytes followed by the slot (server name,
// namespace, key), so a file copied into another slot, or under another server, does not
// open. The nonce is fresh and random for every write. The key id is the first 8 bytes of
// SHA-256("warden-storage-key-id" || 0 || key): reads pick the key whose id the file names
// (the current key or the previous one, during a rotation); writes always use the current
// key. Every failure to open is the same error.
#pragma once

#include <warden/crypto/aead.hpp>
#include <warden/crypto/base64.hpp>
#include <warden/crypto/digest.hpp>
#include <warden/storage/file.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace warden::storage {

/// The record codec of storage::encrypted_file.
class aead_codec final : public record_codec {
public:
    static constexpr std::string_view magic = "WRDNAEAD";
    static constexpr char version = 1;
    static constexpr std::size_t key_id_size = 8;
    static constexpr std::size_t header_size = 8 + 1 + key_id_size + crypto::aes256_gcm_nonce_size;

    /// `current` seals; `previous` (may be empty) only opens. Keys are 32 bytes.
    static result<std::shared_ptr<const aead_codec>> make(std::string current, std::string previous = {}) {
        if (current.size() != crypto::aes256_gcm_key_size ||
            (!previous.empty() && previous.size() != crypto::aes256_gcm_key_size))
            return failure(errc::invalid_credentials, "a storage key must be 32 bytes");
        return std::shared_ptr<const aead_codec>(new aead_codec(std::move(current), std::move(previous)));
    }
    ~aead_codec() override {
        for (auto* k : {&current_, &previous_}) crypto::cleanse(k->data(), k->size());
    }

    static std::string key_id(std::string_view key) {
        std::string input = "warden-storage-key-id";
        input.push_back('\0');
        input.append(key);
        const auto d = crypto::sha256(input);
        crypto::cleanse(input.data(), input.size());
        return std::string(reinterpret_cast<const char*>(d.data()), key_id_size);
    }

    result<std::string> seal(std::string_view slot, std::string_view record) const override {
        std::string out;
        out.reserve(header_size + record.size() + crypto::aes256_gcm_tag_size);
        out.append(magic).push_back(version);
        out.append(current_id_);
        out.append(crypto::random_bytes(crypto::aes256_gcm_nonce_size));
        const std::string_view nonce = std::string_view(out).substr(header_size - crypto::aes256_gcm_nonce_size);
        auto sealed = crypto::aes256_gcm_seal(current_, nonce, additional_data(out, slot), record);
        if (!sealed) return sealed.error();
        out.append(sealed.value());
        return out;
    }

    result<std::string> open(std::string_view slot, std::string_view contents) const override {
        const auto generic = [] { return failure(errc::invalid_credentials, "the data cannot be decrypted"); };
        if (contents.size() < header_size + crypto::aes256_gcm_tag_size || !contents.starts_with(magic) ||
            contents[magic.size()] != version)
            return generic();
        const auto id = contents.substr(magic.size() + 1, key_id_size);
        const std::string* key = nullptr;
        if (crypto::equal_secrets(id, current_id_)) key = &current_;
        else if (!previous_.empty() && crypto::equal_secrets(id, previous_id_)) key = &previous_;
        if (!key) return generic();
        const auto header = contents.substr(0, header_size);
        const auto nonce = header.substr(header_size - crypto::aes256_gcm_nonce_size);
        return crypto::aes256_gcm_open(*key, nonce, additional_data(header, slot), contents.substr(header_size));
    }

private:
    aead_codec(std::string current, std::string previous)
        : current_(std::move(current)), previous_(std::move(previous)), current_id_(key_id(current_)),
          previous_id_(previous_.empty() ? std::string() : key_id(previous_)) {}

    static std::string additional_data(std::string_view header, std::string_view slot) {
        std::string aad(header.substr(0, header_size));
        aad.append(slot);
        return aad;
    }

    std::string current_;
    std::string previous_;
    std::string current_id_;
    std::string previous_id_;
};

namespace detail {
/// A 32-byte key from a credential holding it as base64; the error names the variable only.
inline result<std::string> storage_key(const credential_set& c, const std::string& name) {
    const secret* s = c.find_secret(name);
    if (!s) return std::string();
    auto bytes = crypto::base64_decode(s->reveal());
    if (!bytes || bytes.value().size() != crypto::aes256_gcm_key_size) {
        if (bytes) crypto::cleanse(bytes.value().data(), bytes.value().size());
        return failure(errc::invalid_credentials,
                       name + " must be 32 random bytes as base64 (openssl rand -base64 32)");
    }
    std::string key(reinterpret_cast<const char*>(bytes.value().data()), bytes.value().size());
    crypto::cleanse(bytes.value().data(), bytes.value().size());
    return key;
}
} // namespace detail

/// Storage policy: private files on this host, encrypted with a key from the credential
/// source. Durable; atomic on one host; not shared between hosts.
struct encrypted_file {
    static constexpr bool durable = true;
    static constexpr bool atomic_insert_with_expiry = true;
    static constexpr bool shared_across_instances = false;
    using store_type = file_store;

    static std::vector<variable> variables(const storage_settings& s) {
        return {
            {.name = s.key_variable,
             .description = "the key that encrypts stored tokens: 32 random bytes as base64 (openssl rand -base64 32)"},
            {.name = s.previous_key_variable,
             .description = "the storage key being replaced (during a rotation), base64",
             .required = false},
        };
    }

    static result<std::shared_ptr<store>> open(const open_context& c) {
        auto current = detail::storage_key(c.credentials, c.settings.key_variable);
        if (!current) return current.error();
        if (current.value().empty())
            return failure(errc::missing_credentials, c.settings.key_variable + " (the storage key) is not set");
        auto previous = detail::storage_key(c.credentials, c.settings.previous_key_variable);
        if (!previous) return previous.error();
        auto codec = aead_codec::make(std::move(current).value(), std::move(previous).value());
        if (!codec) return codec.error();
        auto dir = detail::file_directory(c);
        if (!dir) return dir.error();
        auto s = file_store::open({.directory = std::move(dir).value(), .server_name = std::string(c.server_name),
                                   .codec = std::move(codec).value(), .log = &c.log});
        if (!s) return s.error();
        return std::shared_ptr<store>(std::move(s).value());
    }
};

} // namespace warden::storage
