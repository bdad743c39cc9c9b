// warden/detail/strict_json.hpp: JSON for security decisions (JOSE headers, JWT claims,
// JWKS, introspection answers).
//
// Boost.JSON keeps the last of duplicate members and reads 1e400 as infinity; a verifier
// must not (two parsers reading one token differently is how claims get smuggled). This
// parse refuses: duplicate member names (compared after unescaping), non-finite numbers,
// nesting deeper than `max_depth`, text over `max_bytes`, and invalid UTF-8 (Boost.JSON's
// own check). Comments and trailing commas are refused as always.
#pragma once

#include <warden/config.hpp>
#include <warden/error.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace warden::detail {

struct strict_json_limits {
    std::size_t max_bytes = 64 * 1024;
    unsigned max_depth = 16;
};

/// Parses `text` as one JSON value under the rules above; the error says what is wrong
/// (never quoting more than a short member name).
result<boost::json::value> parse_strict_json(std::string_view text, strict_json_limits limits = {});

} // namespace warden::detail

// Compiled in every unit (header-only) or once, in <warden/src.hpp> (warden/config.hpp).
#if WARDEN_HEADER_ONLY
#include <warden/detail/impl/strict_json.hpp>
#endif
