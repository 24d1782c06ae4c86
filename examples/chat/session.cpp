#include "session.hpp"

#include <algorithm>
#include <utility>

namespace chat {

std::string room_topic(std::string_view room) { return "chat/" + std::string{room}; }

bool rate_limit_t::allow(std::int64_t now_ms) {
  if (tokens_ < 0) {
    tokens_ = capacity_;
    last_ms_ = now_ms;
  }
  if (now_ms > last_ms_) {
    const std::int64_t earned = (now_ms - last_ms_) / refill_ms_;
    if (earned > 0) {
      tokens_ = static_cast<int>(std::min<std::int64_t>(capacity_, tokens_ + earned));
      last_ms_ += earned * refill_ms_;
    }
  } else {
    last_ms_ = now_ms;  // the clock went back: start counting from here
  }
  if (tokens_ == 0) return false;
  --tokens_;
  return true;
}

session_t::session_t(std::string node, std::string session, limits_t limits)
    : node_{std::move(node)}, session_{std::move(session)}, limits_{limits} {}

actions_t session_t::on_open() const {
  return {{action_t::kind_t::send, {}, make_hello(node_, limits_)}};
}

actions_t session_t::refuse(std::string code, std::string message) const {
  return {{action_t::kind_t::send, {}, make_error({std::move(code), std::move(message)})}};
}

actions_t session_t::on_binary() const {
  return refuse("binary", "messages are JSON text, not binary");
}

actions_t session_t::on_text(std::string_view text, std::int64_t now_ms) {
  auto parsed = parse_client_message(text, limits_);
  if (auto* e = std::get_if<protocol_error_t>(&parsed)) return refuse(e->code, e->message);
  auto& m = std::get<client_message_t>(parsed);
  if (auto* join = std::get_if<join_t>(&m)) return on_join(std::move(*join));
  if (std::holds_alternative<ping_t>(m)) return on_ping(now_ms);
  if (!joined()) return refuse("not_joined", "join a room first");
  if (const auto* say = std::get_if<say_t>(&m)) return on_say(*say, now_ms);
  return on_here(now_ms);
}

actions_t session_t::leave_room() {
  if (!joined()) return {};
  actions_t a;
  a.push_back({action_t::kind_t::publish, room_topic(room_), make_presence("left", me())});
  a.push_back({action_t::kind_t::unsubscribe, room_topic(room_), {}});
  room_.clear();
  return a;
}

// A second join moves the page to another room (or renames it): the old room sees it leave.
actions_t session_t::on_join(join_t join) {
  actions_t a = leave_room();
  name_ = std::move(join.name);
  room_ = std::move(join.room);
  id_ = std::move(join.id);
  const std::string topic = room_topic(room_);
  // Subscribed before the announcement, so that the answers (`present`) reach this page.
  a.push_back({action_t::kind_t::subscribe, topic, {}});
  a.push_back({action_t::kind_t::send, {}, make_welcome(me(), room_)});
  a.push_back({action_t::kind_t::publish, topic, make_presence("joined", me())});
  return a;
}

// The page gets its own message back from the server, so that what it shows is what the room
// got (stamped and trimmed), and in the server's order.
actions_t session_t::on_say(const say_t& say, std::int64_t now_ms) {
  if (!says_.allow(now_ms)) return refuse("rate_limited", "slow down: too many messages");
  std::string m = make_chat_message(me(), say.text, now_ms);
  return {{action_t::kind_t::publish, room_topic(room_), m},
          {action_t::kind_t::send, {}, std::move(m)}};
}

actions_t session_t::on_here(std::int64_t now_ms) {
  if (!heres_.allow(now_ms)) return {};  // presence answers are best effort
  return {{action_t::kind_t::publish, room_topic(room_), make_presence("present", me())}};
}

// The page's heartbeat: a browser sees no WebSocket pings, so it asks for an answer itself to
// notice a connection that died silently. The answer also keeps a proxy's read timeout from
// firing for a page alone in its room (its `here` is published to nobody and the library sends
// no pings to a peer that talks).
actions_t session_t::on_ping(std::int64_t now_ms) {
  if (!pings_.allow(now_ms)) return {};
  return {{action_t::kind_t::send, {}, make_pong()}};
}

actions_t session_t::on_close() { return leave_room(); }

}  // namespace chat
