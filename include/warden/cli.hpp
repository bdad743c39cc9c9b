// warden/cli.hpp: the command line every example server shares (DESIGN §1).
//
//     --stdio               serve MCP on stdin/stdout (the default)
//     --log-level LEVEL     debug, info, notice, warning, error, critical, alert, emergency
//     --help                usage, including the environment variables the server reads
//
// Everything else (tokens, issuers, URLs) comes from environment variables.
#pragma once

#include <warden/credentials/credential_set.hpp>
#include <warden/error.hpp>
#include <warden/log.hpp>

#include <span>
#include <string>
#include <string_view>

namespace warden {

struct command_line {
    bool stdio = true;
    bool help = false;
    log_level level = log_level::info;
};

/// Parses the shared options; an unknown option or a bad value is an error that says which.
inline result<command_line> parse_command_line(int argc, const char* const* argv) {
    command_line cl;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--stdio") {
            cl.stdio = true;
        } else if (a == "--help" || a == "-h") {
            cl.help = true;
        } else if (a == "--log-level" || a.starts_with("--log-level=")) {
            std::string_view v{};
            if (a == "--log-level") {
                if (i + 1 >= argc) return failure(errc::invalid_argument, "--log-level needs a value");
                v = argv[++i];
            } else {
                v = a.substr(std::string_view("--log-level=").size());
            }
            auto l = parse_log_level(v);
            if (!l) return failure(errc::invalid_argument, "--log-level: unknown level \"" + std::string(v) + "\"");
            cl.level = *l;
        } else {
            return failure(errc::invalid_argument, "unknown option \"" + std::string(a) + "\"");
        }
    }
    return cl;
}

/// The --help text: usage, options, and the environment variables `vars`.
inline std::string usage(std::string_view program, std::string_view summary, std::span<const variable> vars) {
    std::string out{};
    out += "usage: " + std::string(program) + " [--stdio] [--log-level LEVEL] [--help]\n\n";
    out += std::string(summary) + "\n\n";
    out += "options:\n"
           "  --stdio             serve MCP over stdin/stdout (default)\n"
           "  --log-level LEVEL   debug, info, notice, warning, error, critical, alert, emergency (default info)\n"
           "  --help              show this text\n";
    if (!vars.empty()) {
        out += "\nenvironment:\n";
        for (const auto& v : vars)
            out += "  " + v.name + (v.required ? "" : " (optional)") + (v.description.empty() ? "" : "  " + v.description) +
                   "\n";
    }
    return out;
}

} // namespace warden
