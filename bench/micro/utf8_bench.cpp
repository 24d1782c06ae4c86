// UTF-8 validation (protocol::is_valid_utf8 and the incremental utf8_validator_t), GB/s, on
// ASCII and on mixed multi-byte text (70 % of the bytes non-ASCII), 1 KiB and 1 MiB.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "bench_data.hpp"
#include "restws/websocket/protocol/utf8_validator.hpp"

namespace {

namespace proto = restws::websocket::protocol;

void validate(benchmark::State& state, const std::string& text) {
  const auto bytes = restws::bench::as_bytes(text);
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    const bool ok = proto::is_valid_utf8(bytes);
    if (!ok) {
      state.SkipWithError("text rejected");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void utf8_ascii(benchmark::State& state) {
  validate(state, restws::bench::ascii_text(static_cast<std::size_t>(state.range(0))));
}
void utf8_mixed(benchmark::State& state) {
  validate(state, restws::bench::mixed_text(static_cast<std::size_t>(state.range(0))));
}

// The same text fed in 1460-byte pieces (one TCP segment each), cutting sequences in two.
void utf8_mixed_incremental(benchmark::State& state) {
  const auto text = restws::bench::mixed_text(static_cast<std::size_t>(state.range(0)));
  const auto bytes = restws::bench::as_bytes(text);
  constexpr std::size_t piece = 1460;
  for (auto _ : state) {
    proto::utf8_validator_t v;
    bool ok = true;
    for (std::size_t i = 0; i < bytes.size() && ok; i += piece)
      ok = v.feed(bytes.subspan(i, std::min(piece, bytes.size() - i)));
    ok = ok && v.finish();
    if (!ok) {
      state.SkipWithError("text rejected");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK(utf8_ascii)->Arg(1024)->Arg(1024 * 1024);
BENCHMARK(utf8_mixed)->Arg(1024)->Arg(1024 * 1024);
BENCHMARK(utf8_mixed_incremental)->Arg(1024 * 1024);

}  // namespace
