// Helpers for the auth scheme tests: requests made of header lines, credentials from literals.
#pragma once

#include <warden/auth/gate.hpp>
#include <warden/credentials/credential_set.hpp>

#include <boost/beast/http/fields.hpp>

#include <string>
#include <utility>
#include <vector>

namespace test {

/// A request to /mcp with the given header fields (repeats allowed).
struct request {
    boost::beast::http::fields fields;
    std::string target = "/mcp";
    request(std::initializer_list<std::pair<std::string, std::string>> headers, std::string t = "/mcp")
        : target(std::move(t)) {
        for (const auto& [k, v] : headers) fields.insert(k, v);
    }
    warden::http_request_view view() const { return {"POST", target, &fields, "127.0.0.1", false}; }
};

inline warden::credential_set credentials(std::initializer_list<std::pair<std::string, std::string>> values) {
    warden::credential_set set;
    for (const auto& [k, v] : values) set.insert({k, "", true, true}, std::string(v));
    return set;
}

inline const warden::challenge* refused(const warden::gate_result& g) { return std::get_if<warden::challenge>(&g); }
inline const warden::principal* admitted(const warden::gate_result& g) { return std::get_if<warden::principal>(&g); }

} // namespace test
