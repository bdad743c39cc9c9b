// Test support: a warden HTTP server running in this process, and a raw HTTP client.
#pragma once

#include <warden/server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace test {

/// Runs `server.run()` on a thread; stops it and joins on destruction.
template <class Server>
class running {
public:
    explicit running(Server& s) : server_(s), thread_([this] { status_ = server_.run(); }) {
        for (int i = 0; i < 500 && server_.port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (server_.port() == 0) throw std::runtime_error("server did not start");
    }
    ~running() { stop(); }
    int stop() {
        if (thread_.joinable()) {
            server_.stop();
            thread_.join();
        }
        return status_;
    }
    std::uint16_t port() const { return server_.port(); }

private:
    Server& server_;
    int status_ = -1;
    std::thread thread_;
};

namespace http = boost::beast::http;

struct reply {
    unsigned status = 0;
    http::response<http::string_body> message;
    bool closed_after = false; ///< the server closed the connection after answering
};

/// Sends `raw` bytes on a fresh connection and reads one response. `from`: the loopback
/// address to connect from (127.0.0.2 is another client to the server).
inline reply exchange(std::uint16_t port, const std::string& raw,
                      std::chrono::milliseconds pause_after_write = std::chrono::milliseconds(0),
                      const char* from = nullptr) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    if (from) {
        socket.open(boost::asio::ip::tcp::v4());
        socket.bind({boost::asio::ip::make_address(from), 0});
    }
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::system::error_code wec;
    boost::asio::write(socket, boost::asio::buffer(raw), wec); // the server may refuse before reading it all
    if (pause_after_write.count()) std::this_thread::sleep_for(pause_after_write);
    boost::beast::flat_buffer buffer;
    reply r;
    boost::system::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec) return r;
    r.message = parser.release();
    r.status = r.message.result_int();
    char byte;
    boost::system::error_code rec;
    if (!r.message.keep_alive()) {
        r.closed_after = true;
    } else {
        socket.non_blocking(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        socket.read_some(boost::asio::buffer(&byte, 1), rec);
        r.closed_after = rec == boost::asio::error::eof;
    }
    return r;
}

/// Sends `raw` on a fresh connection, reads until `needle` has arrived followed by the
/// blank line that ends its SSE event (or `limit` passes), then drops the connection.
inline std::string read_until(std::uint16_t port, const std::string& raw, std::string_view needle,
                              std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(socket, boost::asio::buffer(raw));
    socket.non_blocking(true);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string seen;
    char buf[4096];
    for (;;) {
        const auto at = seen.find(needle);
        if (at != std::string::npos && seen.find("\n\n", at) != std::string::npos) break;
        if (std::chrono::steady_clock::now() > deadline) break;
        boost::system::error_code ec;
        const auto n = socket.read_some(boost::asio::buffer(buf), ec);
        if (ec == boost::asio::error::would_block) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (ec) break;
        seen.append(buf, n);
    }
    return seen;
}

inline std::string post(std::string_view body, std::string_view extra_headers = {},
                        std::string_view accept = "application/json, text/event-stream") {
    std::string r = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: application/json\r\nAccept: ";
    r.append(accept).append("\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n");
    r.append(extra_headers).append("\r\n").append(body);
    return r;
}

/// Replaces "PORT" in `raw` with the port.
inline std::string with_port(std::string raw, std::uint16_t port) {
    for (auto p = raw.find("PORT"); p != std::string::npos; p = raw.find("PORT"))
        raw.replace(p, 4, std::to_string(port));
    return raw;
}

} // namespace test
