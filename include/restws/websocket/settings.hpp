#pragma once
// Per-WebSocket settings: limits, delivery mode and the opt-in conveniences RESTinio lacks.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "restws/server/io_uring_mode.hpp"

namespace restws::websocket::basic {

/// ws_settings_t::io_uring (the same modes as server_settings_t::io_uring for HTTP).
using restws::io_uring_mode_t;

struct ws_settings_t {
  /// Largest frame payload accepted; a bigger one fails the connection with 1009.
  std::uint64_t max_frame_size = 16 * 1024 * 1024;
  /// Largest message (sum of its frames) accepted; a bigger one fails with 1009.
  std::uint64_t max_message_size = 16 * 1024 * 1024;
  /// false (RESTinio's behaviour): every data frame is delivered as it arrives, with its final
  /// flag. true: the frames of a message are joined and delivered once, as one final message with
  /// the first frame's opcode.
  bool deliver_whole_messages = false;
  /// Answer pings with pongs in the library (pings are still delivered to the handler).
  bool auto_pong = false;
  /// How long shutdown() (or the answer to a peer's close) waits for the peer to finish the close
  /// handshake before dropping TCP.
  std::chrono::milliseconds close_timeout{5000};
  /// A write the peer does not take in this time (the socket stays full: the peer does not read)
  /// fails the connection: the handler sees a close with 1011, unsent frames' callbacks get
  /// operation_aborted.
  std::chrono::milliseconds write_timeout{5000};
  /// Batch system calls with Linux io_uring: the reads of all such WebSockets of a reactor that
  /// become readable together go to the kernel in one io_uring submission, and so do the writes
  /// their handlers queued meanwhile, instead of one recv() and one send() per connection. Pays
  /// where system calls are dear (kernel page-table isolation, paravirtualised guests) and many
  /// connections are busy at once; a round with a single ready socket uses plain calls. Where
  /// system calls are cheap, plain calls were as fast or faster (docs/benchmarks.md), so the
  /// default, `automatic`, decides by measuring (io_uring_mode_t). Where io_uring is unavailable
  /// (a build without liburing, a kernel or sandbox that refuses it) the connection uses plain
  /// system calls, as with `off`, and the server logs it once.
  io_uring_mode_t io_uring = io_uring_mode_t::automatic;
  /// false (RESTinio's rule): the WebSocket closes (1000) when the last ws_handle_t to it goes
  /// away, so the application keeps one for as long as it wants the connection. true: the
  /// library holds a handle until the connection closes (the peer's close, shutdown(), kill(),
  /// a failure or the server's stop), for servers that answer only from their message handler
  /// (it still gets a handle with every message) and need no registry of connections.
  bool keep_open = false;
};

}  // namespace restws::websocket::basic
