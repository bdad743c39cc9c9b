// warden/detail/impl/server_core.hpp: making a server's core (the registry is created here,
// so that what a transport includes never needs its definition).
// Included by warden/detail/server_core.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/detail/server_core.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::detail {

WARDEN_DECL server_core::server_core(server_info info, settings s)
    : settings_(std::move(s)), info_(std::make_shared<const server_info>(std::move(info))),
      registry_(std::make_shared<mcp::registry>()), dispatcher_(registry_.get()),
      log_(std::make_shared<logger>(settings_.log_threshold)) {}

} // namespace warden::detail
