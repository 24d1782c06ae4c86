// libFuzzer target: the connection's permessage-deflate receive path, ws_deflate_t
// (src/websocket/ws_deflate.hpp), from the negotiation on. The input's first bytes make a
// Sec-WebSocket-Extensions offer and the server's ws_settings_t::deflate; the offer goes through
// read_deflate_offers() and negotiate_deflate() under deflate_config() as upgrade() does, and the
// agreement reached feeds the data path (when nothing is agreed, the agreement a plain
// "permessage-deflate; client_max_window_bits" offer gets stands in). Two connections live side
// by side on this thread, so they share its codecs: the second has the last offer's agreement
// when there are several, else that stand-in. Each has two ends: the server's ws_deflate_t with
// the agreement, and one with the mirrored agreement (the client's view of it, its compress()
// the client's compressor). Then a sequence of operations:
// - a frame of a compressed message to one end, inflated in frame mode or whole-message mode as
//   ws_compression.cpp does (a continuation frame outside a message, or a data frame inside one,
//   fails the connection as the frame validator would: a fresh one replaces it);
// - a round trip: a message (fuzz bytes, repeated) compressed by one end, cut into frames and
//   inflated by the other; at the end, the whole input is one such message each way on each
//   connection.
// Any violation closes the connection (a fresh one replaces it). Beyond not crashing (ASan,
// UBSan, LSan):
// - a message's inflated bytes never pass the limit by more than the one byte that proves it too
//   big (message_inflater.hpp), and only that byte makes 1009; `out` never grows past about
//   twice the limit, in either mode;
// - a violation is 1009 or 1007, and has a reason (1002 is the validator's; 1011, zlib out of
//   memory, cannot happen at these sizes); a UTF-8 failure only on text that cannot be valid;
// - text never delivered invalid: after each frame the text so far is a valid UTF-8 prefix, and
//   a complete one at the last frame (checked independently, Unicode Table 3-7); in
//   whole-message mode the message is the frames' bytes in order;
// - a round trip gives back the message exactly, unless it is over the limit (1009) or invalid
//   text (1007), or the receiving end keeps context and inflated fuzz bytes since it opened;
// - an end that keeps no context compresses a message as a fresh compressor does (the thread's
//   compressor it shares keeps nothing of other connections' messages; libdeflate's where the
//   window is full, zlib's otherwise), and sends a message that would not shrink as it is;
// - an end that keeps no context either way holds no codec memory between messages, and none
//   holds more than any zlib state needs.
//
// Input: [flags][windows][limit kib][level|mem][offer recipe][recipe windows][offer len]
//        [offer bytes] then operations:
//   flags:    bit 0/1 ws_settings_t::deflate.server/client_no_context_takeover; bits 2-5 whole-
//             message mode for connection 0's server and mirror ends, connection 1's; bit 6
//             min_size 64 (else 0)
//   windows:  low nibble server_max_window_bits, high nibble client_max_window_bits (0-15)
//   limit:    max_message_size, (n + 1) KiB: 1 KiB to 256 KiB
//   level|mem: low nibble level - 1 (-1 to 14), high nibble mem_level (0-15)
//   recipe:   the offer's parameters: bit 0 server_no_context_takeover, bit 1
//             client_no_context_takeover, bit 2 server_max_window_bits=N, bit 3
//             client_max_window_bits, bit 4 with =N; bit 5: no recipe, the offer bytes alone
//   recipe windows: the two N, 4 + nibble (4-19: out of 8-15 declines the offer)
//   offer bytes: appended to the recipe's offer (e.g. ", permessage-deflate; ..." or garbage)
//   operation: [op][len] then
//     frame (op bits 0-1: 0 text, 1 binary, 2 continuation): [len bytes]
//     round trip (op bits 0-1: 3): [cut|repeat][len bytes]
//   op:       bit 2 fin (round trip: text), bit 3 connection, bit 4 the receiving end (0 the
//             server's, 1 the mirror), bit 5 a continuation frame says its message's opcode
//             instead of continuation (ws_deflate.hpp allows both), bits 6-7 len's bits 8-9
//   cut|repeat: bits 0-5 frame size (0: one frame; else at least that, at most 32 frames;
//             bit 0 also op's bit 5), bits 6-7 the message is its bytes 1, 2, 64 or 1024 times

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "restws/http/header_fields.hpp"
#include "restws/websocket/protocol/buffer_deflater.hpp"
#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"
#include "restws/websocket/settings.hpp"
#include "websocket/upgrade_checks.hpp"
#include "websocket/ws_deflate.hpp"

