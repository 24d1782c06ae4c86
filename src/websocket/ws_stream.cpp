#include <utility>

#include "restws/websocket/stream.hpp"
#include "ws_connection.hpp"

// ws_stream_t's machinery (restws/websocket/stream.hpp): the inbox between the connection's
// handler and read(), the send that waits for the queue to drain.

namespace restws::websocket::basic {

ws_stream_handle_t ws_stream_t::make(std::size_t max_inbox, std::size_t max_backpressure) {
  return ws_stream_handle_t{new ws_stream_t{max_inbox, max_backpressure}};
}

message_handler_t ws_stream_t::handler() {
  // Weak: the stream owns the connection's handle, the connection its handler.
  return [w = weak_from_this()](ws_handle_t, message_handle_t m) {
    if (auto self = w.lock()) self->on_message(std::move(m));
  };
}

void ws_stream_t::attach(ws_handle_t ws) {
  ws_ = std::move(ws);
  executor_ = static_cast<detail::ws_connection_t&>(*ws_).io().get_executor();
  ws_->set_drain_handler([w = weak_from_this()](ws_handle_t) {
    if (auto self = w.lock()) self->on_drain();
  });
}

void ws_stream_t::on_message(message_handle_t m) {
  std::unique_ptr<read_op_t> reader;
  std::unique_ptr<send_op_t> sender;  // waiting for a drain that will not come
  {
    std::lock_guard lock{mutex_};
    if (m->opcode() == opcode_t::connection_close_frame) {
      closed_ = true;
      sender = std::move(sending_);
    }
    if (reading_ && inbox_.empty()) {
      reader = std::move(reading_);
    } else {
      inbox_bytes_ += m->payload().size();
      inbox_.push_back(std::move(m));
      if (inbox_bytes_ >= max_inbox_ && !paused_ && !closed_ && ws_) {
        paused_ = true;
        ws_->pause_reading();  // from the handler: no further frame until resumed
      }
    }
  }
  if (sender) sender->complete(asio::error::eof);
  if (reader) reader->complete({}, std::move(m), true);
}

void ws_stream_t::start_read(std::unique_ptr<read_op_t> op) {
  message_handle_t m;
  bool resume = false;
  {
    std::lock_guard lock{mutex_};
    if (reading_) {
      op->complete(asio::error::in_progress, nullptr);  // one read at a time
      return;
    }
    if (inbox_.empty()) {
      if (closed_ || !ws_) {
        op->complete(asio::error::eof, nullptr);  // the close was read already
        return;
      }
      reading_ = std::move(op);
      return;
    }
    m = std::move(inbox_.front());
    inbox_.pop_front();
    inbox_bytes_ -= m->payload().size();
    if (paused_ && inbox_bytes_ <= max_inbox_ / 2) {
      paused_ = false;
      resume = true;
    }
  }
  if (resume) ws_->resume_reading();
  op->complete({}, std::move(m));
}

void ws_stream_t::start_send(message_t message, std::unique_ptr<send_op_t> op) {
  {
    std::lock_guard lock{mutex_};
    if (sending_) {
      op->complete(asio::error::in_progress);
      return;
    }
    if (ws_ && ws_->buffered_amount() > max_backpressure_) {
      // Over the cap: the frame waits here, not in the connection's queue, until it drains.
      sending_ = std::move(op);
      waiting_ = std::move(message);
      return;
    }
  }
  const bool queued = ws_ && ws_->try_send_message(message) != send_status_t::closed;
  op->complete(queued ? std::error_code{} : std::error_code{asio::error::eof});
}

void ws_stream_t::on_drain() {
  std::unique_ptr<send_op_t> op;
  message_t message;
  {
    std::lock_guard lock{mutex_};
    if (!sending_) return;
    op = std::move(sending_);
    message = std::move(waiting_);
  }
  const bool queued = ws_->try_send_message(message) != send_status_t::closed;
  op->complete(queued ? std::error_code{} : std::error_code{asio::error::eof});
}

void async_connect_stream_start(asio::io_context& io, std::string url, client_settings_t settings,
                                std::size_t max_inbox,
                                std::function<void(std::error_code, ws_stream_handle_t)> done) {
  settings.ws.deliver_whole_messages = true;
  auto stream = ws_stream_t::make(max_inbox, settings.ws.max_backpressure);
  auto handler = stream->handler();
  async_connect(
      io, url, std::move(handler),
      [stream, done = std::move(done)](const std::error_code& ec, ws_handle_t ws) {
        if (ec) return done(ec, nullptr);
        stream->attach(std::move(ws));
        done({}, stream);
      },
      std::move(settings));
}

}  // namespace restws::websocket::basic
