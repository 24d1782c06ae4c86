#include "ws_deflate.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "restws/websocket/protocol/buffer_deflater.hpp"

namespace restws::websocket::basic::detail {
namespace {

using protocol::inflate_status_t;
using protocol::status_code_t;

/// The thread's inflater for single-frame messages of clients that keep no context. A 15-bit
/// window inflates any client's data (a smaller peer window only means shorter distances).
protocol::message_inflater_t& thread_inflater() {
  thread_local protocol::message_inflater_t inflater{15, false};
  return inflater;
}

/// The thread's deflaters for servers that keep no context, one per setting in use (the window
/// may differ per connection: a client may ask for a smaller one).
protocol::message_deflater_t& thread_deflater(const protocol::deflater_settings_t& s) {
  struct entry_t {
    protocol::deflater_settings_t settings;
    std::unique_ptr<protocol::message_deflater_t> deflater;
  };
  thread_local std::array<entry_t, 4> cache{};
  thread_local std::size_t next = 0;
  for (auto& e : cache) {
    if (e.deflater && e.settings == s) return *e.deflater;
  }
  entry_t& e = cache[next++ % cache.size()];  // a fifth setting evicts the oldest
  e.settings = s;
  e.deflater = std::make_unique<protocol::message_deflater_t>(s);
  return *e.deflater;
}

/// The thread's libdeflate compressors for servers that keep no context, one per level in use
/// (made on first use; libdeflate keeps nothing between messages).
protocol::buffer_deflater_t& thread_buffer_deflater(int level) {
  thread_local std::array<std::unique_ptr<protocol::buffer_deflater_t>, 14> by_level;
  auto& d = by_level[static_cast<std::size_t>(std::clamp(level, -1, 12) + 1)];
  if (!d) d = std::make_unique<protocol::buffer_deflater_t>(level);
  return *d;
}

}  // namespace

ws_deflate_t::ws_deflate_t(const protocol::deflate_agreement_t& agreed,
                           const ws_settings_t::deflate_t& settings) noexcept
    : agreed_{agreed},
      deflater_settings_{settings.level, agreed.server_max_window_bits, settings.mem_level,
                         !agreed.server_no_context_takeover},
      min_size_{settings.min_size},
      // libdeflate's window is 32 KiB: only where the client allowed a full one.
      use_buffer_deflater_{agreed.server_no_context_takeover &&
                           agreed.server_max_window_bits == 15 &&
                           protocol::buffer_deflater_t::available()} {}

protocol::message_inflater_t& ws_deflate_t::own_inflater() {
  if (!own_inflater_)
    own_inflater_.emplace(agreed_.client_max_window_bits, !agreed_.client_no_context_takeover);
  return *own_inflater_;
}

std::optional<protocol::violation_t> ws_deflate_t::inflate(std::span<const std::byte> payload,
                                                           bool fin, protocol::opcode_t opcode,
                                                           std::string& out, std::size_t limit) {
  if (!in_message_) {
    utf8_.reset();
    inflated_ = 0;
    text_ = opcode == protocol::opcode_t::text_frame;
    on_shared_ = fin && agreed_.client_no_context_takeover;
    in_message_ = true;
  }
  protocol::message_inflater_t& inflater = on_shared_ ? thread_inflater() : own_inflater();
  const std::size_t before = out.size();
  // `out` may hold earlier frames of this message (whole-message mode) or not (frame mode): the
  // limit counts the message's inflated bytes either way.
  const std::size_t room = limit >= inflated_ ? limit - inflated_ : 0;
  const auto status = inflater.inflate(payload, fin, out, before + room);
  std::optional<protocol::violation_t> failure;
  switch (status) {
    case inflate_status_t::ok:
      break;
    case inflate_status_t::too_big:
      failure = protocol::violation_t{status_code_t::message_too_big, "inflated message too big"};
      break;
    case inflate_status_t::corrupt:
      failure = protocol::violation_t{status_code_t::invalid_payload, "corrupt deflate data"};
      break;
    case inflate_status_t::no_memory:
      failure = protocol::violation_t{status_code_t::internal_error, "out of memory inflating"};
      break;
  }
  inflated_ += out.size() - before;
  if (!failure && text_) {
    const std::string_view added{out.data() + before, out.size() - before};
    if (!utf8_.feed(added) || (fin && !utf8_.finish()))
      failure = protocol::violation_t{status_code_t::invalid_payload, "invalid UTF-8 in text"};
  }
  if (fin || failure) {
    in_message_ = false;
    on_shared_ = false;
    // A fragmented message of a client that keeps no context had its own inflater for the
    // message's duration: it goes now, so an idle connection holds none.
    if (agreed_.client_no_context_takeover && own_inflater_) own_inflater_.reset();
  }
  return failure;
}

bool ws_deflate_t::compress(std::span<const std::byte> message, std::string& out) {
  if (!agreed_.server_no_context_takeover) {
    // The window now holds the message, whatever it compressed to: it must be sent compressed.
    if (!own_deflater_) own_deflater_.emplace(deflater_settings_);
    return own_deflater_->compress(message, out);
  }
  const std::size_t before = out.size();
  const bool ok = use_buffer_deflater_
                      ? thread_buffer_deflater(deflater_settings_.level).compress(message, out)
                      : thread_deflater(deflater_settings_).compress(message, out);
  // Without context nothing ties messages together: one that does not shrink (random or
  // already compressed bytes) goes as it is.
  if (ok && out.size() - before >= message.size()) {
    out.resize(before);
    return false;
  }
  return ok;
}

std::size_t ws_deflate_t::memory() const noexcept {
  return (own_inflater_ ? own_inflater_->memory() : 0) +
         (own_deflater_ ? own_deflater_->memory() : 0);
}

}  // namespace restws::websocket::basic::detail
