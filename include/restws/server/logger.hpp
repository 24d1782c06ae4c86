#pragma once
// Loggers selected by traits_t: null_logger_t, single_threaded_ostream_logger_t (no locking, for
// one thread), shared_ostream_logger_t (a mutex around each line). The server talks to them
// through abstract_logger_t, so its machinery is not templated on the logger.

#include <iostream>
#include <mutex>
#include <string>
#include <string_view>

namespace restws {

enum class log_level_t : unsigned char { trace, info, warn, error };

/// Base of every logger. `log()` receives one finished line without the trailing newline.
class abstract_logger_t {
 public:
  virtual ~abstract_logger_t() = default;
  /// False if lines of this level are discarded (the message is then never built).
  virtual bool enabled(log_level_t level) const noexcept = 0;
  /// Writes one line. Thread-safety: as the concrete logger says.
  virtual void log(log_level_t level, std::string_view message) = 0;

  /// RESTinio style: `logger.warn([&] { return "..."; })` builds the message only if enabled.
  template <typename Builder>
  void trace(Builder&& b) {
    emit(log_level_t::trace, b);
  }
  template <typename Builder>
  void info(Builder&& b) {
    emit(log_level_t::info, b);
  }
  template <typename Builder>
  void warn(Builder&& b) {
    emit(log_level_t::warn, b);
  }
  template <typename Builder>
  void error(Builder&& b) {
    emit(log_level_t::error, b);
  }

 private:
  template <typename Builder>
  void emit(log_level_t level, Builder& b) {
    if (enabled(level)) log(level, b());
  }
};

/// Discards everything.
class null_logger_t final : public abstract_logger_t {
 public:
  bool enabled(log_level_t) const noexcept override { return false; }
  void log(log_level_t, std::string_view) override {}
};

/// Writes "[time] [level] message" lines to an ostream (std::cout by default) with no locking:
/// use it with one server thread. Lines below `min_level` are discarded.
class single_threaded_ostream_logger_t : public abstract_logger_t {
 public:
  explicit single_threaded_ostream_logger_t(std::ostream& out = std::cout,
                                            log_level_t min_level = log_level_t::info)
      : out_{&out}, min_level_{min_level} {}
  bool enabled(log_level_t level) const noexcept override { return level >= min_level_; }
  void log(log_level_t level, std::string_view message) override;

 private:
  std::ostream* out_;
  log_level_t min_level_;
};

/// As single_threaded_ostream_logger_t, with a mutex: safe from any number of threads.
class shared_ostream_logger_t final : public single_threaded_ostream_logger_t {
 public:
  using single_threaded_ostream_logger_t::single_threaded_ostream_logger_t;
  void log(log_level_t level, std::string_view message) override {
    std::lock_guard lock{mutex_};
    single_threaded_ostream_logger_t::log(level, message);
  }

 private:
  std::mutex mutex_;
};

}  // namespace restws
