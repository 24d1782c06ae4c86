// ws_load: a WebSocket echo load generator for restws's benchmarks (see docs/benchmarks.md).
// N connections, each with one masked binary message of S bytes (or, with --corpus, a text line
// of a file; with --deflate, compressed) in flight; every echo is compared byte for byte and timed.
// Prints msg/s each second and a final "summary key=value ..." line. --flood: a client that sends
// without end and never reads; --tls: wss://; --handshakes: whole connections, one after another
// on each slot, counted per second; --fanout: one publisher, many subscribers (see options.cpp).
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fanout.hpp"
#include "messages.hpp"
#include "options.hpp"
#include "proc_stats.hpp"
#include "tls.hpp"
#include "worker.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) { interrupted = 1; }

bool raise_file_limit(std::size_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= needed) return true;
  limit.rlim_cur = limit.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur >= needed;
}

std::optional<sockaddr_in> resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  sockaddr_in address = *reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  freeaddrinfo(found);
  address.sin_port = htons(port);
  return address;
}

struct totals {
  std::uint64_t messages = 0, mismatches = 0, errors = 0, handshake_failures = 0;
  std::uint64_t established = 0, open = 0;
  std::uint64_t bytes_sent = 0, frames_sent = 0, server_closed = 0;
  std::uint64_t sent_wire = 0, sent_plain = 0, echo_wire = 0, echo_plain = 0, echo_compressed = 0;
  std::uint64_t cycles = 0;
};