namespace {

namespace ws = restws::websocket::basic;
namespace wsp = restws::websocket::protocol;
using wsp::opcode_t;
using wsp::status_code_t;

void check(bool ok) {
  if (!ok) std::abort();
}

/// More than any zlib state takes (a deflater at 15 bits and memLevel 9 is about 400 KiB).
constexpr std::size_t memory_bound = std::size_t{1} << 20;

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span{s}); }

/// UTF-8 as Unicode Table 3-7 has it, byte by byte: `bad` as soon as no continuation can make
/// the text valid.
struct utf8_prefix_t {
  int need = 0;  ///< continuation bytes still expected
  unsigned low = 0x80, high = 0xbf;
  bool bad = false;

  void feed(std::string_view s) {
    for (const char ch : s) {
      if (bad) return;
      const auto c = static_cast<unsigned char>(ch);
      if (need > 0) {
        if (c < low || c > high) bad = true;
        --need;
        low = 0x80;
        high = 0xbf;
      } else if (c >= 0x80) {
        if (c >= 0xc2 && c <= 0xdf) {
          need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
          need = 2;
          if (c == 0xe0) low = 0xa0;
          if (c == 0xed) high = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
          need = 3;
          if (c == 0xf0) low = 0x90;
          if (c == 0xf4) high = 0x8f;
        } else {
          bad = true;
        }
      }
    }
  }
  bool complete() const { return !bad && need == 0; }
};

bool valid_utf8(std::string_view s) {
  utf8_prefix_t u;
  u.feed(s);
  return u.complete();
}

/// The agreement as the other end sees it: what one compresses with, the other inflates with.
wsp::deflate_agreement_t mirrored(const wsp::deflate_agreement_t& a) {
  wsp::deflate_agreement_t m = a;
  std::swap(m.server_no_context_takeover, m.client_no_context_takeover);
  std::swap(m.server_max_window_bits, m.client_max_window_bits);
  std::swap(m.state_server_window, m.state_client_window);
  return m;
}

/// One end of a connection: its ws_deflate_t and what the connection keeps of the message it
/// is receiving.
struct end_t {
  end_t(const wsp::deflate_agreement_t& a, const ws::ws_settings_t::deflate_t& s, bool whole_mode)
      : agreed{a}, z{a, s}, whole{whole_mode} {}

  wsp::deflate_agreement_t agreed;
  ws::detail::ws_deflate_t z;
  bool whole;         ///< whole-message mode (else frame mode)
  bool open = false;  ///< a compressed message is half received
  /// Its opcode.
  opcode_t opcode = opcode_t::binary_frame;
  std::size_t total = 0;   ///< its inflated bytes so far
  std::string assembling;  ///< whole-message mode: the connection's busy().assembling
  std::string message;     ///< its bytes as inflated, frame after frame
  utf8_prefix_t utf8;
  /// Its inflater's window is its peer's compressor's: it inflated no fuzz bytes since it
  /// opened (or keeps no context).
  bool in_sync = true;
};

/// A connection: the server's end (the agreement) and the mirror's (the client's view).
struct connection_t {
  connection_t(const wsp::deflate_agreement_t& a, const ws::ws_settings_t::deflate_t& s,
               unsigned modes)
      : ends{end_t{a, s, (modes & 1) != 0}, end_t{mirrored(a), s, (modes & 2) != 0}} {}
  std::array<end_t, 2> ends;
};

