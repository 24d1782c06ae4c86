// Masking alone (protocol::apply_mask), GB/s, in place, at frame offset 0 and at an offset that
// rotates the key (as when a payload arrives in pieces); and unmasking while copying
// (protocol::copy_masked), as a whole frame's payload is taken out of the read buffer.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "restws/websocket/protocol/masking.hpp"

namespace {

namespace proto = restws::websocket::protocol;

void apply_mask(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto offset = static_cast<std::uint64_t>(state.range(1));
  std::vector<std::byte> data(size, std::byte{0x5a});
  const proto::mask_key_t key{std::byte{0x37}, std::byte{0xfa}, std::byte{0x21}, std::byte{0x3d}};
  for (auto _ : state) {
    proto::apply_mask(data, key, offset);
    benchmark::DoNotOptimize(data.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

BENCHMARK(apply_mask)
    ->ArgNames({"size", "offset"})
    ->Args({20, 0})
    ->Args({1024, 0})
    ->Args({16 * 1024, 0})
    ->Args({1024 * 1024, 0})
    ->Args({16 * 1024, 3});

void copy_masked(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::vector<std::byte> source(size, std::byte{0x5a});
  std::vector<std::byte> target(size);
  const proto::mask_key_t key{std::byte{0x37}, std::byte{0xfa}, std::byte{0x21}, std::byte{0x3d}};
  for (auto _ : state) {
    proto::copy_masked(target, source, key);
    benchmark::DoNotOptimize(target.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

BENCHMARK(copy_masked)->ArgName("size")->Arg(20)->Arg(1024)->Arg(16 * 1024)->Arg(1024 * 1024);

}  // namespace
