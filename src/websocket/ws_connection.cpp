#include "ws_connection.hpp"

// The connection's core: construction, start() and the entry points from any thread. The other
// concerns have files of their own: ws_handles.cpp (the handles' shared count in the connection),
// ws_recycling.cpp (payload blocks and busy states reused), ws_read.cpp (the read loop and frame
// dispatch), ws_write.cpp (the write queue, gather and io_uring writes), ws_close.cpp (closing).
// They are compiled as one unit with the frame reader (CMakeLists.txt: websocket_read_path).

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <utility>

#include <asio/dispatch.hpp>
#include <asio/post.hpp>

#include "../server/slab_pool.hpp"
#include "io_uring_choice.hpp"
#include "ws_poller.hpp"

namespace restws::websocket::basic::detail {
namespace {

using protocol::final_frame_flag_t;
using protocol::opcode_t;
using protocol::status_code_t;

protocol::validator_settings_t validator_settings(const ws_settings_t& s, bool deflate,
                                                  protocol::role_t role) {
  protocol::validator_settings_t v;
  v.role = role;
  v.rsv1_allowed = deflate;  // RFC 7692 §6: RSV1 marks a compressed message
  v.max_frame_size = s.max_frame_size;
  v.max_message_size = s.max_message_size;
  return v;
}

#if RESTWS_HAVE_IO_URING
// io_uring_mode_t::automatic: what a system call costs here (io_uring_choice.hpp), and the choice
// logged once per process, with the first logger to ask.
std::chrono::nanoseconds automatic_io_uring_cost(abstract_logger_t& logger) {
  static std::atomic<bool> logged{false};
  return system_call_cost_logged(logger, logged, "ws", "WebSockets", "ws_settings_t::io_uring");
}
#endif

}  // namespace

// An idle WebSocket costs its slot (docs/benchmarks.md): a field added must fit in padding or
// replace another. The figure is libstdc++'s on x86-64, where it was measured.
#if defined(__GLIBCXX__) && defined(__x86_64__)
static_assert(sizeof(ws_connection_t) <= 200, "ws_connection_t grew: idle WebSockets cost more");
#endif

ws_connection_t::ws_connection_t(connection_handoff_t handoff, message_handler_t handler,
                                 const ws_settings_t& settings, std::string subprotocol,
                                 const std::optional<protocol::deflate_agreement_t>& deflate,
                                 protocol::role_t role)
    : handler_{std::move(handler)},
      poller_{&ws_poller_t::of(*handoff.io_context)},
      config_{poller_->share_config(ws_config_t{
          handoff.io_context, settings.close_timeout, settings.write_timeout,
          validator_settings(settings, deflate.has_value(), role),
          handoff.logger ? std::move(handoff.logger) : std::make_shared<null_logger_t>(),
          idle_policy_t::from(settings.idle_timeout, settings.send_pings),
          flow_limits_t::from(settings), settings.on_drain,
          std::static_pointer_cast<pubsub::detail::topic_hub_impl_t>(handoff.topics)})},
      connection_id_{handoff.connection_id},
      remote_endpoint_{handoff.remote_endpoint} {
  new (&owner_weak_) std::weak_ptr<ws_t>;
  auto_pong_ = settings.auto_pong;
  deliver_whole_messages_ = settings.deliver_whole_messages;
#if RESTWS_HAVE_IO_URING
  want_io_uring_ = wants_io_uring(settings.io_uring,
                                  [this] { return automatic_io_uring_cost(*config_->logger); });
#else
  want_io_uring_ = settings.io_uring == io_uring_mode_t::on;  // start() logs the fallback
#endif
  io_uring_automatic_ = settings.io_uring == io_uring_mode_t::automatic;
  keep_open_ = settings.keep_open;
  if (!subprotocol.empty()) {
    extras().subprotocol = std::move(subprotocol);
    has_subprotocol_ = true;
  }
  client_ = role == protocol::role_t::client;
  if (deflate) {
    // ws_deflate_t speaks for the end that accepted the offer (the server); a client is the
    // other end: its compressor obeys the client_* parameters, its inflater the server_* ones.
    extras().deflate = std::make_unique<ws_deflate_t>(
        client_ ? protocol::swap_roles(*deflate) : *deflate, settings.deflate);
  }
  // The socket leaves Asio: the reactor's ws_poller_t watches it (see ws_poller.hpp).
  std::error_code ec;
  fd = handoff.socket.release(ec);
  if (ec) fd = -1;
  if (fd >= 0) {
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      ::close(fd);
      fd = -1;
    }
  }
  if (handoff.tls) {
    extras().tls = std::move(handoff.tls);
    tls_ = true;
  }
  keep_pending(std::as_bytes(std::span{handoff.already_read}));
  // Those bytes may hold whole frames, and no new input may come to announce them (the peer
  // sent them with its handshake and waits for an answer): the first read parses them first.
  pending_unparsed_ = !handoff.already_read.empty();
}

ws_connection_t::~ws_connection_t() {
  if (fd >= 0) ::close(fd);
  if (owner_is_strong_)
    owner_strong_.~shared_ptr();
  else
    owner_weak_.~weak_ptr();
}