struct fuzz_t {
  ws::ws_settings_t::deflate_t settings;
  std::array<wsp::deflate_agreement_t, 2> agreed;
  unsigned modes = 0;  ///< two bits per connection
  std::size_t limit = 0;
  std::array<std::optional<connection_t>, 2> conns;

  /// The connection failed (or the input starts): a fresh one takes its place.
  void open(std::size_t k) { conns[k].emplace(agreed[k], settings, modes >> (2 * k)); }

  static void check_memory(const end_t& e) {
    const std::size_t m = e.z.memory();
    check(m <= memory_bound);
    if (!e.open && e.agreed.client_no_context_takeover && e.agreed.server_no_context_takeover)
      check(m == 0);
  }

  /// One frame of a compressed message into `e`, as ws_compression.cpp hands it over. Returns
  /// the violation (the connection must then be failed) or, at the message's last frame, the
  /// message as delivered.
  std::optional<wsp::violation_t> receive(end_t& e, std::string_view payload, bool fin,
                                          opcode_t opcode, bool say_message_opcode,
                                          std::string* delivered) {
    if (!e.open) {
      e.open = true;
      e.opcode = opcode;
      e.total = 0;
      e.message.clear();
      e.assembling.clear();
      e.utf8 = {};
    }
    const bool text = e.opcode == opcode_t::text_frame;
    const opcode_t said =
        opcode == opcode_t::continuation_frame && say_message_opcode ? e.opcode : opcode;
    std::string frame_out;
    std::string& out = e.whole ? e.assembling : frame_out;
    const std::size_t before = out.size();
    check(before == (e.whole ? e.total : 0));
    const auto failure = e.z.inflate(bytes(payload), fin, said, out, limit);
    check(out.size() >= before);
    const std::string_view added{out.data() + before, out.size() - before};
    e.total += added.size();
    e.message += added;
    e.utf8.feed(added);
    check(e.total <= limit + 1);
    check(out.capacity() <= 2 * limit + 4096);
    if (failure) {
      e.open = false;
      check(!failure->reason.empty());
      check(failure->code == status_code_t::message_too_big ||
            failure->code == status_code_t::invalid_payload);
      // Only the byte past the limit makes 1009 (corrupt data may come with it: 1007 then).
      if (failure->code == status_code_t::message_too_big) check(e.total == limit + 1);
      if (failure->reason.find("UTF-8") != std::string_view::npos)
        check(text && (e.utf8.bad || (fin && !e.utf8.complete())));
      check_memory(e);
      return failure;
    }
    check(e.total <= limit);
    if (text) check(!e.utf8.bad && (!fin || e.utf8.complete()));
    if (fin) {
      e.open = false;
      // What the application gets: the assembled message, or the frames' bytes in order.
      std::string whole = e.whole ? std::exchange(e.assembling, {}) : std::move(e.message);
      if (e.whole) check(whole == e.message);
      check(whole.size() == e.total);
      if (text) check(valid_utf8(whole));
      if (delivered) *delivered = std::move(whole);
    }
    check_memory(e);
    return std::nullopt;
  }

  /// A frame of fuzz bytes to end `side` of connection `k`.
  void frame(std::size_t k, std::size_t side, opcode_t opcode, bool fin, bool say_message_opcode,
             std::string_view payload) {
    end_t* e = &conns[k]->ends[side];
    if (opcode == opcode_t::continuation_frame && !e->open) {
      open(k);  // the validator fails the connection (1002)
      return;
    }
    if (opcode != opcode_t::continuation_frame && e->open) {
      open(k);  // likewise; the frame starts the next connection
      e = &conns[k]->ends[side];
    }
    if (receive(*e, payload, fin, opcode, say_message_opcode, nullptr)) {
      open(k);
      return;
    }
    if (!e->open && !e->agreed.client_no_context_takeover) e->in_sync = false;
  }

