#include <exception>
#include <string>
#include <utility>

#include <asio/post.hpp>

#include "ws_connection.hpp"

// Backpressure, the connection's side: what happens when its queue goes over max_backpressure
// and when it drains (the policy itself is flow_control.hpp). The queue's size, buffered_, is
// counted where frames are queued and written (add_buffered() / sub_buffered(), inline).

namespace restws::websocket::basic::detail {

void ws_connection_t::on_over_limit() noexcept {
  over_limit_ = true;
  // Throttle: no more frames are parsed (process() stops at the next one) nor read until the
  // queue drains; the peer's own sends then back up in TCP.
  if (config_->flow.throttles()) read_paused_ = true;
}

void ws_connection_t::on_drained() {
  over_limit_ = false;
  if (read_paused_ && !reading_held_) {
    read_paused_ = false;
    start_read();  // posted: what process() left in `pending` first, then the socket
  }
  if ((extras_ && extras_->drain) || config_->on_drain)
    asio::post(io(), [self = connection_ref_t{this}] { self->run_drain_handler(); });
}

void ws_connection_t::run_drain_handler() {
  if (socket_closed_) return;
  // Looked up now (it may have been replaced since the queue drained), and copied: the handler
  // may replace itself.
  const drain_handler_t handler = extras_ && extras_->drain ? extras_->drain : config_->on_drain;
  if (!handler) return;
  auto owner = lock_owner();
  if (!owner) return;  // every handle is gone: the connection is closing
  try {
    handler(std::move(owner));
  } catch (const std::exception& ex) {
    config_->logger->error([&] {
      return "ws [" + std::to_string(connection_id_) + "]: drain handler threw: " + ex.what();
    });
  } catch (...) {
    config_->logger->error(
        [&] { return "ws [" + std::to_string(connection_id_) + "]: drain handler threw"; });
  }
}

send_status_t ws_connection_t::refuse_send(send_decision_t decision, write_status_cb_t cb) {
  if (cb) {
    // As every write callback: on the connection's thread, never inside send_message().
    asio::post(io(), [self = connection_ref_t{this}, cb = std::move(cb)] {
      try {
        cb(send_error_t::backpressure_limit);
      } catch (...) {
      }
    });
  }
  if (decision == send_decision_t::drop) return send_status_t::dropped;
  run_on_io_thread([this] { fail_on_backpressure(); });
  return send_status_t::closed;
}

void ws_connection_t::fail_on_backpressure() {
  if (socket_closed_ || send_closed_.load(std::memory_order_relaxed)) return;
  config_->logger->warn([&] {
    return "ws [" + std::to_string(connection_id_) +
           "]: " + remote_endpoint_.address().to_string() +
           " does not read: " + std::to_string(buffered_amount()) +
           " bytes queued, over max_backpressure (" + std::to_string(config_->flow.high) +
           "), closing with 1008";
  });
  fail_connection(protocol::status_code_t::policy_violation, "backpressure limit");
  rest();
}

void ws_connection_t::pause_reading_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  // Inline on our thread (a handler pausing stops the parse at the next frame), else posted.
  run_on_io_thread([this] {
    if (socket_closed_) return;
    reading_held_ = true;
    read_paused_ = true;
  });
}

void ws_connection_t::resume_reading_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this] {
    if (socket_closed_ || !reading_held_) return;
    reading_held_ = false;
    if (over_limit_ && config_->flow.throttles()) return;  // on_drained() resumes
    read_paused_ = false;
    start_read();  // posted: what process() left in `pending` first, then the socket
  });
}

void ws_connection_t::set_drain_handler_from_any_thread(drain_handler_t handler) {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this, handler = std::move(handler)]() mutable {
    if (socket_closed_ || (!handler && !extras_)) return;
    extras().drain = std::move(handler);
  });
}

}  // namespace restws::websocket::basic::detail
