// warden/detail/loopback.hpp: whether a host name or address stays on this machine.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>

namespace warden::detail {

/// "localhost", 127.0.0.0/8 or ::1 (an IPv4-mapped loopback address too).
inline bool loopback_host(std::string_view host) {
    if (host == "localhost") return true;
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && a.is_loopback();
}

} // namespace warden::detail
