// permessage-deflate's cost per message on bench/corpus/messages_1k.jsonl: zlib through
// message_deflater_t / message_inflater_t (with and without context takeover) against libdeflate's
// whole-buffer calls, which apply where neither side keeps context (each message is one raw
// deflate buffer). Reports ns per message and the compression ratio (counter "ratio":
// compressed / original bytes).
#include <benchmark/benchmark.h>
#include <libdeflate.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "restws/websocket/protocol/message_deflater.hpp"
#include "restws/websocket/protocol/message_inflater.hpp"

namespace {

namespace wsp = restws::websocket::protocol;

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> messages = [] {
    std::ifstream in{RESTWS_BENCH_CORPUS_DIR "/messages_1k.jsonl"};
    if (!in) throw std::runtime_error{"bench corpus messages_1k.jsonl not found"};
    std::vector<std::string> v;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) v.push_back(line);
    return v;
  }();
  return messages;
}

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span{s}); }

void report(benchmark::State& state, std::size_t in, std::size_t out) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(in));
  state.counters["ratio"] = in ? static_cast<double>(out) / static_cast<double>(in) : 0;
}

void zlib_compress(benchmark::State& state, bool takeover) {
  const auto& m = corpus();
  wsp::message_deflater_t d{
      {.level = static_cast<int>(state.range(0)), .context_takeover = takeover}};
  std::string out;
  std::size_t i = 0, in_bytes = 0, out_bytes = 0;
  for (auto _ : state) {
    out.clear();
    d.compress(bytes(m[i]), out);
    in_bytes += m[i].size();
    out_bytes += out.size();
    benchmark::DoNotOptimize(out.data());
    i = (i + 1) % m.size();
  }
  report(state, in_bytes, out_bytes);
}

void deflate_zlib_compress_context(benchmark::State& s) { zlib_compress(s, true); }
void deflate_zlib_compress_no_context(benchmark::State& s) { zlib_compress(s, false); }

void deflate_libdeflate_compress(benchmark::State& state) {
  const auto& m = corpus();
  libdeflate_compressor* c = libdeflate_alloc_compressor(static_cast<int>(state.range(0)));
  std::string out(64 * 1024, '\0');
  std::size_t i = 0, in_bytes = 0, out_bytes = 0;
  for (auto _ : state) {
    const std::size_t n =
        libdeflate_deflate_compress(c, m[i].data(), m[i].size(), out.data(), out.size());
    in_bytes += m[i].size();
    out_bytes += n;
    benchmark::DoNotOptimize(out.data());
    i = (i + 1) % m.size();
  }
  libdeflate_free_compressor(c);
  report(state, in_bytes, out_bytes);
}

void zlib_decompress(benchmark::State& state, bool takeover) {
  const auto& m = corpus();
  wsp::message_deflater_t d{{.level = 1, .context_takeover = takeover}};
  std::vector<std::string> compressed;  // the corpus twice over, so context takeover is seen
  for (int round = 0; round < 2; ++round)
    for (const auto& s : m) d.compress(bytes(s), compressed.emplace_back());
  std::string out;
  std::size_t i = 0, in_bytes = 0;
  wsp::message_inflater_t inflater{15, takeover};
  for (auto _ : state) {
    out.clear();
    if (inflater.inflate(bytes(compressed[i]), true, out, 1 << 20) != wsp::inflate_status_t::ok)
      state.SkipWithError("inflate failed");
    in_bytes += out.size();
    if (++i == compressed.size()) {
      state.PauseTiming();  // start the stream again: the compressed list is one stream
      i = 0;
      inflater = wsp::message_inflater_t{15, takeover};
      state.ResumeTiming();
    }
  }
  report(state, in_bytes, 0);
}

void deflate_zlib_decompress_context(benchmark::State& s) { zlib_decompress(s, true); }
void deflate_zlib_decompress_no_context(benchmark::State& s) { zlib_decompress(s, false); }

void deflate_libdeflate_decompress(benchmark::State& state) {
  const auto& m = corpus();
  libdeflate_compressor* c = libdeflate_alloc_compressor(1);
  std::vector<std::string> compressed;
  for (const auto& s : m) {
    std::string out(64 * 1024, '\0');
    out.resize(libdeflate_deflate_compress(c, s.data(), s.size(), out.data(), out.size()));
    compressed.push_back(out);
  }
  libdeflate_free_compressor(c);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string out(64 * 1024, '\0');
  std::size_t i = 0, in_bytes = 0;
  for (auto _ : state) {
    std::size_t n = 0;
    if (libdeflate_deflate_decompress(d, compressed[i].data(), compressed[i].size(), out.data(),
                                      out.size(), &n) != LIBDEFLATE_SUCCESS)
      state.SkipWithError("decompress failed");
    in_bytes += n;
    benchmark::DoNotOptimize(out.data());
    i = (i + 1) % compressed.size();
  }
  libdeflate_free_decompressor(d);
  report(state, in_bytes, 0);
}

}  // namespace

BENCHMARK(deflate_zlib_compress_context)->Arg(1)->Arg(6);
BENCHMARK(deflate_zlib_compress_no_context)->Arg(1)->Arg(6);
BENCHMARK(deflate_libdeflate_compress)->Arg(1)->Arg(6);
BENCHMARK(deflate_zlib_decompress_context);
BENCHMARK(deflate_zlib_decompress_no_context);
BENCHMARK(deflate_libdeflate_decompress);
