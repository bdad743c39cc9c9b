// Test support: a logger whose lines the test can read.
#pragma once

#include <warden/log.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace warden_test {

struct captured_log {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* sink = ::open_memstream(&buffer, &size);
    warden::logger log{warden::log_level::debug, sink};
    captured_log() = default;
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;
    ~captured_log() {
        std::fclose(sink);
        std::free(buffer);
    }
    std::string text() {
        std::fflush(sink);
        return std::string(buffer, size);
    }
};

} // namespace warden_test
