#pragma once
// response_sink_t: where a request_t sends the bytes of its response. The HTTP connection
// implements it; unit tests implement it (or use recording_response_sink_t) to observe responses
// without a socket.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace restws {

/// Identifies a connection for the server's lifetime (unique per server, starts at 1).
using connection_id_t = std::uint64_t;
/// Identifies a request within its connection (1, 2, 3... in arrival order).
using request_id_t = std::uint64_t;

struct connection_handoff_t;  // see connection_handoff.hpp
class abstract_logger_t;      // see logger.hpp

/// One piece of a response, already serialised. A response is one or more parts; the last one
/// has `last` set. `head` and `body` are written back to back (two strings so a large body is
/// not copied).
struct response_part_t {
  std::string head;
  std::string body;
  bool last = true;               ///< no more parts for this request
  bool close_connection = false;  ///< close the connection once this response is written
};

/// Receiver of serialised responses.
class response_sink_t {
 public:
  virtual ~response_sink_t() = default;

  /// A body up to this size travels in the head's buffer (one write, one string).
  static constexpr std::size_t small_body_size = 2048;

  /// Queues a part of the response to request `id`. Responses leave the connection in request
  /// order whatever the order of calls. Thread-safety: may be called from any thread; the
  /// connection marshals the call to its own io_context. Parts for a request that was already
  /// answered (e.g. by a timeout) are dropped.
  virtual void write_response(request_id_t id, response_part_t part) = 0;

  /// The whole (last) response to request `id`, head then body, whose bytes are lent for the
  /// duration of the call only: a sink that keeps them copies them. Same ordering and
  /// thread-safety as write_response(). Default: copies them into a response_part_t (one string
  /// when the body is small) for write_response(). The connection overrides it to send the bytes
  /// at once when nothing is ahead of them.
  virtual void write_whole_response(request_id_t id, std::string_view head, std::string_view body,
                                    bool close_connection);

  /// Takes the connection away from the HTTP layer (WebSocket upgrade), see connection_handoff.hpp.
  /// Default: throws std::logic_error (a sink without a socket cannot hand one over).
  virtual connection_handoff_t take_connection(request_id_t id);

  /// The server's logger, for lines about a request that code outside the server writes
  /// (upgrade()'s refusals). Default: null (no logger). Thread-safety: as the logger's.
  virtual abstract_logger_t* logger() const noexcept { return nullptr; }
};

/// A sink for tests: records every part, in call order. Thread-safe.
class recording_response_sink_t final : public response_sink_t {
 public:
  struct record_t {
    request_id_t id;
    response_part_t part;
  };

  void write_response(request_id_t id, response_part_t part) override {
    std::lock_guard lock{mutex_};
    records_.push_back({id, std::move(part)});
  }

  /// Copy of the parts received so far.
  std::vector<record_t> records() const {
    std::lock_guard lock{mutex_};
    return records_;
  }

  /// Every byte received so far, heads and bodies concatenated in call order.
  std::string output() const {
    std::lock_guard lock{mutex_};
    std::string out;
    for (const auto& r : records_) out += r.part.head + r.part.body;
    return out;
  }

  /// True once a part with `last` set has arrived.
  bool completed() const {
    std::lock_guard lock{mutex_};
    for (const auto& r : records_)
      if (r.part.last) return true;
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<record_t> records_;
};

}  // namespace restws