totals sum(const std::deque<ws_load::worker_counters>& counters) {
  totals t;
  for (const auto& c : counters) {
    t.messages += c.messages.load(std::memory_order_relaxed);
    t.mismatches += c.mismatches.load(std::memory_order_relaxed);
    t.errors += c.errors.load(std::memory_order_relaxed);
    t.handshake_failures += c.handshake_failures.load(std::memory_order_relaxed);
    t.established += c.established.load(std::memory_order_relaxed);
    t.open += c.open.load(std::memory_order_relaxed);
    t.bytes_sent += c.bytes_sent.load(std::memory_order_relaxed);
    t.frames_sent += c.frames_sent.load(std::memory_order_relaxed);
    t.server_closed += c.server_closed.load(std::memory_order_relaxed);
    t.sent_wire += c.sent_wire_bytes.load(std::memory_order_relaxed);
    t.sent_plain += c.sent_plain_bytes.load(std::memory_order_relaxed);
    t.echo_wire += c.echo_wire_bytes.load(std::memory_order_relaxed);
    t.echo_plain += c.echo_plain_bytes.load(std::memory_order_relaxed);
    t.echo_compressed += c.echo_compressed.load(std::memory_order_relaxed);
    t.cycles += c.cycles.load(std::memory_order_relaxed);
  }
  return t;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// "na" for a figure that could not be measured.
std::string format(std::optional<double> value, int precision) {
  if (!value) return "na";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", precision, *value);
  return text;
}

std::string format(std::uint64_t kib) { return kib != 0 ? std::to_string(kib) : "na"; }

// A memory figure of the server in KiB, 0 when there is no server pid or it cannot be read.
std::uint64_t memory_kib(int pid, std::string_view field) {
  return pid != 0 ? ws_load::process_memory_kib(pid, field).value_or(0) : 0;
}

clock_type::time_point after(clock_type::time_point start, double seconds) {
  return start +
         std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
}

// --warmup: the load runs until `seconds` passed, every connection is gone or a signal came.
void run_warmup(const std::deque<ws_load::worker_counters>& counters, double seconds) {
  const auto deadline = after(clock_type::now(), seconds);
  while (!interrupted && clock_type::now() < deadline && sum(counters).open != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The measured window: prints msg/s (with --flood MiB/s, with --handshakes cycles/s) each second;
// returns at --seconds, at --max-messages (cycles with --handshakes), when every connection (slot)
// is gone, or on SIGINT / SIGTERM. `base`: the totals at its start.
void run_window(const ws_load::options& opts, const std::deque<ws_load::worker_counters>& counters,
                clock_type::time_point start, const totals& base) {
  std::uint64_t last_messages = opts.handshakes ? base.cycles : base.messages;
  std::uint64_t last_bytes = base.bytes_sent;
  auto next_report = start + std::chrono::seconds(1);
  int second = 0;
  const auto deadline = after(start, opts.seconds);
  while (!interrupted) {
    const auto now = clock_type::now();
    const totals t = sum(counters);
    const std::uint64_t done = opts.handshakes ? t.cycles : t.messages;
    if (now >= deadline || t.open == 0 || (opts.max_messages != 0 && done >= opts.max_messages)) {
      return;
    }
    if (now >= next_report) {
      if (opts.handshakes) {
        std::printf("second=%d cycles_per_s=%llu slots=%llu handshake_failures=%llu errors=%llu\n",
                    ++second, static_cast<unsigned long long>(done - last_messages),
                    static_cast<unsigned long long>(t.open),
                    static_cast<unsigned long long>(t.handshake_failures),
                    static_cast<unsigned long long>(t.errors));
      } else if (opts.flood) {
        std::printf("second=%d mib_per_s=%.1f open=%llu server_closed=%llu\n", ++second,
                    static_cast<double>(t.bytes_sent - last_bytes) / (1024.0 * 1024.0),
                    static_cast<unsigned long long>(t.open),
                    static_cast<unsigned long long>(t.server_closed));
      } else {
        std::printf("second=%d msg_per_s=%llu open=%llu mismatches=%llu errors=%llu\n", ++second,
                    static_cast<unsigned long long>(t.messages - last_messages),
                    static_cast<unsigned long long>(t.open),
                    static_cast<unsigned long long>(t.mismatches),
                    static_cast<unsigned long long>(t.errors));
      }
      std::fflush(stdout);
      last_messages = done;
      last_bytes = t.bytes_sent;
      next_report += std::chrono::seconds(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Bytes on the wire over bytes before compression (a payload's), "na" without messages.
std::string ratio(std::uint64_t wire, std::uint64_t plain) {
  if (plain == 0) return "na";
  return format(static_cast<double>(wire) / static_cast<double>(plain), 3);
}

// A latency in nanoseconds as microseconds, "na" when nothing was measured.
std::string format_us(const ws_load::latency_histogram& h, std::uint64_t ns) {
  return h.count() != 0 ? format(static_cast<double>(ns) / 1000.0, 1) : "na";
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      std::fputs(ws_load::usage(argv[0]).c_str(), stdout);
      return 0;
    }
  }
  std::string error;
  const auto parsed = ws_load::parse_options(argc, argv, error);
  if (!parsed) {
    std::fprintf(stderr, "ws_load: %s\n%s", error.c_str(), ws_load::usage(argv[0]).c_str());
    return 2;
  }
  const ws_load::options& opts = *parsed;
  // --deflate, --corpus: whole messages, compared when their echo is complete.
  std::optional<ws_load::message_set> messages;
  if (opts.deflate || !opts.corpus.empty()) {
    messages = ws_load::load_message_set(opts, error);
    if (!messages) {
      std::fprintf(stderr, "ws_load: %s\n", error.c_str());
      return 2;
    }
  }
  const auto server = resolve(opts.host, opts.port);
  if (!server) {
    std::fprintf(stderr, "ws_load: cannot resolve %s\n", opts.host.c_str());
    return 2;
  }
  if (opts.spread_source && (ntohl(server->sin_addr.s_addr) >> 24) != 127) {
    std::fprintf(stderr, "ws_load: source addresses 127.0.0.x need a loopback server\n");
    return 2;
  }
  if (!raise_file_limit(std::max(opts.connections, opts.fanout + 1) + 64)) {
    std::fprintf(stderr, "ws_load: the open file limit is too low for %zu connections\n",
                 opts.connections);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (opts.fanout != 0) return ws_load::run_fanout(opts, *server, interrupted);

  // One TLS client context for all threads; --idle sessions give their buffers back meanwhile.
  std::optional<ws_load::tls_context> tls;
  if (opts.tls) {
    tls.emplace(/*release_buffers=*/opts.idle);
    if (!tls->ok()) {
      std::fprintf(stderr, "ws_load: %s\n", tls->error().c_str());
      return 1;
    }
  }

  const std::size_t thread_count = std::min<std::size_t>(opts.threads, opts.connections);
  ws_load::run_control control;
  std::deque<ws_load::worker_counters> counters(thread_count);
  std::vector<std::unique_ptr<ws_load::worker>> workers;
  std::size_t first = 0;
  for (std::size_t i = 0; i < thread_count; ++i) {
    const std::size_t count =
        opts.connections / thread_count + (i < opts.connections % thread_count);
    workers.push_back(
        std::make_unique<ws_load::worker>(opts, *server, first, count, control, counters[i],
                                          messages ? &*messages : nullptr, tls ? &*tls : nullptr));
    first += count;
  }
  const int pid = opts.server_pid;
  const std::uint64_t rss_before = memory_kib(pid, "VmRSS");
  const auto connect_start = clock_type::now();
  // --handshakes: the cycles start at once (connecting is what they measure).
  if (opts.handshakes) control.go.store(true, std::memory_order_release);
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  // Handshakes first, bounded by --connect-timeout; the load starts on all connections at once.
  while (!opts.handshakes && !interrupted && seconds_since(connect_start) < opts.connect_timeout) {
    const totals t = sum(counters);
    if (t.established + t.handshake_failures >= opts.connections) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double connect_seconds = opts.handshakes ? 0.0 : seconds_since(connect_start);
  if (!opts.handshakes) {
    std::printf("started established=%llu connect_seconds=%.3f\n",
                static_cast<unsigned long long>(sum(counters).established), connect_seconds);
    std::fflush(stdout);
  }
  control.go.store(true, std::memory_order_release);
  if (opts.warmup > 0) run_warmup(counters, opts.warmup);
  const totals base = sum(counters);
  const std::optional<double> cpu_start = pid ? ws_load::process_cpu_seconds(pid) : std::nullopt;
  const auto start = clock_type::now();
  control.measuring.store(true, std::memory_order_relaxed);
  run_window(opts, counters, start, base);
  const double elapsed = seconds_since(start);
  totals t = sum(counters);
  t.messages -= base.messages;
  t.bytes_sent -= base.bytes_sent;
  t.frames_sent -= base.frames_sent;
  t.sent_wire -= base.sent_wire;
  t.sent_plain -= base.sent_plain;
  t.echo_wire -= base.echo_wire;
  t.echo_plain -= base.echo_plain;
  t.echo_compressed -= base.echo_compressed;
  t.cycles -= base.cycles;
  const std::optional<double> cpu_end = pid ? ws_load::process_cpu_seconds(pid) : std::nullopt;
  const std::uint64_t rss = memory_kib(pid, "VmRSS");
  const std::uint64_t peak = memory_kib(pid, "VmHWM");
  control.stop.store(true, std::memory_order_release);
  for (auto& thread : threads) thread.join();
  ws_load::latency_histogram latencies;
  std::optional<clock_type::time_point> first_close;
  const char* close_kind = "na";
  std::string tls_used = opts.tls ? "yes" : "no";
  for (const auto& w : workers) {
    if (opts.tls && tls_used == "yes" && !w->tls_description().empty()) {
      tls_used = w->tls_description();
    }
    latencies.merge(w->latencies());
    if (w->first_close() && (!first_close || *w->first_close() < *first_close)) {
      first_close = w->first_close();
      close_kind = w->first_close_kind();
    }
  }

  std::optional<double> server_cpu;
  std::optional<double> server_us;
  if (cpu_start && cpu_end) {
    server_cpu = *cpu_end - *cpu_start;
    const std::uint64_t units = opts.handshakes ? t.cycles : t.messages;
    if (units > 0) server_us = *server_cpu * 1e6 / static_cast<double>(units);
  } else if (pid) {
    std::fprintf(stderr, "ws_load: cannot read /proc/%d\n", pid);
  }
  std::optional<double> bytes_per_connection;
  if (rss_before != 0 && rss != 0 && t.established > 0) {
    bytes_per_connection = (static_cast<double>(rss) - static_cast<double>(rss_before)) * 1024.0 /
                           static_cast<double>(t.established);
  }
  if (opts.handshakes) {
    std::printf(
        "summary mode=handshakes tls=%s connections=%zu size=%zu seconds=%.3f cycles=%llu "
        "cycles_per_s=%.1f established=%llu messages=%llu mismatches=%llu errors=%llu "
        "handshake_failures=%llu server_cpu_seconds=%s server_us_per_cycle=%s "
        "server_peak_rss_kib=%s cycle_p50_us=%s cycle_p99_us=%s cycle_max_us=%s\n",
        tls_used.c_str(), opts.connections, opts.size, elapsed,
        static_cast<unsigned long long>(t.cycles),
        elapsed > 0 ? static_cast<double>(t.cycles) / elapsed : 0.0,
        static_cast<unsigned long long>(t.established), static_cast<unsigned long long>(t.messages),
        static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.errors),
        static_cast<unsigned long long>(t.handshake_failures), format(server_cpu, 3).c_str(),
        format(server_us, 3).c_str(), format(peak).c_str(),
        format_us(latencies, latencies.percentile(0.50)).c_str(),
        format_us(latencies, latencies.percentile(0.99)).c_str(),
        format_us(latencies, latencies.max()).c_str());
    std::fflush(stdout);
    if (t.cycles == 0) std::fprintf(stderr, "ws_load: no cycle was completed\n");
    const bool failed = t.mismatches != 0 || t.errors != 0 || t.handshake_failures != 0 ||
                        t.cycles == 0 || interrupted;
    return failed ? 1 : 0;
  }
  if (opts.flood) {
    std::optional<double> close_seconds;
    if (first_close) close_seconds = std::chrono::duration<double>(*first_close - start).count();
    std::printf(
        "summary mode=flood connections=%zu established=%llu size=%zu seconds=%.3f "
        "frames_sent=%llu bytes_sent=%llu mib_per_s=%.1f handshake_failures=%llu errors=%llu "
        "server_closed=%llu first_close_seconds=%s close_kind=%s connect_seconds=%.3f "
        "server_rss_before_kib=%s server_rss_kib=%s server_peak_rss_kib=%s tls=%s\n",
        opts.connections, static_cast<unsigned long long>(t.established), opts.size, elapsed,
        static_cast<unsigned long long>(t.frames_sent),
        static_cast<unsigned long long>(t.bytes_sent),
        elapsed > 0 ? static_cast<double>(t.bytes_sent) / (1024.0 * 1024.0) / elapsed : 0.0,
        static_cast<unsigned long long>(t.handshake_failures),
        static_cast<unsigned long long>(t.errors), static_cast<unsigned long long>(t.server_closed),
        format(close_seconds, 3).c_str(), close_kind, connect_seconds, format(rss_before).c_str(),
        format(rss).c_str(), format(peak).c_str(), tls_used.c_str());
    std::fflush(stdout);
    // The server ending the flood is an outcome, reported above; refusing it is a failure.
    const bool failed = t.handshake_failures != 0 || t.established == 0 || t.errors != 0;
    return failed || interrupted ? 1 : 0;
  }
  std::printf(
      "summary connections=%zu established=%llu size=%zu seconds=%.3f messages=%llu "
      "msg_per_s=%.1f mismatches=%llu errors=%llu handshake_failures=%llu connect_seconds=%.3f "
      "server_cpu_seconds=%s server_us_per_msg=%s server_rss_before_kib=%s server_rss_kib=%s "
      "server_peak_rss_kib=%s server_bytes_per_connection=%s latency_p50_us=%s "
      "latency_p99_us=%s latency_max_us=%s messages_from=%s deflate=%s echo_compressed=%llu "
      "echo_ratio=%s sent_ratio=%s tls=%s\n",
      opts.connections, static_cast<unsigned long long>(t.established), opts.size, elapsed,
      static_cast<unsigned long long>(t.messages),
      elapsed > 0 ? static_cast<double>(t.messages) / elapsed : 0.0,
      static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.errors),
      static_cast<unsigned long long>(t.handshake_failures), connect_seconds,
      format(server_cpu, 3).c_str(), format(server_us, 3).c_str(), format(rss_before).c_str(),
      format(rss).c_str(), format(peak).c_str(), format(bytes_per_connection, 0).c_str(),
      format_us(latencies, latencies.percentile(0.50)).c_str(),
      format_us(latencies, latencies.percentile(0.99)).c_str(),
      format_us(latencies, latencies.max()).c_str(), opts.corpus.empty() ? "size" : "corpus",
      opts.deflate ? "yes" : "no", static_cast<unsigned long long>(t.echo_compressed),
      ratio(t.echo_wire, t.echo_plain).c_str(), ratio(t.sent_wire, t.sent_plain).c_str(),
      tls_used.c_str());
  std::fflush(stdout);
  const bool no_echo = t.messages == 0 && !opts.idle;
  if (no_echo) std::fprintf(stderr, "ws_load: no message was echoed\n");
  const bool failed = t.mismatches != 0 || t.errors != 0 || t.handshake_failures != 0 ||
                      t.established == 0 || no_echo || interrupted;
  return failed ? 1 : 0;
}
