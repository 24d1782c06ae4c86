#include "fanout_check.hpp"

namespace ws_load {

fanout_window::fanout_window(std::size_t subscribers, std::size_t window)
    : subscribers_(subscribers), counts_(window, 0) {}

void fanout_window::delivered(std::uint64_t sequence) {
  if (sequence < complete_ || !may_send(sequence)) return;  // not in flight: nothing to count
  ++counts_[sequence % counts_.size()];
  // Messages complete in order: a subscriber receives k only after k - 1.
  while (counts_[complete_ % counts_.size()] == subscribers_) {
    counts_[complete_ % counts_.size()] = 0;
    ++complete_;
  }
}

}  // namespace ws_load
