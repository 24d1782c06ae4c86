// Frame parsing through protocol::frame_reader_t (header parse, validation, unmask in place, and
// for text the UTF-8 check), GB/s of payload, one whole frame per iteration, as a client sends it
// (masked). Sizes: 20 B, 1 KiB, 16 KiB, 1 MiB.
//
// The reader unmasks the buffer in place, so each iteration sees the previous one's output. That
// is harmless for binary frames. Text frames are masked with a zero key (the XOR work is the same)
// so the payload stays valid UTF-8 from one iteration to the next.

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "restws/websocket/protocol/frame_reader.hpp"
#include "restws/websocket/protocol/frame_writer.hpp"

namespace {

namespace proto = restws::websocket::protocol;

std::vector<std::byte> client_frame(proto::opcode_t opcode, const std::string& payload,
                                    const proto::mask_key_t& key) {
  std::vector<std::byte> frame(proto::frame_size(payload.size(), true));
  const auto n = proto::write_client_frame(frame, proto::final_frame_flag_t::final_frame, opcode,
                                           restws::bench::as_bytes(payload), key);
  frame.resize(n);
  return frame;
}

void run_reader(benchmark::State& state, std::vector<std::byte>& frame, std::size_t payload_size) {
  proto::frame_reader_t reader;
  for (auto _ : state) {
    const auto r = reader.parse(frame);
    if (r.status != proto::read_status_t::frame_ready || r.frame_size != frame.size()) {
      state.SkipWithError("frame not parsed whole");
      break;
    }
    benchmark::DoNotOptimize(r.payload.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload_size));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void frame_read_binary(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto frame = client_frame(proto::opcode_t::binary_frame, restws::bench::ascii_text(size),
                            {std::byte{0x37}, std::byte{0xfa}, std::byte{0x21}, std::byte{0x3d}});
  run_reader(state, frame, size);
}

void frame_read_text_ascii(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto frame = client_frame(proto::opcode_t::text_frame, restws::bench::ascii_text(size), {});
  run_reader(state, frame, size);
}

void frame_read_text_mixed(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto frame = client_frame(proto::opcode_t::text_frame, restws::bench::mixed_text(size), {});
  run_reader(state, frame, size);
}

// Header parsing alone (what every frame pays whatever its size).
void frame_header_parse(benchmark::State& state) {
  const auto frame = client_frame(proto::opcode_t::binary_frame, std::string(20, 'x'),
                                  {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}});
  for (auto _ : state) {
    const auto r = proto::parse_frame_header(frame);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// Header writing for an outgoing (server, unmasked) frame.
void frame_header_write(benchmark::State& state) {
  std::array<std::byte, proto::max_frame_header_size> out{};
  proto::frame_header_t h;
  h.opcode = proto::opcode_t::binary_frame;
  h.payload_length = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(h);
    const auto n = proto::write_frame_header(out, h);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

#define RESTWS_FRAME_SIZES Arg(20)->Arg(1024)->Arg(16 * 1024)->Arg(1024 * 1024)
BENCHMARK(frame_read_binary)->RESTWS_FRAME_SIZES;
BENCHMARK(frame_read_text_ascii)->RESTWS_FRAME_SIZES;
BENCHMARK(frame_read_text_mixed)->RESTWS_FRAME_SIZES;
BENCHMARK(frame_header_parse);
BENCHMARK(frame_header_write)->Arg(20)->Arg(16 * 1024);

}  // namespace
