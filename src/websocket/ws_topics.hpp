#pragma once
// One reactor's subscribers of one hub of topics (src/pubsub/topic_hub_impl.hpp), kept by the
// reactor's ws_poller_t. Private to the library.
//
// The registry is changed on the reactor's thread only, under a lock that other threads take
// to read it (is_subscribed() from another thread) and that is never held while anything else
// runs: a delivery copies the topic's subscribers under it, then queues the message to each
// with the lock released (a receiver failing runs its handler, which may subscribe or publish).

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "../pubsub/topic_hub_impl.hpp"
#include "../pubsub/topic_registry.hpp"
#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/message_deflater.hpp"

namespace restws::websocket::basic::detail {

class ws_connection_t;
class ws_poller_t;

/// A published message as its receivers on one thread queue it: the frame header made once,
/// and the compressed payload made once per set of deflate parameters (receivers that agreed
/// permessage-deflate without server context takeover).
struct published_frame_t {
  explicit published_frame_t(const pubsub::detail::published_t& m);

  struct variant_t {
    std::array<std::byte, protocol::max_frame_header_size> header{};
    std::uint8_t header_size = 0;
    shared_payload_t payload;
  };
  const pubsub::detail::published_t& message;
  variant_t plain;
  /// The compressed variants made so far (few: one per deflate setting in use); `ok` false if
  /// the message did not shrink (then sent plain to those receivers).
  struct compressed_t {
    protocol::deflater_settings_t settings;
    bool own = false;  ///< compressed with one receiver's context: for it alone
    bool ok = false;
    variant_t frame;
  };
  std::vector<compressed_t> compressed;
};

class topic_shard_t final : public pubsub::detail::topic_shard_base_t {
 public:
  topic_shard_t(ws_poller_t& poller, std::shared_ptr<pubsub::detail::topic_hub_impl_t> hub);
  ~topic_shard_t() override;  ///< leaves the hub
  topic_shard_t(const topic_shard_t&) = delete;
  topic_shard_t& operator=(const topic_shard_t&) = delete;

  const pubsub::detail::topic_hub_impl_t* hub() const noexcept { return hub_.get(); }

  // On the reactor's thread.
  void subscribe(ws_connection_t& c, std::string_view topic);
  void unsubscribe(ws_connection_t& c, std::string_view topic);
  void unsubscribe_all(ws_connection_t& c);
  void deliver(std::span<const pubsub::detail::published_t* const> batch) override;

  // Any thread.
  bool has_subscriber(const void* subscriber, std::string_view topic) const override;

 private:
  ws_poller_t& poller_;
  std::shared_ptr<pubsub::detail::topic_hub_impl_t> hub_;
  mutable std::mutex mutex_;  ///< held for changes and other threads' reads, nothing else
  pubsub::detail::topic_registry_t<ws_connection_t> registry_;
  std::vector<std::vector<ws_connection_t*>> spare_;  ///< subscriber lists for deliveries
};

}  // namespace restws::websocket::basic::detail
