// warden/detail/impl/strict_json.hpp: the strict JSON parse (a Boost.JSON basic_parser with a
// handler that checks and builds nothing, then Boost.JSON's own parse).
// Included by warden/detail/strict_json.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/detail/strict_json.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace warden::detail {

namespace strict {
/// A basic_parser handler that builds nothing: it only checks what Boost.JSON lets through.
struct checker {
    static constexpr std::size_t max_object_size = 4096;
    static constexpr std::size_t max_array_size = 65536;
    static constexpr std::size_t max_key_size = 4096;
    static constexpr std::size_t max_string_size = 1 << 20;

    std::vector<std::set<std::string>> keys{}; ///< member names seen, per open object
    std::string key{};
    std::string problem{};

    bool fail(boost::system::error_code& ec, std::string why) {
        problem = std::move(why);
        ec = std::make_error_code(std::errc::invalid_argument);
        return false;
    }
    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) {
        keys.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code&) {
        keys.pop_back();
        return true;
    }
    bool on_array_begin(boost::system::error_code&) { return true; }
    bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
    bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
        key.append(s.data(), s.size());
        const bool fresh = keys.back().insert(key).second;
        std::string name = std::move(key);
        key.clear();
        if (!fresh) return fail(ec, "duplicate member \"" + name.substr(0, 64) + "\"");
        return true;
    }
    bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
    bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_double(double d, boost::json::string_view, boost::system::error_code& ec) {
        if (!std::isfinite(d)) return fail(ec, "a number out of range");
        return true;
    }
    bool on_bool(bool, boost::system::error_code&) { return true; }
    bool on_null(boost::system::error_code&) { return true; }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};
} // namespace strict

/// Parses `text` as one JSON value under the rules above; the error says what is wrong
/// (never quoting more than a short member name).
WARDEN_DECL result<boost::json::value> parse_strict_json(std::string_view text, strict_json_limits limits) {
    if (text.size() > limits.max_bytes) return failure(errc::parse_error, "JSON text too large");
    boost::json::parse_options opts;
    opts.max_depth = limits.max_depth;
    boost::json::basic_parser<strict::checker> checker(opts);
    boost::system::error_code ec;
    const auto n = checker.write_some(false, text.data(), text.size(), ec);
    if (!ec && n != text.size()) ec = boost::json::error::extra_data;
    if (ec) {
        const auto& problem = checker.handler().problem;
        return failure(errc::parse_error, problem.empty() ? "malformed JSON: " + ec.message() : problem);
    }
    boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, opts);
    if (ec) return failure(errc::parse_error, "malformed JSON: " + ec.message());
    return v;
}

} // namespace warden::detail
