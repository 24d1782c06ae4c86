#pragma once
// ws_t: the user's side of an upgraded WebSocket connection (RESTinio's ws_t, made thread-safe).
//
// A ws_t is created by upgrade() and only ever reached through ws_handle_t (std::shared_ptr). The
// connection lives as long as some handle does: when the last handle goes, the WebSocket is shut
// down gracefully, as by shutdown(). The message handler receives a handle too, so code inside it
// may keep or drop the connection as it likes. A std::weak_ptr<ws_t> may outlive the connection.
//
// Thread-safety: every member function may be called from any thread at once. Work is passed to
// the connection's io_context thread; frames queued meanwhile leave in one gather write, never
// interleaved.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <asio/ip/tcp.hpp>

#include "restws/websocket/message.hpp"
#include "restws/websocket/send_status.hpp"
#include "restws/websocket/settings.hpp"

namespace restws::websocket::basic {

namespace detail {
class ws_connection_t;
}

/// Called once the frame was written (error_code empty) or could not be (the error).
using write_status_cb_t = std::function<void(const std::error_code&)>;

/// When upgrade() starts reading frames: at once, or when activate() is called.
enum class activation_t : std::uint8_t { immediate, delayed };

/// Thrown by send_message() and activate() once the connection is closed or closing.
class ws_closed_error_t : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ws_t {
 public:
  ws_t(const ws_t&) = delete;
  ws_t& operator=(const ws_t&) = delete;

  /// Queues one frame. Throws ws_closed_error_t once a close frame was sent or the socket is
  /// gone (as RESTinio does); `cb` is then not called. Otherwise `cb` (if any) is called on the
  /// connection's thread once the frame is written or the write fails.
  ///
  /// Returns `queued`, or, when the connection's queue is over ws_settings_t::max_backpressure:
  /// with policy `drop`, `dropped` (the frame is not queued; `cb` gets
  /// send_error_t::backpressure_limit); with `close`, `closed` (the connection fails with 1008);
  /// with `throttle` (the default), `queued` as always. From another thread than the
  /// connection's, the decision is taken on the queue's size at the time of the call.
  /// Control frames (ping, pong, close) are never dropped.
  send_status_t send_message(final_frame_flag_t final_flag, opcode_t opcode, std::string payload,
                             write_status_cb_t cb = {});
  /// As above, with the frame described by `message`. Sending a connection_close_frame starts
  /// the close handshake (its payload should be status_code_to_bin(code) + reason).
  send_status_t send_message(const message_t& message, write_status_cb_t cb = {});
  /// As send_message(), but returns send_status_t::closed instead of throwing once the
  /// connection is closed or closing: for code that sends to many connections.
  send_status_t try_send_message(final_frame_flag_t final_flag, opcode_t opcode,
                                 std::string payload, write_status_cb_t cb = {});
  send_status_t try_send_message(const message_t& message, write_status_cb_t cb = {});

  /// Payload bytes queued for this connection and not yet taken by the kernel (a frame counts
  /// until it is written whole). Any thread; from another thread, a recent value.
  std::size_t buffered_amount() const noexcept;
  /// Called on the connection's thread when its queue falls to the low-water mark after having
  /// gone over max_backpressure (see ws_settings_t::on_drain, which this replaces for this
  /// connection). An empty handler removes it. Any thread; dropped when the connection closes.
  void set_drain_handler(drain_handler_t handler);

  /// Sends close 1000 (or the given code and reason), waits for the peer's close up to the
  /// close timeout, then drops TCP. Frames queued before it are sent first. Idempotent.
  void shutdown();
  void shutdown(status_code_t code, std::string reason = {});
  /// Drops TCP now, without a close handshake; unsent frames are discarded. Idempotent.
  void kill();

  /// Starts reading frames after upgrade(..., activation_t::delayed, ...). Idempotent.
  void activate();
  /// Stops reading the peer's frames (the handler gets none; the peer's sends back up in TCP)
  /// until resume_reading(): flow control for a consumer slower than its peer (ws_stream_t
  /// holds its inbox so). From the handler, no frame after the current one is delivered;
  /// from another thread, once the connection's thread takes it. The idle timeout still runs.
  /// Idempotent; ignored once closed. Any thread.
  void pause_reading();
  void resume_reading();

  /// The id of the HTTP connection that was upgraded (unique within its server).
  std::uint64_t connection_id() const noexcept;
  const asio::ip::tcp::endpoint& remote_endpoint() const noexcept;
  /// The subprotocol agreed at upgrade: the one the library chose (ws_settings_t::subprotocols,
  /// subprotocol_selector) or the Sec-WebSocket-Protocol the caller of upgrade() gave. Empty if
  /// none. Valid while this ws_t lives; fixed at upgrade, so any thread may call it.
  std::string_view subprotocol() const noexcept;

  // ---- Topics (restws/websocket/topics.hpp, docs/pubsub.md) ----

  /// Subscribes this connection to `topic` of its server's hub (idempotent). On the
  /// connection's thread (in its handlers) it holds at once; from another thread, once the
  /// connection's thread takes it (messages published before then may not arrive). Ignored once
  /// the connection is closed; a connection leaves all its topics when it closes.
  void subscribe(std::string_view topic);
  /// Leaves `topic` (idempotent), as subscribe() does.
  void unsubscribe(std::string_view topic);
  /// True if this connection is subscribed to `topic` (from another thread: as taken so far).
  bool is_subscribed(std::string_view topic) const;
  /// Publishes to `topic` through the hub (topic_hub_t::publish()) skipping this connection,
  /// subscribed or not. Returns the number of receivers. Any thread.
  std::size_t publish(std::string_view topic, std::string payload,
                      opcode_t opcode = opcode_t::text_frame);

 private:
  // The connection itself (a base of it, with no data: an idle WebSocket costs every byte of a
  // separate handle object once per connection). Its handles share one reference count, kept
  // inside the connection too; when it drops to zero the connection shuts down (close 1000).
  friend class detail::ws_connection_t;
  ws_t() = default;
  ~ws_t() = default;
  detail::ws_connection_t& connection() noexcept;
  const detail::ws_connection_t& connection() const noexcept;
};

using ws_handle_t = std::shared_ptr<ws_t>;

/// RESTinio's spelling of ws_t::activate().
inline void activate(ws_t& ws) { ws.activate(); }

/// The message handler's type once erased: called as handler(ws_handle_t, message_handle_t).
using message_handler_t = std::function<void(ws_handle_t, message_handle_t)>;

}  // namespace restws::websocket::basic
