// --fanout's bookkeeping, apart from the sockets (so that tests can drive it): the publisher's
// window over what every subscriber has received, and one subscriber's check that it receives
// every published message once, whole and in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "frame.hpp"

namespace ws_load {

/// The publisher may send message `s` only once every subscriber has received every message
/// before `s - window`: what the server holds for a subscriber (and what the run measures) stays
/// bounded by the window, not by how far the publisher could run ahead.
class fanout_window {
 public:
  /// `subscribers` > 0, `window` > 0.
  fanout_window(std::size_t subscribers, std::size_t window);

  bool may_send(std::uint64_t sequence) const { return sequence < complete_ + counts_.size(); }
  /// One subscriber received message `sequence`. Each subscriber reports each message once, in
  /// order (fanout_subscriber guarantees it), and only messages may_send() allowed.
  void delivered(std::uint64_t sequence);
  /// Messages [0, complete()) reached every subscriber.
  std::uint64_t complete() const { return complete_; }

 private:
  std::size_t subscribers_;
  std::vector<std::uint32_t> counts_;  // receivers of message s at s % window, while in flight
  std::uint64_t complete_ = 0;
};

/// One subscriber's stream of server frames: message k must be the publisher's message k
/// (binary, `size` bytes, its payload byte for byte: `reference` with sequence k, which
/// set_sequence() rewrites, so one reference serves every subscriber of a thread).
class fanout_subscriber {
 public:
  enum class result { ok, mismatch, protocol_error, closed_by_server };

  explicit fanout_subscriber(outgoing_message& reference) : reference_(&reference) {}

  /// Consumes all of `input`; calls on_message(k) for each message k that arrived as expected.
  /// Stops at the first message that is not the one expected (lost, out of order, corrupted:
  /// `mismatch`), a bad frame or the server's close frame; the subscriber is done then.
  template <typename OnMessage>
  result consume(std::span<const unsigned char> input, OnMessage&& on_message) {
    while (!input.empty()) {
      std::size_t used = 0;
      reference_->set_sequence(next_);
      const auto status = reader_.consume(input, reference_->payload(), used);
      input = input.subspan(used);
      if (status == echo_reader::status::need_more) break;
      if (status == echo_reader::status::protocol_error) return result::protocol_error;
      if (status == echo_reader::status::closed_by_server) return result::closed_by_server;
      if (!reader_.last_matched()) return result::mismatch;
      on_message(next_++);
    }
    return result::ok;
  }

  /// Messages received as expected so far.
  std::uint64_t received() const { return next_; }

 private:
  outgoing_message* reference_;
  echo_reader reader_;
  std::uint64_t next_ = 0;
};

}  // namespace ws_load