  /// `message` compressed by the other end of connection `k`, inflated by end `side`.
  void round_trip(std::size_t k, std::size_t side, bool text, std::string_view message,
                  std::size_t cut) {
    if (conns[k]->ends[side].open) open(k);  // a new message inside one: the validator's 1002
    end_t& rx = conns[k]->ends[side];
    end_t& tx = conns[k]->ends[1 - side];
    check(tx.z.worth_compressing(message.size()) == (message.size() >= settings.min_size));
    if (!tx.z.worth_compressing(message.size())) return;  // sent as it is: no codec sees it
    std::string compressed;
    const bool no_context = tx.agreed.server_no_context_takeover;
    if (!tx.z.compress(bytes(message), compressed)) {
      // Only where no context is kept, for a message that would not shrink: sent as it is.
      check(no_context && compressed.empty());
      return;
    }
    check(compressed.size() <= message.size() + message.size() / 8 + 64);
    if (no_context) check(compressed.size() < message.size());
    check_memory(tx);
    if (no_context && message.size() <= 64 * 1024) {
      // The thread's compressor, shared with the other ends, holds nothing of their messages:
      // it compresses as a fresh one does (libdeflate's with a full window, zlib's otherwise).
      std::string alone;
      if (tx.agreed.server_max_window_bits == 15 && wsp::buffer_deflater_t::available()) {
        // libdeflate keeps nothing between calls: one per level stands for a fresh one (and
        // spares the fuzzer an allocation of its tables per input).
        static std::array<std::optional<wsp::buffer_deflater_t>, 16> by_level;
        auto& fresh = by_level[static_cast<std::size_t>(std::clamp(settings.level, -1, 14) + 1)];
        if (!fresh) fresh.emplace(settings.level);
        check(fresh->compress(bytes(message), alone));
      } else {
        wsp::message_deflater_t fresh{{.level = settings.level,
                                       .window_bits = tx.agreed.server_max_window_bits,
                                       .mem_level = settings.mem_level,
                                       .context_takeover = false}};
        check(fresh.compress(bytes(message), alone));
      }
      check(alone == compressed);
    }
    const bool too_big = message.size() > limit;
    const bool bad_text = text && !valid_utf8(message);
    const std::string_view c{compressed};
    const std::size_t piece = cut == 0 ? c.size() : std::max(cut, (c.size() + 31) / 32);
    std::size_t at = 0;
    std::string delivered;
    for (;;) {
      const std::size_t n = std::min(piece, c.size() - at);
      const bool fin = at + n == c.size();
      const opcode_t opcode = at == 0 ? (text ? opcode_t::text_frame : opcode_t::binary_frame)
                                      : opcode_t::continuation_frame;
      const auto failure = receive(rx, c.substr(at, n), fin, opcode, (cut & 1) != 0, &delivered);
      at += n;
      if (failure) {
        if (rx.in_sync) {
          check(too_big || bad_text);
          if (failure->code == status_code_t::message_too_big) check(too_big);
          if (failure->code == status_code_t::invalid_payload) check(bad_text);
        }
        open(k);
        return;
      }
      if (fin) break;
    }
    if (rx.in_sync) check(!too_big && !bad_text && delivered == message);
  }
};

