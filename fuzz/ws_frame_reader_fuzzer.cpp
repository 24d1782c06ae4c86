// libFuzzer target: frame_reader_t on arbitrary bytes, received in random pieces, must deliver
// exactly what it delivers when the whole input arrives at once, never touch memory outside the
// buffer, and only deliver frames that obey RFC 6455 (cross-checked here independently).
//
// Input layout: byte 0 picks the settings (role, RSV1 allowed, small limits) and whether the
// piecewise run gives payload space through a payload_sink_t (for every frame, or for some),
// bytes 1–4 seed the split points, the rest is the byte stream.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "restws/websocket/protocol/frame_reader.hpp"
#include "restws/websocket/protocol/utf8_validator.hpp"

namespace {

namespace p = restws::websocket::protocol;

struct event_t {
  p::read_status_t status;
  p::frame_header_t header;
  std::string payload;
  p::violation_t error;

  bool operator==(const event_t& o) const {
    return status == o.status && header.fin == o.header.fin && header.opcode == o.header.opcode &&
           header.rsv1 == o.header.rsv1 && header.payload_length == o.header.payload_length &&
           payload == o.payload && error == o.error;
  }
};

// Aborts (a finding for libFuzzer) naming the line of the failed expectation.
// (__builtin_LINE: clang 14 with libstdc++ 12 has no std::source_location.)
void require(bool condition, int line = __builtin_LINE()) {
  if (condition) return;
  std::fprintf(stderr, "expectation failed at " __FILE__ ":%d\n", line);
  std::abort();
}

// Checks each delivered frame against the rules, with state of its own.
class rules_checker_t {
 public:
  explicit rules_checker_t(const p::validator_settings_t& s) : settings_{s} {}

  void frame(const event_t& e) {
    const auto& h = e.header;
    require(!h.rsv2 && !h.rsv3);
    require(h.masked == (settings_.role == p::role_t::server));
    require(h.opcode != p::opcode_t::unknown_frame);
    require(e.payload.size() == h.payload_length);
    require(h.payload_length <= settings_.max_frame_size);
    if (p::is_control_opcode(h.opcode)) {
      require(!h.rsv1 && h.fin && e.payload.size() <= 125);
      if (h.opcode == p::opcode_t::connection_close_frame) {
        require(e.payload.size() != 1);
        if (e.payload.size() >= 2) {
          const auto code =
              static_cast<std::uint16_t>((static_cast<std::uint8_t>(e.payload[0]) << 8) |
                                         static_cast<std::uint8_t>(e.payload[1]));
          require(p::is_valid_on_wire(code));
          require(p::is_valid_utf8(std::string_view{e.payload}.substr(2)));
        }
      }
      return;
    }
    if (h.opcode == p::opcode_t::continuation_frame) {
      require(open_);
      require(!h.rsv1);
    } else {
      require(!open_);
      require(!h.rsv1 || settings_.rsv1_allowed);
      open_ = true;
      text_ = h.opcode == p::opcode_t::text_frame && !h.rsv1;
      message_.clear();
    }
    message_ += e.payload;
    require(message_.size() <= settings_.max_message_size);
    if (h.fin) {
      open_ = false;
      if (text_) require(p::is_valid_utf8(message_));
    }
  }

 private:
  p::validator_settings_t settings_;
  bool open_ = false;
  bool text_ = false;
  std::string message_;
};

// Gives an exact-size heap block (ASan catches a write past it) for every payload, or only for
// payloads of even length.
struct sink_t final : p::payload_sink_t {
  bool only_even = false;
  std::vector<std::byte> space;
  std::span<std::byte> payload_space(const p::frame_header_t& h) noexcept override {
    require(h.payload_length > 0);
    if (only_even && h.payload_length % 2 != 0) return {};
    space.assign(static_cast<std::size_t>(h.payload_length), std::byte{0});
    return space;
  }
};

std::vector<event_t> receive(const std::uint8_t* data, std::size_t size,
                             const p::validator_settings_t& settings, std::uint32_t seed,
                             bool in_pieces, sink_t* sink = nullptr) {
  p::frame_reader_t reader{settings};
  std::vector<std::byte> buffer;
  std::vector<event_t> events;
  std::size_t from = 0;
  do {
    std::size_t len = size - from;
    if (in_pieces) {
      seed = seed * 1664525u + 1013904223u;
      len = std::min<std::size_t>(len, (seed >> 24) % 24);
    }
    buffer.insert(buffer.end(), reinterpret_cast<const std::byte*>(data) + from,
                  reinterpret_cast<const std::byte*>(data) + from + len);
    from += len;
    for (;;) {
      // An exact-size heap copy lets ASan catch any access past the bytes received so far.
      std::vector<std::byte> exact(buffer);
      const auto r = reader.parse(exact, sink);
      buffer.assign(exact.begin(), exact.end());
      if (r.status == p::read_status_t::need_more) {
        require(r.bytes_needed > buffer.size());
        break;
      }
      if (r.status == p::read_status_t::error) {
        require(!r.error.reason.empty() && r.error.reason.size() <= 123);
        events.push_back({r.status, {}, {}, r.error});
        return events;
      }
      require(r.frame_size <= buffer.size());
      if (r.payload_in_sink) {
        require(sink && r.payload.data() == sink->space.data() &&
                r.payload.size() == sink->space.size());
      } else {
        require(r.payload.data() >= exact.data() &&
                r.payload.data() + r.payload.size() == exact.data() + r.frame_size);
      }
      events.push_back(
          {r.status,
           r.header,
           std::string{reinterpret_cast<const char*>(r.payload.data()), r.payload.size()},
           {}});
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.frame_size));
    }
  } while (from < size);
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  const std::uint8_t options = data[0];
  p::validator_settings_t settings;
  settings.role = (data[0] & 1) ? p::role_t::client : p::role_t::server;
  settings.rsv1_allowed = (data[0] & 2) != 0;
  if (data[0] & 4) settings.max_frame_size = 64;
  if (data[0] & 8) settings.max_message_size = 200;
  const std::uint32_t seed = (std::uint32_t{data[1]} << 24) | (std::uint32_t{data[2]} << 16) |
                             (std::uint32_t{data[3]} << 8) | data[4];
  data += 5;
  size -= 5;

  const auto whole = receive(data, size, settings, seed, false);
  sink_t sink;
  sink.only_even = (options & 32) != 0;
  const auto pieces = receive(data, size, settings, seed, true, (options & 16) ? &sink : nullptr);
  require(whole == pieces);

  rules_checker_t checker{settings};
  for (const auto& e : whole)
    if (e.status == p::read_status_t::frame_ready) checker.frame(e);
  return 0;
}
