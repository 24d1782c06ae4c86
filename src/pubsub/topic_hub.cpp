#include <algorithm>
#include <stdexcept>

#include <asio/post.hpp>

#include "topic_hub_impl.hpp"

namespace restws::websocket::basic {

std::shared_ptr<topic_hub_t> topic_hub_t::make(std::size_t max_pending_bytes) {
  return std::make_shared<pubsub::detail::topic_hub_impl_t>(max_pending_bytes);
}

}  // namespace restws::websocket::basic

namespace restws::pubsub::detail {

bool topic_shard_base_t::post(std::shared_ptr<const published_t> m, std::size_t max_bytes) {
  const std::size_t size = m->payload ? m->payload->size() : 0;
  std::lock_guard lock{mailbox_mutex_};
  if (mailbox_bytes_ != 0 && mailbox_bytes_ + size > max_bytes) return false;
  mailbox_bytes_ += size;
  mailbox_.push_back(std::move(m));
  if (!drain_posted_) {
    drain_posted_ = true;
    asio::post(io_, [this] { drain(); });
  }
  return true;
}

void topic_shard_base_t::drain() {
  std::vector<std::shared_ptr<const published_t>> batch;
  {
    std::lock_guard lock{mailbox_mutex_};
    batch.swap(mailbox_);
    mailbox_bytes_ = 0;
    drain_posted_ = false;
  }
  std::vector<const published_t*> view;
  view.reserve(batch.size());
  for (const auto& m : batch) view.push_back(m.get());
  deliver(view);
}

namespace {
void check_opcode(opcode_t opcode) {
  if (opcode != opcode_t::text_frame && opcode != opcode_t::binary_frame)
    throw std::invalid_argument{"publish: only text and binary messages can be published"};
}
}  // namespace

std::size_t topic_hub_impl_t::publish(std::string_view topic, std::string payload,
                                      opcode_t opcode) {
  check_opcode(opcode);
  return publish_from(
      nullptr, topic,
      payload.empty() ? nullptr : std::make_shared<const std::string>(std::move(payload)), opcode,
      true);
}

std::size_t topic_hub_impl_t::publish_local(std::string_view topic, shared_payload_t payload,
                                            opcode_t opcode) {
  check_opcode(opcode);
  if (payload && payload->empty()) payload.reset();
  return publish_from(nullptr, topic, std::move(payload), opcode, false);
}

std::size_t topic_hub_impl_t::publish_from(const void* skip, std::string_view topic,
                                           shared_payload_t payload, opcode_t opcode,
                                           bool forward) {
  topic_shard_base_t* here = nullptr;  // the shard of the calling thread, if it has subscribers
  std::size_t count = 0;
  std::size_t refused = 0;  // receivers on reactors whose mailbox is full
  std::shared_ptr<websocket::basic::topic_bridge_t> bridge;
  std::shared_ptr<abstract_logger_t> overflow_log;
  std::shared_ptr<const published_t> message;
  {
    std::lock_guard lock{mutex_};
    if (forward) bridge = bridge_;
    const auto it = topics_.find(topic);
    if (it != topics_.end()) {
      count = it->second.count;
      if (skip)
        for (const auto& [shard, n] : it->second.shards)
          if (shard->has_subscriber(skip, topic)) {
            --count;
            break;
          }
      for (const auto& [shard, n] : it->second.shards) {
        if (shard->io().get_executor().running_in_this_thread()) {
          here = shard;
          continue;
        }
        // Posted under the lock: a shard leaves the hub (under it) before its io_context goes.
        if (!message)
          message = std::make_shared<const published_t>(
              published_t{std::string{topic}, payload, opcode, skip});
        if (shard->post(message, max_pending_bytes_)) continue;
        refused += n;
        if (!overflow_logged_ && logger_) {
          overflow_logged_ = true;
          overflow_log = logger_;
        }
      }
    }
  }
  if (here || message) published_.fetch_add(1, std::memory_order_relaxed);
  if (refused != 0) {
    dropped_.fetch_add(refused, std::memory_order_relaxed);
    if (overflow_log)
      overflow_log->warn([&] {
        return "topics: a reactor thread does not keep up with the publishers: over " +
               std::to_string(max_pending_bytes_) +
               " bytes of published messages wait for it, later ones are dropped for its "
               "subscribers (said once; topic_hub_t::stats().dropped counts them)";
      });
  }
  if (here) {
    const published_t local{std::string{topic}, payload, opcode, skip};
    const published_t* m = message ? message.get() : &local;
    here->deliver(std::span{&m, 1});
  }
  if (bridge) bridge->on_publish(topic, payload, opcode);
  return count;
}

std::size_t topic_hub_impl_t::subscriber_count(std::string_view topic) const {
  std::lock_guard lock{mutex_};
  const auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.count;
}

bool topic_hub_impl_t::is_subscribed(const void* subscriber, std::string_view topic) const {
  std::lock_guard lock{mutex_};
  const auto it = topics_.find(topic);
  if (it == topics_.end()) return false;
  for (const auto& [shard, n] : it->second.shards)
    if (shard->has_subscriber(subscriber, topic)) return true;
  return false;
}

std::vector<std::string> topic_hub_impl_t::topics() const {
  std::vector<std::string> names;
  std::lock_guard lock{mutex_};
  names.reserve(topics_.size());
  for (const auto& [name, entry] : topics_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

websocket::basic::topic_stats_t topic_hub_impl_t::stats() const {
  return {published_.load(std::memory_order_relaxed), deliveries_.load(std::memory_order_relaxed),
          dropped_.load(std::memory_order_relaxed), closed_.load(std::memory_order_relaxed)};
}

void topic_hub_impl_t::set_bridge(std::shared_ptr<websocket::basic::topic_bridge_t> bridge) {
  std::shared_ptr<websocket::basic::topic_bridge_t> old;
  asio::io_context* home = nullptr;
  {
    std::lock_guard lock{mutex_};
    old = std::exchange(bridge_, bridge);
    home = home_;
    if (bridge)
      for (const auto& [name, entry] : topics_) bridge->on_topic_active(name, true);
  }
  if (!home) return;
  if (old) asio::post(*home, [old] { old->detach(); });
  if (bridge) bridge->attach(*this, *home);
}

void topic_hub_impl_t::count_changed(topic_shard_base_t& shard, std::string_view topic,
                                     topic_change_t change) {
  if (change == topic_change_t::none) return;
  const bool up = change == topic_change_t::added || change == topic_change_t::activated;
  std::lock_guard lock{mutex_};
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    if (!up) return;  // cannot happen: a shard reports what it added
    it = topics_.emplace(std::string{topic}, topic_entry_t{}).first;
  }
  topic_entry_t& e = it->second;
  auto s = std::find_if(e.shards.begin(), e.shards.end(),
                        [&](const auto& p) { return p.first == &shard; });
  if (up) {
    if (s == e.shards.end()) s = e.shards.insert(e.shards.end(), {&shard, 0});
    ++s->second;
    if (++e.count == 1 && bridge_) bridge_->on_topic_active(topic, true);
    return;
  }
  if (s == e.shards.end()) return;
  --e.count;
  if (--s->second == 0) e.shards.erase(s);
  if (e.count == 0) {
    const std::string name = it->first;
    topics_.erase(it);
    if (bridge_) bridge_->on_topic_active(name, false);
  }
}

void topic_hub_impl_t::remove_shard(topic_shard_base_t& shard) {
  std::lock_guard lock{mutex_};
  for (auto it = topics_.begin(); it != topics_.end();) {
    topic_entry_t& e = it->second;
    for (auto s = e.shards.begin(); s != e.shards.end(); ++s) {
      if (s->first != &shard) continue;
      e.count -= s->second;
      e.shards.erase(s);
      break;
    }
    if (e.count != 0) {
      ++it;
      continue;
    }
    const std::string name = it->first;
    it = topics_.erase(it);
    if (bridge_) bridge_->on_topic_active(name, false);
  }
}

void topic_hub_impl_t::server_opened(asio::io_context& io,
                                     std::shared_ptr<abstract_logger_t> logger) {
  std::shared_ptr<websocket::basic::topic_bridge_t> bridge;
  {
    std::lock_guard lock{mutex_};
    if (!logger_) logger_ = std::move(logger);
    if (home_) return;  // a second server on the same hub: the bridge stays with the first
    home_ = &io;
    bridge = bridge_;
  }
  if (bridge) bridge->attach(*this, io);
}

void topic_hub_impl_t::server_closing() {
  std::shared_ptr<websocket::basic::topic_bridge_t> bridge;
  {
    std::lock_guard lock{mutex_};
    if (!home_ || !home_->get_executor().running_in_this_thread()) return;
    home_ = nullptr;
    bridge = bridge_;
  }
  if (bridge) bridge->detach();
}

}  // namespace restws::pubsub::detail