// ---- memory ------------------------------------------------------------------------------

namespace {
#if RESTWS_SLAB_POOLS
restws::detail::slab_pool_t& connection_pool() {
  // Never destroyed: a handle may outlive main() (a static registry of them).
  static auto* const pool =
      new restws::detail::slab_pool_t{sizeof(ws_connection_t), 64 * 1024, alignof(ws_connection_t)};
  return *pool;
}
#endif
}  // namespace

void* ws_connection_t::operator new(std::size_t size) {
#if RESTWS_SLAB_POOLS
  if (size == sizeof(ws_connection_t)) return connection_pool().allocate();
#endif
  return ::operator new(size);
}

void ws_connection_t::operator delete(void* p, [[maybe_unused]] std::size_t size) noexcept {
#if RESTWS_SLAB_POOLS
  if (size == sizeof(ws_connection_t)) {
    connection_pool().deallocate(p);
    return;
  }
#endif
  ::operator delete(p);  // unsized: clang declares the sized one only with -fsized-deallocation
}
void ws_connection_t::start(std::string response_head, bool activate_now,
                            std::shared_ptr<handoff_registration_t> registration) {
  std::error_code ec;
  if (fd >= 0) {
    registered_ = poller_->add(this, std::move(registration), ec);
    if (registered_ && want_io_uring_ && !tls_) {  // TLS: plain system calls
      std::error_code uring_ec;
      batches_io_ = poller_->enable_uring(uring_ec);
      if (!batches_io_ && uring_ec) {
        auto message = [&] {
          return "ws [" + std::to_string(connection_id_) +
                 "]: io_uring unavailable, using plain system calls: " + uring_ec.message();
        };
        // Asked for (on): a warning; chosen by the library (automatic): for information.
        if (io_uring_automatic_) {
          config_->logger->info(message);
        } else {
          config_->logger->warn(message);
        }
      }
    }
  } else {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
  }
  if (!registered_) {
    config_->logger->error([&] {
      return "ws [" + std::to_string(connection_id_) +
             "]: cannot watch the socket: " + ec.message();
    });
    close_socket();
    return;
  }
  last_rx_ms_ = poller_->now_ms();  // quiet from now on, as far as the idle timeout knows
  // written at once unless the socket is full; a client's request went before the handshake
  if (!response_head.empty()) queue_raw(std::move(response_head));
  if (activate_now) activate();
  rest();
}

// ---- entry points from any thread ----------------------------------------------------------

send_status_t ws_connection_t::send_from_any_thread(final_frame_flag_t fin, opcode_t opcode,
                                                    shared_payload_t payload, write_status_cb_t cb,
                                                    compression_t compression) {
  if (protocol::is_data_opcode(opcode)) {
    const send_decision_t d = config_->flow.on_send(buffered_amount());
    if (d != send_decision_t::queue) [[unlikely]]
      return refuse_send(d, std::move(cb));
  }
  if (io().get_executor().running_in_this_thread()) {
    // The common case (a handler answering): no closure, no reference count traffic.
    send_on_io_thread(fin, opcode, std::move(payload), std::move(cb), compression);
    return send_status_t::queued;
  }
  run_on_io_thread(
      [this, fin, opcode, compression, payload = std::move(payload), cb = std::move(cb)]() mutable {
        send_on_io_thread(fin, opcode, std::move(payload), std::move(cb), compression);
      });
  return send_status_t::queued;
}

void ws_connection_t::send_on_io_thread(final_frame_flag_t fin, opcode_t opcode,
                                        shared_payload_t payload, write_status_cb_t cb,
                                        compression_t compression) {
  if (send_closed_.load(std::memory_order_relaxed)) {
    if (cb) {
      asio::post(io(), [cb = std::move(cb)] {
        try {
          cb(asio::error::operation_aborted);
        } catch (...) {
        }
      });
    }
    return;
  }
  if (opcode == opcode_t::connection_close_frame) {
    // The user starts the close handshake with a frame of their own.
    send_closed_.store(true, std::memory_order_release);
    leave_topics();
    queue_frame(final_frame_flag_t::final_frame, opcode, std::move(payload),
                [this, user_cb = std::move(cb)](const std::error_code& ec) {
                  if (user_cb) user_cb(ec);
                  if (!ec) finish_after_close_sent();
                });
    arm_close_timer();
    rest();
    return;
  }
  const bool compressed = extras_ && extras_->deflate && compression == compression_t::automatic &&
                          compress_for_send(fin, opcode, payload);
  queue_frame(fin, opcode, std::move(payload), std::move(cb), compressed);
  rest();
}

void ws_connection_t::shutdown_from_any_thread(status_code_t code, std::string reason) {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this, code, reason = std::move(reason)] {
    if (socket_closed_ || send_closed_.load(std::memory_order_relaxed)) return;
    send_close(code, reason);
    rest();
  });
}

void ws_connection_t::kill_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this] { close_socket(); });
}

void ws_connection_t::activate_from_any_thread() {
  if (detached_.load(std::memory_order_acquire)) return;
  run_on_io_thread([this] { activate(); });
}

}  // namespace restws::websocket::basic::detail
