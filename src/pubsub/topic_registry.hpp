#pragma once
// Which subscribers each topic has, for one reactor thread: sans-IO, no lock, no Asio (the
// caller, topic_shard_t, runs it on one thread and locks what other threads read).
//
// Subscribing and leaving cost O(1) in the topic's size (a member knows its index: a leaver's
// place is taken by the last member) and O(k) in the subscriber's own k topics; a connection
// closing leaves all of them in O(k). A walk over a topic's subscribers (for_each_subscriber())
// may make subscribers join or leave from inside its callback (a receiver failing, a handler
// run): leavers are skipped from then on, joiners wait for the next message, and the topic's
// storage is tidied when the outermost walk of it ends.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace restws::pubsub::detail {

struct string_hash_t {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// What changed for the topic's count of subscribers on this registry.
enum class topic_change_t : unsigned char {
  none,         ///< nothing (already subscribed, or was not)
  added,        ///< one more subscriber; the topic had some already
  removed,      ///< one fewer; some remain
  activated,    ///< the topic's first subscriber
  deactivated,  ///< the topic's last subscriber left
};

template <typename Subscriber>
class topic_registry_t {
 public:
  topic_registry_t() = default;
  topic_registry_t(const topic_registry_t&) = delete;
  topic_registry_t& operator=(const topic_registry_t&) = delete;

  topic_change_t subscribe(Subscriber* s, std::string_view name) {
    auto& mine = by_subscriber_[s];
    for (const member_t* m : mine)
      if (m->topic->name == name) return topic_change_t::none;
    auto it = topics_.find(name);
    if (it == topics_.end())
      it = topics_.emplace(std::string{name}, std::make_unique<topic_t>(std::string{name})).first;
    topic_t& t = *it->second;
    auto m = std::make_unique<member_t>(member_t{s, &t, t.members.size()});
    mine.push_back(m.get());
    t.members.push_back(std::move(m));
    return ++t.live == 1 ? topic_change_t::activated : topic_change_t::added;
  }

  topic_change_t unsubscribe(Subscriber* s, std::string_view name) {
    const auto mine = by_subscriber_.find(s);
    if (mine == by_subscriber_.end()) return topic_change_t::none;
    auto& list = mine->second;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i]->topic->name != name) continue;
      member_t* m = list[i];
      list[i] = list.back();
      list.pop_back();
      if (list.empty()) by_subscriber_.erase(mine);
      return leave(*m);
    }
    return topic_change_t::none;
  }

  /// Leaves every topic of `s`; calls on_left(name, change) for each (removed or deactivated).
  template <typename F>
  void unsubscribe_all(Subscriber* s, F&& on_left) {
    const auto mine = by_subscriber_.find(s);
    if (mine == by_subscriber_.end()) return;
    std::vector<member_t*> list = std::move(mine->second);
    by_subscriber_.erase(mine);
    for (member_t* m : list) {
      const std::string name = m->topic->name;  // leave() may free the topic
      on_left(std::string_view{name}, leave(*m));
    }
  }

  bool is_subscribed(const Subscriber* s, std::string_view name) const {
    const auto mine = by_subscriber_.find(const_cast<Subscriber*>(s));
    if (mine == by_subscriber_.end()) return false;
    for (const member_t* m : mine->second)
      if (m->topic->name == name) return true;
    return false;
  }
  bool has_topics(const Subscriber* s) const {
    return by_subscriber_.count(const_cast<Subscriber*>(s)) != 0;
  }

  std::size_t subscriber_count(std::string_view name) const {
    const auto it = topics_.find(name);
    return it == topics_.end() ? 0 : it->second->live;
  }
  /// Topics with at least one subscriber.
  std::size_t topic_count() const {
    std::size_t n = 0;
    for (const auto& [name, t] : topics_) n += t->live != 0;
    return n;
  }

  /// Calls f(Subscriber&) for each subscriber of `name` as of this call, skipping those that
  /// leave meanwhile. Returns the number of calls.
  template <typename F>
  std::size_t for_each_subscriber(std::string_view name, F&& f) {
    const auto it = topics_.find(name);
    if (it == topics_.end()) return 0;
    topic_t& t = *it->second;
    ++t.walking;
    std::size_t calls = 0;
    const std::size_t n = t.members.size();  // joiners come after: not this time
    for (std::size_t i = 0; i < n; ++i) {
      Subscriber* s = t.members[i]->subscriber;
      if (!s) continue;
      ++calls;
      f(*s);
    }
    if (--t.walking == 0 && t.holes != 0) tidy(t);
    return calls;
  }

 private:
  struct topic_t;
  struct member_t {
    Subscriber* subscriber;  ///< null: left during a walk, removed when the walk ends
    topic_t* topic;
    std::size_t index;  ///< in topic->members
  };
  struct topic_t {
    explicit topic_t(std::string n) : name{std::move(n)} {}
    std::string name;
    std::vector<std::unique_ptr<member_t>> members;
    std::size_t live = 0;     ///< members with a subscriber
    std::size_t walking = 0;  ///< for_each_subscriber() calls in progress
    std::size_t holes = 0;    ///< members left during a walk
  };

  topic_change_t leave(member_t& m) {
    topic_t& t = *m.topic;
    const bool last = --t.live == 0;
    if (t.walking != 0) {  // the walk holds indexes: leave a hole, tidied when it ends
      m.subscriber = nullptr;
      ++t.holes;
    } else {
      remove_member(t, m.index);
      if (last) topics_.erase(topics_.find(t.name));  // frees t
    }
    return last ? topic_change_t::deactivated : topic_change_t::removed;
  }

  static void remove_member(topic_t& t, std::size_t index) {
    if (index + 1 != t.members.size()) {
      t.members[index] = std::move(t.members.back());
      t.members[index]->index = index;
    }
    t.members.pop_back();
  }

  void tidy(topic_t& t) {
    for (std::size_t i = t.members.size(); i-- > 0;)
      if (!t.members[i]->subscriber) remove_member(t, i);
    t.holes = 0;
    if (t.live == 0) topics_.erase(topics_.find(t.name));  // frees t
  }

  std::unordered_map<std::string, std::unique_ptr<topic_t>, string_hash_t, std::equal_to<>> topics_;
  std::unordered_map<Subscriber*, std::vector<member_t*>> by_subscriber_;
};

}  // namespace restws::pubsub::detail