wsp::deflate_agreement_t negotiate(const std::uint8_t* header, std::string_view raw,
                                   const ws::ws_settings_t& settings,
                                   std::optional<wsp::deflate_agreement_t>& second) {
  const std::uint8_t recipe = header[4];
  std::string value;
  if (!(recipe & 0x20)) {
    value = "permessage-deflate";
    if (recipe & 1) value += "; server_no_context_takeover";
    if (recipe & 2) value += "; client_no_context_takeover";
    if (recipe & 4) value += "; server_max_window_bits=" + std::to_string(4 + (header[5] & 15));
    if (recipe & 8) value += "; client_max_window_bits";
    if ((recipe & 0x18) == 0x18) value += "=" + std::to_string(4 + (header[5] >> 4));
  }
  value += raw;
  restws::http::http_header_fields_t fields;
  fields.add_field("Sec-WebSocket-Extensions", value);
  const auto offers = wsp::read_deflate_offers(fields);
  const auto config = ws::detail::deflate_config(settings);
  const auto chosen = wsp::negotiate_deflate(offers, config);
  check(chosen.has_value() == !offers.offers.empty());
  // Declined: what a browser's offer gets.
  const auto fallback = wsp::accept_deflate_offer(
      wsp::deflate_offer_t{.client_max_window_bits_present = true}, config);
  check(fallback.has_value());
  if (offers.offers.size() > 1) second = wsp::accept_deflate_offer(offers.offers.back(), config);
  if (!second) second = fallback;
  return chosen ? *chosen : *fallback;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header_size = 7;
  if (size < header_size) return 0;
  const std::uint8_t flags = data[0];
  ws::ws_settings_t settings;
  auto& d = settings.deflate;
  d.enabled = true;
  d.server_no_context_takeover = flags & 1;
  d.client_no_context_takeover = flags & 2;
  d.min_size = flags & 0x40 ? 64 : 0;
  d.server_max_window_bits = static_cast<std::uint8_t>(data[1] & 15);
  d.client_max_window_bits = static_cast<std::uint8_t>(data[1] >> 4);
  d.level = (data[3] & 15) - 1;
  d.mem_level = static_cast<std::uint8_t>(data[3] >> 4);
  std::size_t i = header_size;
  const std::size_t raw_size = std::min<std::size_t>(data[6], size - i);
  const std::string_view raw{reinterpret_cast<const char*>(data + i), raw_size};
  i += raw_size;

  fuzz_t f;
  f.settings = d;
  std::optional<wsp::deflate_agreement_t> second;
  f.agreed[0] = negotiate(data, raw, settings, second);
  f.agreed[1] = *second;
  f.modes = (flags >> 2) & 15;
  f.limit = (std::size_t{data[2]} + 1) * 1024;
  f.open(0);
  f.open(1);

  const auto take = [&](std::size_t n) {
    n = std::min(n, size - i);
    const std::string_view s{reinterpret_cast<const char*>(data + i), n};
    i += n;
    return s;
  };
  while (i + 2 <= size) {
    const std::uint8_t op = data[i];
    const std::size_t len = (std::size_t{op} >> 6 << 8) | data[i + 1];
    i += 2;
    const std::size_t k = (op >> 3) & 1;
    const std::size_t side = (op >> 4) & 1;
    const bool bit2 = op & 4;
    switch (op & 3) {
      case 0:
      case 1:
      case 2: {
        constexpr opcode_t opcodes[] = {opcode_t::text_frame, opcode_t::binary_frame,
                                        opcode_t::continuation_frame};
        f.frame(k, side, opcodes[op & 3], bit2, op & 0x20, take(len));
        break;
      }
      default: {
        if (i == size) break;
        const std::uint8_t cut = data[i++];
        constexpr std::size_t repeats[] = {1, 2, 64, 1024};
        const std::string_view part = take(len);
        std::string message;
        for (std::size_t r = 0; r < repeats[cut >> 6]; ++r) message += part;
        f.round_trip(k, side, bit2, message, cut & 63);
        break;
      }
    }
  }
  // The whole input as a binary message, each way on each connection, from a clean state.
  const std::string_view all{reinterpret_cast<const char*>(data), size};
  for (std::size_t k = 0; k < 2; ++k) {
    for (std::size_t side = 0; side < 2; ++side) {
      if (!f.conns[k]->ends[side].in_sync) f.open(k);
      f.round_trip(k, side, false, all, size % 64);
    }
  }
  return 0;
}
