#include "redis/subscription_book.hpp"

namespace restws::pubsub::redis_detail {

void subscription_book_t::forget_if_idle(std::map<std::string, entry_t, std::less<>>::iterator it) {
  if (!it->second.wanted && !it->second.subscribed && !it->second.in_flight) channels_.erase(it);
}

void subscription_book_t::set_active(std::string_view channel, bool active) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) {
    if (!active) return;
    it = channels_.emplace(std::string{channel}, entry_t{}).first;
  }
  if (it->second.wanted == active) return;
  it->second.wanted = active;
  active ? ++wanted_ : --wanted_;
  forget_if_idle(it);
}

void subscription_book_t::connection_up() { up_ = true; }

void subscription_book_t::connection_down() {
  up_ = false;
  subscribed_ = 0;
  for (auto it = channels_.begin(); it != channels_.end();) {
    auto next = std::next(it);
    it->second.subscribed = false;
    it->second.in_flight = false;
    forget_if_idle(it);
    it = next;
  }
}

std::vector<subscription_command_t> subscription_book_t::take_commands() {
  std::vector<subscription_command_t> out;
  if (!up_) return out;
  for (auto& [name, e] : channels_) {
    if (e.in_flight || e.wanted == e.subscribed) continue;
    e.in_flight = true;
    out.push_back({e.wanted, name});
  }
  return out;
}

void subscription_book_t::confirmed(std::string_view channel, bool subscribed) {
  const auto it = channels_.find(channel);
  if (it == channels_.end() || !up_) return;  // a reply to a connection that is gone
  entry_t& e = it->second;
  e.in_flight = false;
  if (e.subscribed != subscribed) subscribed ? ++subscribed_ : --subscribed_;
  e.subscribed = subscribed;
  forget_if_idle(it);
}

bool subscription_book_t::wanted(std::string_view channel) const {
  const auto it = channels_.find(channel);
  return it != channels_.end() && it->second.wanted;
}

}  // namespace restws::pubsub::redis_detail
