// warden/auth/mtls.hpp: client identity from a verified certificate (mutual TLS).
//
// The transport verifies the certificate (`streamable_http<mutual_tls>`, or
// `<behind_mtls_terminator>` for a trusted proxy's forwarded one; rule 3 refuses any other
// transport at compile time). This scheme only maps it to a principal, through an
// allowlist of subjectAltNames (settings::auth.mtls.identities):
//
//     {.san = "URI:spiffe://example.org/ns/prod/sa/reporter", .name = "reporter", .scopes = {...}}
//
// A URI name matches exactly; a DNS name matches case-insensitively; there are no
// wildcards, and the subject CN is never read. A certificate whose names match no entry, or
// match two different entries, is refused with 403; so is a forwarded certificate that
// failed verification; the response says only that, the log says why. The principal's `client` is the matching name and its claims carry
// `certificate_sha256`. No secret is involved: nothing to load, nothing to rotate here
// (rotate certificates at the CA; revoke with a CRL).
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/detail/ascii.hpp>
#include <warden/auth/http_credentials.hpp>
#include <warden/auth/scheme.hpp>
#include <warden/auth/settings.hpp>
#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::auth {

class mtls {
public:
    static constexpr bool requires_http = true;
    static constexpr bool requires_local_process = false;
    static constexpr bool sends_reusable_secret = false;
    static constexpr bool requires_client_certificate = true;
    static constexpr bool requires_replay_store = false;
    static constexpr bool keeps_shared_state = false;
    static constexpr bool is_anonymous = false;

    static result<mtls> configure(const credential_set&, const auth_settings& s) {
        mtls m;
        for (const auto& id : s.mtls.identities) {
            auto key = normalise(id.san);
            if (key.empty())
                return failure(errc::invalid_argument,
                               "mtls identity \"" + id.name + "\": san \"" + id.san +
                                   "\" must be \"URI:<uri>\" or \"DNS:<name>\" (printable, no spaces, no wildcards)");
            if (id.name.empty())
                return failure(errc::invalid_argument, "mtls identity for \"" + id.san + "\" has no name");
            if (m.by_name_.count(key))
                return failure(errc::invalid_argument, "mtls identity \"" + id.san + "\" is listed twice");
            m.by_name_.emplace(std::move(key), m.grants_.size());
            m.grants_.push_back({.name = id.name, .credentials = {}, .scopes = id.scopes, .tenants = id.tenants});
        }
        if (m.grants_.empty())
            return failure(errc::invalid_argument,
                           "auth::mtls has no identities: list the certificate names it accepts in "
                           "settings.auth.mtls.identities");
        return m;
    }

    /// The transport verified a certificate (or refused a forwarded one) for this request.
    static bool presents(const http_request_view& r) {
        return r.client_cert != nullptr || !r.client_cert_refusal.empty();
    }

    gate_result authenticate(const http_request_view& r) const {
        if (!r.client_cert_refusal.empty())
            return refuse("client certificate refused: " + std::string(r.client_cert_refusal));
        if (!r.client_cert) return refuse("no client certificate");
        std::optional<std::size_t> found;
        std::string matched;
        auto consider = [&](const std::string& key, const std::string& shown) {
            auto it = by_name_.find(key);
            if (it == by_name_.end()) return true;
            if (found && *found != it->second) return false;
            found = it->second;
            matched = shown;
            return true;
        };
        for (const auto& u : r.client_cert->uris)
            if (!consider("URI:" + u, u)) return refuse("client certificate names two identities");
        for (const auto& d : r.client_cert->dns_names)
            if (!consider("DNS:" + lower(d), d)) return refuse("client certificate names two identities");
        if (!found) return refuse("client certificate names no allowed identity (" + describe(*r.client_cert) + ")");
        principal p = principal_of(grants_[*found], "mtls");
        p.client = matched;
        p.claims.emplace("certificate_sha256", r.client_cert->sha256);
        return p;
    }

private:
    static std::string lower(std::string_view s) { return warden::detail::lower_ascii(s); }
    /// "URI:<value>" or "DNS:<lower-case value>"; empty when `san` is not usable.
    static std::string normalise(std::string_view san) {
        if (san.size() <= 4 || san[3] != ':') return {};
        const std::string kind = lower(san.substr(0, 3));
        const std::string_view value = san.substr(4);
        for (char c : value)
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '*') return {};
        if (kind == "uri") return "URI:" + std::string(value);
        if (kind == "dns") return "DNS:" + lower(value);
        return {};
    }
    static std::string describe(const client_certificate& c) {
        std::string out;
        for (const auto& u : c.uris) out += (out.empty() ? "URI:" : ", URI:") + u;
        for (const auto& d : c.dns_names) out += (out.empty() ? "DNS:" : ", DNS:") + d;
        return out.empty() ? std::string("no URI or DNS subjectAltName") : out;
    }
    /// 403: the caller reached us over a verified channel but is not someone we accept. The
    /// reason goes to the log; the response says only access_denied.
    static challenge refuse(std::string why) {
        return {403, "", "access_denied", "client certificate not accepted", std::move(why)};
    }

    std::map<std::string, std::size_t> by_name_;
    std::vector<key_grant> grants_;
};

} // namespace warden::auth
