// What ws_load reads about the server process from /proc (Linux).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ws_load {

/// utime + stime of process `pid` in seconds (all its threads), from /proc/PID/stat.
/// Nothing if the process is gone or the file cannot be read.
std::optional<double> process_cpu_seconds(int pid);

/// A memory figure of process `pid` in KiB from /proc/PID/status, e.g. "VmRSS" (resident now)
/// or "VmHWM" (peak resident). Nothing if the process is gone or the field is missing.
std::optional<std::uint64_t> process_memory_kib(int pid, std::string_view field);

}  // namespace ws_load
