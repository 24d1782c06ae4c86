// HTTP request head parsing (http::request_parser_t), ns per request: a browser GET, what wrk
// sends, a WebSocket upgrade; and the server's full per-request step (parse, then copy the target
// and fields into the owned http_request_header_t the handler receives).

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench_data.hpp"
#include "restws/http/header_fields.hpp"
#include "restws/http/request_parser.hpp"
#include "restws/server/request.hpp"

namespace {

using restws::http::parse_status_t;
using restws::http::request_parser_t;

void parse_head(benchmark::State& state, std::string_view request) {
  request_parser_t parser;
  for (auto _ : state) {
    parser.reset();
    const auto status = parser.parse_head(request);
    if (status != parse_status_t::complete) {
      state.SkipWithError("request did not parse");
      break;
    }
    benchmark::DoNotOptimize(parser.head().fields.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * request.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["request_bytes"] = static_cast<double>(request.size());
}

// What the server does per request before calling the handler: parse, then owned copies.
void parse_and_copy_head(benchmark::State& state, std::string_view request) {
  request_parser_t parser;
  for (auto _ : state) {
    parser.reset();
    if (parser.parse_head(request) != parse_status_t::complete) {
      state.SkipWithError("request did not parse");
      break;
    }
    const auto& h = parser.head();
    restws::http_header_fields_t fields;
    fields.reserve(h.fields.size());
    for (const auto& f : h.fields) fields.add_field(std::string{f.name}, std::string{f.value});
    restws::http_request_header_t header{
        h.method,        std::string{h.target}, h.version_major,
        h.version_minor, std::move(fields),     restws::http_connection_header_t::keep_alive};
    benchmark::DoNotOptimize(header);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * request.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["request_bytes"] = static_cast<double>(request.size());
}

BENCHMARK_CAPTURE(parse_head, browser_get, restws::bench::browser_get);
BENCHMARK_CAPTURE(parse_head, wrk_get, restws::bench::wrk_get);
BENCHMARK_CAPTURE(parse_head, websocket_upgrade, restws::bench::upgrade_get);
BENCHMARK_CAPTURE(parse_and_copy_head, browser_get, restws::bench::browser_get);
BENCHMARK_CAPTURE(parse_and_copy_head, wrk_get, restws::bench::wrk_get);

}  // namespace
