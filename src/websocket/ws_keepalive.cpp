#include <string>
#include <vector>

#include "ws_connection.hpp"
#include "ws_poller.hpp"

// Keep-alive pings and the idle timeout (ws_settings_t::idle_timeout, send_pings). Timers are not
// objects per connection: a connection stamps its reads with the poller's coarse clock
// (last_rx_ms_, 4 bytes), and one timer per reactor looks at every live connection now and then
// (idle_policy_t::check_period()), as the HTTP side's reactor tick does. The decisions are the
// pure idle_policy_t::check().

namespace restws::websocket::basic::detail {

void ws_poller_t::want_idle_checks(std::chrono::milliseconds period) {
  if (idle_timer_armed_ && period >= idle_period_) return;
  if (idle_period_.count() == 0 || period < idle_period_) idle_period_ = period;
  arm_idle_timer();  // re-armed sooner if it was armed for a longer period
}

void ws_poller_t::arm_idle_timer() {
  if (!idle_timer_) idle_timer_.emplace(io_);
  idle_timer_armed_ = true;
  idle_timer_->expires_after(idle_period_);
  idle_timer_->async_wait([this](const std::error_code& ec) {
    if (ec) return;  // cancelled: re-armed, the last connection gone, or shutting down
    idle_timer_armed_ = false;
    check_idle();
  });
}

void ws_poller_t::check_idle() {
  refresh_clock();
  // Looking changes nothing, so the list can be walked as it is; acting (a ping's write, a close
  // that tells a handler, which may close other connections) comes after, on counted references.
  struct due_t {
    connection_ref_t connection;
    idle_decision_t decision;
  };
  std::vector<due_t> due;  // most often empty: no allocation
  bool wanted = false;
  for (poll_entry_t* e = live_; e; e = e->next) {
    auto* c = static_cast<ws_connection_t*>(e);
    if (!c->idle_policy().enabled()) continue;
    wanted = true;
    const idle_decision_t d = c->idle_decision(now_ms_);
    if (d != idle_decision_t{}) due.push_back({connection_ref_t{c}, d});
  }
  for (const due_t& d : due) d.connection->on_idle_decision(d.decision);
  if (wanted && live_) arm_idle_timer();
}

void ws_connection_t::on_idle_decision(idle_decision_t decision) {
  if (socket_closed_ || send_closed_.load(std::memory_order_relaxed)) return;
  ping_sent_ = decision.ping_sent;
  switch (decision.action) {
    case idle_action_t::none:
      return;
    case idle_action_t::ping:
      queue_frame(protocol::final_frame_flag_t::final_frame, protocol::opcode_t::ping_frame,
                  recycled_payload(keepalive_payload), {});
      rest();
      return;
    case idle_action_t::close:
      config_->logger->info([&] {
        return "ws [" + std::to_string(connection_id_) + "]: nothing from " +
               remote_endpoint_.address().to_string() + " for " +
               std::to_string(config_->idle.timeout_ms) +
               " ms (ws_settings_t::idle_timeout), closing with 1001";
      });
      // As a failure: input is ignored from now on, TCP is half-closed once the close frame is
      // out, and a peer that does not answer is dropped after close_timeout.
      fail_connection(protocol::status_code_t::going_away, "idle timeout");
      rest();
      return;
  }
}

}  // namespace restws::websocket::basic::detail
