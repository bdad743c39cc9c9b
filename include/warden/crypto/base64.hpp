// warden/crypto/base64.hpp: standard base64 (RFC 4648 §4) for MCP binary content, and
// base64url without padding (§5, as JOSE uses it: RFC 7515 §2).
//
// Encoding uses OpenSSL. Decoding is strict: canonical padding (base64) or none
// (base64url), no whitespace, no characters outside the alphabet, and unused trailing
// bits must be zero, so every byte string has exactly one accepted encoding.
#pragma once

#include <warden/error.hpp>

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden::crypto {

namespace detail {
/// The value of one base64 digit, with `c62` and `c63` as the alphabet's last two; -1 if none.
inline int sextet(char c, char c62, char c63) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == c62) return 62;
    if (c == c63) return 63;
    return -1;
}
} // namespace detail

/// Base64 of `bytes`, padded.
inline std::string base64_encode(std::span<const unsigned char> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    if (bytes.empty()) return out;
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

inline std::string base64_encode(std::string_view bytes) {
    return base64_encode(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

/// Decodes padded base64, refusing anything that is not its canonical form.
inline result<std::vector<unsigned char>> base64_decode(std::string_view text) {
    auto value_of = [](char c) { return detail::sextet(c, '+', '/'); };
    if (text.size() % 4 != 0) return failure(errc::invalid_argument, "base64: length is not a multiple of 4");
    std::vector<unsigned char> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int pad = 0;
        if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        std::uint32_t acc = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            int v = 0;
            if (j >= 4 - static_cast<std::size_t>(pad)) {
                if (text[i + j] != '=') return failure(errc::invalid_argument, "base64: bad padding");
            } else {
                v = value_of(text[i + j]);
                if (v < 0) return failure(errc::invalid_argument, "base64: character outside the alphabet");
            }
            acc = (acc << 6) | static_cast<std::uint32_t>(v);
        }
        if ((pad == 1 && (acc & 0xff) != 0) || (pad == 2 && (acc & 0xffff) != 0))
            return failure(errc::invalid_argument, "base64: non-zero trailing bits");
        out.push_back(static_cast<unsigned char>(acc >> 16));
        if (pad < 2) out.push_back(static_cast<unsigned char>(acc >> 8));
        if (pad < 1) out.push_back(static_cast<unsigned char>(acc));
    }
    return out;
}

/// Base64url of `bytes`, without padding.
inline std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return out;
}

/// Decodes unpadded base64url (JOSE): only A-Z a-z 0-9 - _, no '=', a length that is not
/// 1 mod 4, and zero unused bits. Returns the bytes as a string.
inline result<std::string> base64url_decode(std::string_view text) {
    auto value_of = [](char c) { return detail::sextet(c, '-', '_'); };
    if (text.size() % 4 == 1) return failure(errc::invalid_argument, "base64url: impossible length");
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const int v = value_of(c);
        if (v < 0) return failure(errc::invalid_argument, "base64url: character outside the alphabet");
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) return failure(errc::invalid_argument, "base64url: non-zero trailing bits");
    return out;
}

} // namespace warden::crypto
