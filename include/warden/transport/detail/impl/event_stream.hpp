// warden/transport/detail/impl/event_stream.hpp: waiting for a stream's next event.
// Included by warden/transport/detail/http_session.hpp, or compiled once by <warden/src.hpp>.
#pragma once

#include <warden/transport/detail/http_session.hpp>

namespace warden::transport::detail {

WARDEN_DECL boost::asio::awaitable<event_stream::status>
event_stream::next(event& out, std::chrono::steady_clock::duration idle, std::uint64_t generation) {
    for (;;) {
        std::shared_ptr<boost::asio::steady_timer> timer;
        status got = status::heartbeat;
        {
            std::lock_guard lock(mutex_);
            if (generation != generation_) {
                got = status::taken;
            } else if (cursor_ <= last_seq_) {
                auto& e = log_[cursor_ - log_.front().seq];
                if (number_ == 0) { // nothing to replay: hand the event over
                    out = std::move(e);
                    log_.pop_front();
                } else {
                    out = e;
                }
                ++cursor_;
                trim();
                got = status::event;
            } else if (closed_) {
                got = status::end;
            } else {
                if (!timer_) timer_ = std::make_shared<boost::asio::steady_timer>(executor_);
                timer = timer_;
                waiting_ = true;
            }
        }
        if (!timer) co_return got;
        timer->expires_after(idle);
        auto [ec] = co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        {
            std::lock_guard lock(mutex_);
            if (generation == generation_) waiting_ = false;
        }
        if (!ec) co_return status::heartbeat;
    }
}

} // namespace warden::transport::detail
