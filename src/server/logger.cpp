#include "restws/server/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace restws {

void single_threaded_ostream_logger_t::log(log_level_t level, std::string_view message) {
  static constexpr std::string_view names[] = {"trace", "info", "warn", "error"};
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%02d:%02d:%02d.%03d] [", tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms));
  std::string line;
  line.reserve(message.size() + 32);
  line.append(stamp).append(names[static_cast<int>(level)]).append("] ").append(message);
  line.push_back('\n');
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->flush();
}

}  // namespace restws
