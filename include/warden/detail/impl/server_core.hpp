// warden/detail/impl/server_core.hpp: making a server's core (the registry is created here,
// so that what a transport includes never needs its definition), and its sessions.
// Included by warden/detail/server_core.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/detail/server_core.hpp>

#include <warden/mcp/registry.hpp>

namespace warden::detail {

WARDEN_DECL server_core::server_core(server_info info, settings s)
    : settings_(std::move(s)), info_(std::make_shared<const server_info>(std::move(info))),
      registry_(std::make_shared<mcp::registry>()), dispatcher_(registry_.get()),
      log_(std::make_shared<logger>(settings_.log_threshold)) {}

WARDEN_DECL std::shared_ptr<mcp::session> server_core::open_session(principal caller, std::shared_ptr<mcp::outbound> out,
                                                                    bool tracked) {
    auto s = std::make_shared<mcp::session>(registry_, info_, settings_.session, std::move(caller), handler_credentials_snapshot(),
                                            workers().get_executor(), std::move(out), log_);
    s->set_state_sealer(state_sealer());
    s->set_audit(audit_);
    s->set_tasks(tasks_);
    if (!tracked) return s;
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    sessions_.push_back(s);
    return s;
}

WARDEN_DECL std::shared_ptr<mcp::session> server_core::direct_session() {
    // Nothing is sent through it: what its requests produce goes to their direct_reply.
    struct nowhere final : mcp::outbound {
        void send(std::string, const boost::json::value*, bool) override {}
    };
    auto& pool = workers();
    std::lock_guard lock(mutex_);
    if (!direct_) {
        direct_ = std::make_shared<mcp::session>(registry_, info_, settings_.session, principal{}, handler_credentials_,
                                                 pool.get_executor(), std::make_shared<nowhere>(), log_);
        direct_->set_state_sealer(sealer_);
        direct_->set_audit(audit_);
        direct_->set_tasks(tasks_);
    }
    return direct_;
}

} // namespace warden::detail
