#pragma once
// Bytes that are usually none: a pointer (8 bytes) while empty, a std::string once there are
// some, freed again when emptied. For the TLS carries that an idle connection never holds.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace restws::detail {

class lazy_bytes_t {
 public:
  bool empty() const noexcept { return !s_ || s_->empty(); }
  std::size_t size() const noexcept { return s_ ? s_->size() : 0; }
  const char* data() const noexcept { return s_ ? s_->data() : nullptr; }
  operator std::string_view() const noexcept {
    return s_ ? std::string_view{*s_} : std::string_view{};
  }

  void append(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!s_) s_ = std::make_unique<std::string>();
    s_->append(bytes);
  }
  void assign(std::string_view bytes) {
    if (bytes.empty()) {
      s_.reset();
      return;
    }
    if (!s_) s_ = std::make_unique<std::string>();
    s_->assign(bytes);
  }
  /// Drops the first `n` bytes; frees the memory once nothing is left.
  void erase_front(std::size_t n) {
    if (!s_) return;
    s_->erase(0, n);
    if (s_->empty()) s_.reset();
  }
  void clear() noexcept { s_.reset(); }

 private:
  std::unique_ptr<std::string> s_;
};

}  // namespace restws::detail
