// One connection of a worker (private to worker.cpp): its state and what it has in flight.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "deflate.hpp"
#include "frame.hpp"
#include "worker.hpp"

namespace ws_load {

enum class conn_state {
  idle,
  connecting,
  sending_handshake,
  reading_handshake,
  ready,
  open,
  closed
};

struct connection {
  std::size_t local_index = 0;
  int fd = -1;
  conn_state state = conn_state::idle;
  bool write_interest = false;
  std::string handshake_out;
  std::size_t handshake_sent = 0;
  std::string handshake_in;  // after the handshake: bytes the server sent before the load began
  std::string accept;
  std::array<unsigned char, 4> mask{};
  std::unique_ptr<outgoing_message> message;
  echo_reader reader;
  std::uint64_t sequence = 0;
  std::size_t frame_sent = 0;
  bool sending = false;
  worker::clock_type::time_point sent_at;  // the message in flight's first send
  bool server_closed = false;              // --flood: FIN or reset seen (counted once)
  struct whole_messages;
  std::unique_ptr<whole_messages> whole;  // --deflate, --corpus
  std::span<const unsigned char> frame() const;
};

// A connection's state when it sends whole messages of a message_set.
struct connection::whole_messages {
  explicit whole_messages(const deflate_agreement* agreed)
      : collector(agreed != nullptr),
        inflater(agreed != nullptr && !agreed->server_no_context_takeover),
        deflate(agreed != nullptr),
        client_window(agreed != nullptr ? agreed->client_max_window_bits : 15) {}
  message_collector collector;
  message_inflater inflater;
  bool deflate;
  int client_window;
  std::size_t index = 0;  // of the message in flight
  std::vector<unsigned char> frame;
  std::string inflated;
};

inline std::span<const unsigned char> connection::frame() const {
  if (whole) return whole->frame;
  return message->frame();
}

}  // namespace ws_load
