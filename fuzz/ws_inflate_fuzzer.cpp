// libFuzzer target: permessage-deflate's inflate path (message_inflater.hpp). The first bytes
// choose the negotiated parameters (window, context takeover) and the message limit; the rest is
// a sequence of compressed messages cut into pieces (as frames would bring them). Beyond not
// crashing: output never passes the limit, the string never grows much past it (a bomb costs
// the limit, not its inflated size), and the inflater is never left in a message after a last
// piece or a failure. Each message is also checked against what zlib says about it whole: a
// message compressed by message_deflater_t round-trips.
//
// Input: [flags][limit kib][piece len][piece bytes]...  (piece len's top bit: last piece)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"

namespace {

namespace wsp = restws::websocket::protocol;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const auto bits = static_cast<std::uint8_t>(8 + (flags & 7));
  const bool takeover = flags & 8;
  const std::size_t limit = (std::size_t{data[1]} + 1) * 1024;  // 1 KiB to 256 KiB
  wsp::message_inflater_t inflater{bits, takeover};
  std::string out;
  std::size_t i = 2;
  while (i < size) {
    const std::uint8_t head = data[i++];
    const bool last = head & 0x80;
    const std::size_t n = std::min<std::size_t>(head & 0x7f, size - i);
    const auto status =
        inflater.inflate(std::as_bytes(std::span{data + i, n}), last || i + n == size, out, limit);
    i += n;
    check(out.size() <= limit + 1);
    check(out.capacity() <= 2 * limit + 4096);
    if (status != wsp::inflate_status_t::ok || last || i == size) {
      check(!inflater.in_message());
      out.clear();
      out.shrink_to_fit();
      if (status != wsp::inflate_status_t::ok) break;
    }
  }
  // The input's bytes as a message: compressed with the same parameters, it inflates back.
  wsp::message_deflater_t deflater{
      {.level = 1 + (flags >> 4) % 9, .window_bits = bits, .context_takeover = takeover}};
  wsp::message_inflater_t fresh{bits, takeover};
  for (int round = 0; round < 2; ++round) {
    std::string compressed;
    check(deflater.compress(std::as_bytes(std::span{data, size}), compressed));
    std::string back;
    check(fresh.inflate(std::as_bytes(std::span{compressed}), true, back, size) ==
          wsp::inflate_status_t::ok);
    check(back.size() == size &&
          std::equal(back.begin(), back.end(), reinterpret_cast<const char*>(data)));
  }
  return 0;
}
