#pragma once
// Topic T travels on Redis channel prefix + T. The prefix keeps applications that share one
// Redis apart; the reverse mapping refuses a channel outside the prefix, so that a message on a
// channel we never asked for is not delivered to a topic of ours.

#include <optional>
#include <string>
#include <string_view>

namespace restws::pubsub::redis_detail {

inline std::string channel_of(std::string_view prefix, std::string_view topic) {
  std::string c;
  c.reserve(prefix.size() + topic.size());
  c.append(prefix).append(topic);
  return c;
}

/// The topic carried on `channel`, or nullopt if the channel is not under `prefix`.
inline std::optional<std::string_view> topic_of(std::string_view prefix, std::string_view channel) {
  if (!channel.starts_with(prefix)) return std::nullopt;
  return channel.substr(prefix.size());
}

}  // namespace restws::pubsub::redis_detail
