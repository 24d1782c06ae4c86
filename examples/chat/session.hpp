#pragma once
// One page's connection to the chat, as pure logic (sans-IO): it takes what the page sent and
// returns what to do (send to this page, publish to a room's topic, subscribe, unsubscribe).
// main.cpp carries the actions out on the WebSocket; the unit tests look at them directly.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol.hpp"

namespace chat {

struct action_t {
  enum class kind_t : std::uint8_t {
    send,         ///< `payload` to this page
    publish,      ///< `payload` to every other subscriber of `topic` (on every node)
    subscribe,    ///< this connection joins `topic`
    unsubscribe,  ///< ... leaves it
  };
  kind_t kind;
  std::string topic;
  std::string payload;

  bool operator==(const action_t&) const = default;
};

using actions_t = std::vector<action_t>;

/// The topic of a room ("chat/" + room): rooms cannot collide with other users of the hub.
std::string room_topic(std::string_view room);

/// A token bucket: `capacity` events at once, then one per `refill_ms`. Keeps one page from
/// flooding a room (each message fans out to every member on every node).
class rate_limit_t {
 public:
  rate_limit_t(int capacity, std::int64_t refill_ms) : capacity_{capacity}, refill_ms_{refill_ms} {}
  /// True if an event at `now_ms` is allowed (and counts it).
  bool allow(std::int64_t now_ms);

 private:
  int capacity_;
  std::int64_t refill_ms_;
  int tokens_ = -1;  // full at the first call
  std::int64_t last_ms_ = 0;
};

class session_t {
 public:
  /// `node`: this server's name, shown to pages; `session`: unique among all nodes' connections.
  session_t(std::string node, std::string session, limits_t limits = {});

  /// The connection opened: greet the page (node name, limits).
  actions_t on_open() const;
  /// A text message from the page at `now_ms` (milliseconds since the epoch, for the stamp).
  actions_t on_text(std::string_view text, std::int64_t now_ms);
  /// A binary message: refused with an error (the protocol is JSON text).
  actions_t on_binary() const;
  /// The connection closed (any way): tell the room.
  actions_t on_close();

  bool joined() const noexcept { return !room_.empty(); }
  const std::string& room() const noexcept { return room_; }
  const std::string& name() const noexcept { return name_; }

 private:
  member_t me() const { return {name_, id_, session_, node_}; }
  actions_t leave_room();
  actions_t on_join(join_t join);
  actions_t on_say(const say_t& say, std::int64_t now_ms);
  actions_t on_here(std::int64_t now_ms);
  actions_t on_ping(std::int64_t now_ms);
  actions_t refuse(std::string code, std::string message) const;

  std::string node_;
  std::string session_;
  limits_t limits_;
  std::string name_;
  std::string room_;
  std::string id_;
  rate_limit_t says_{10, 500};   // bursts of 10, then 2 a second
  rate_limit_t heres_{30, 100};  // answers to joins: many can join at once
  rate_limit_t pings_{5, 1000};
};

}  // namespace chat
