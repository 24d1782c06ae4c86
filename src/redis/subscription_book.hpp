#pragma once
// Which Redis channels the subscribe connection should be on, which it is on, and what to send
// next. The hub says which topics are active (set_active); the connection reports what Redis
// confirmed (confirmed) and when it comes and goes (connection_up / connection_down).
//
// One SUBSCRIBE or UNSUBSCRIBE is in flight per channel at a time: a topic that flaps
// (active, inactive, active) before Redis answers gets its next command once the previous one
// is confirmed, so that the book's idea of what is subscribed is always what Redis says.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace restws::pubsub::redis_detail {

struct subscription_command_t {
  bool subscribe = true;  ///< SUBSCRIBE, else UNSUBSCRIBE
  std::string channel;
  friend bool operator==(const subscription_command_t&, const subscription_command_t&) = default;
};

class subscription_book_t {
 public:
  /// A local topic's channel became wanted (first local subscriber) or not (last one left).
  void set_active(std::string_view channel, bool active);

  /// The subscribe connection is up: Redis has no subscription of ours yet.
  void connection_up();
  /// It is down: nothing is subscribed, nothing in flight; what is wanted stays wanted.
  void connection_down();

  /// The commands that bring Redis to what is wanted, given what is in flight; marks them in
  /// flight. Empty while the connection is down.
  std::vector<subscription_command_t> take_commands();

  /// Redis confirmed a subscribe (`subscribed`) or unsubscribe of `channel`.
  void confirmed(std::string_view channel, bool subscribed);

  /// Whether a channel is wanted (a message on a channel not wanted is not delivered).
  bool wanted(std::string_view channel) const;
  /// Channels Redis confirmed as subscribed.
  std::size_t subscribed_count() const { return subscribed_; }
  /// Channels wanted.
  std::size_t wanted_count() const { return wanted_; }

 private:
  struct entry_t {
    bool wanted = false;
    bool subscribed = false;  ///< as Redis confirmed
    bool in_flight = false;
  };
  void forget_if_idle(std::map<std::string, entry_t, std::less<>>::iterator it);

  std::map<std::string, entry_t, std::less<>> channels_;
  bool up_ = false;
  std::size_t subscribed_ = 0;
  std::size_t wanted_ = 0;
};

}  // namespace restws::pubsub::redis_detail
