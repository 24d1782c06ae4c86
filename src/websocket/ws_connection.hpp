#pragma once
// The I/O side of one WebSocket: reads and validates frames with protocol::frame_reader_t,
// delivers them to the handler, writes queued frames straight to the socket (several frames in
// one system call), runs the close handshake. The reactor's ws_poller_t reports readiness.
// Private to the library (ws_t is the public face).
//
// Threading: every member except the *_from_any_thread() entry points and closed() runs on the
// connection's io_context thread. Those entry points dispatch there (inline when already on it).

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/uio.h>

#include <asio/dispatch.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "flow_control.hpp"
#include "idle_policy.hpp"
#include "restws/server/connection_handoff.hpp"
#include "restws/websocket/protocol/frame_header.hpp"
#include "restws/websocket/protocol/frame_reader.hpp"
#include "restws/websocket/settings.hpp"
#include "restws/websocket/ws.hpp"
#include "ws_deflate.hpp"
#include "ws_poller.hpp"
#include "ws_topics.hpp"

namespace restws::websocket::basic::detail {

/// A frame waiting to be written.
struct out_frame_t {
  std::array<std::byte, protocol::max_frame_header_size> header;
  std::uint8_t header_size = 0;
  /// The payload is a published message's, shared with other threads' queues: not recycled
  /// (ws_recycling.cpp reuses a block only its thread can reach).
  bool shared = false;
  shared_payload_t payload;  ///< may be null (empty payload)
  write_status_cb_t cb;
};

/// A connection keeps at most this much read buffer once its partial frame is complete.
inline constexpr std::size_t max_idle_pending = 4096;
/// Payload blocks up to this capacity are kept for reuse (ws_recycling.cpp); the read path
/// unmasks only payloads that fit one into a block.
inline constexpr std::size_t max_recycled_payload_capacity = 64 * 1024;

/// What a connection needs only while it is busy: a frame or message half received, frames
/// to write. An idle connection holds none (a WebSocket may stay idle for hours, by the
/// thousand); a busy one takes one from its poller's pool and gives it back when it
/// comes to rest (rest()), so steady traffic allocates nothing. A reader at a message
/// boundary is as good as a new one, so it passes from one connection to the next.
struct busy_state_t {
  protocol::frame_reader_t reader;
  std::vector<std::byte> pending;    ///< the start of a frame not complete yet (often empty)
  std::size_t pending_len = 0;       ///< bytes of pending in use
  std::size_t needed = 0;            ///< bytes the reader needs from the current frame's start
  std::vector<out_frame_t> queue;    ///< waiting for the next write
  std::vector<out_frame_t> writing;  ///< being written
  std::vector<iovec> iov;            ///< writing's bytes; iov[iov_pos..] are still to send
  std::size_t iov_pos = 0;
  std::size_t queued_bytes = 0;  ///< bytes of queue's frames
  std::chrono::steady_clock::time_point write_started{};
  // Whole-message mode: the message being assembled.
  std::string assembling;
  protocol::opcode_t assembling_opcode = protocol::opcode_t::text_frame;
  busy_state_t* next_free = nullptr;  ///< in its poller's pool
};

/// The settings a connection keeps. The connections of a reactor made with equal settings share
/// one (ws_poller_t::share_config()).
struct ws_config_t {
  asio::io_context* io = nullptr;  ///< the reactor's (never null)
  std::chrono::milliseconds close_timeout{};
  std::chrono::milliseconds write_timeout{};
  protocol::validator_settings_t limits;      ///< for the reader of a busy state
  std::shared_ptr<abstract_logger_t> logger;  ///< never null
  idle_policy_t idle;                         ///< keep-alive pings and idle timeout
  flow_limits_t flow;                         ///< backpressure
  drain_handler_t on_drain;  ///< ws_settings_t::on_drain (a config with one is not shared)
  std::shared_ptr<pubsub::detail::topic_hub_impl_t> topics;  ///< the server's hub

  bool same_as(const ws_config_t& o) const noexcept {
    return io == o.io && close_timeout == o.close_timeout && write_timeout == o.write_timeout &&
           limits == o.limits && logger == o.logger && idle == o.idle && flow == o.flow &&
           topics == o.topics && !on_drain && !o.on_drain;
  }
};

/// Room for the reference count of a connection's handles (the control block of its
/// ws_handle_t, std::shared_ptr's own): kept inside the connection, not allocated apart.
struct handle_slot_t {
#if defined(__GLIBCXX__)
  static constexpr std::size_t size = 3 * sizeof(void*);
#else
  static constexpr std::size_t size = 4 * sizeof(void*);
#endif
  alignas(void*) std::byte storage[size];
};

/// A counted reference to a connection (see ws_connection_t's lifetime).
class connection_ref_t {
 public:
  explicit connection_ref_t(ws_connection_t* c) noexcept;  ///< takes a new reference
  connection_ref_t(const connection_ref_t& o) noexcept : connection_ref_t{o.c_} {}
  connection_ref_t(connection_ref_t&& o) noexcept : c_{std::exchange(o.c_, nullptr)} {}
  connection_ref_t& operator=(connection_ref_t o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~connection_ref_t();
  ws_connection_t* operator->() const noexcept { return c_; }
  ws_connection_t& operator*() const noexcept { return *c_; }

 private:
  ws_connection_t* c_ = nullptr;
};

/// Lifetime: a connection counts its references itself (an idle WebSocket would pay 32 bytes for
/// std::shared_ptr's control block and enable_shared_from_this). They are held by the poller
/// while the socket is registered, by work posted or timers armed for it, and by its handles'
/// control block (handle_slot_t) until the last ws_handle_t and std::weak_ptr<ws_t> are gone.
/// The connection drops its own weak handle (owner_) once closed, so nothing cycles.
///
/// The poller's entry is a base too: ws_poller_t links connections without allocating.
class ws_connection_t : public handle_slot_t, public ws_t, public poll_entry_t {
 public:
  /// Made with new and held by connection_ref_t at once (no reference yet); never deleted.
  /// `subprotocol`: the one agreed at upgrade (empty: none).
  /// `deflate`: permessage-deflate as agreed at upgrade (std::nullopt: not negotiated).
  /// `role`: client for a connection restws opened (client/): frames it sends are masked, frames
  /// it receives must not be, and permessage-deflate's parameters apply the other way round.
  ws_connection_t(connection_handoff_t handoff, message_handler_t handler,
                  const ws_settings_t& settings, std::string subprotocol = {},
                  const std::optional<protocol::deflate_agreement_t>& deflate = std::nullopt,
                  protocol::role_t role = protocol::role_t::server);
  ~ws_connection_t();
  /// From a slab_pool_t: idle WebSockets, packed, pin no freed HTTP buffers (slab_pool.hpp).
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  /// The first handle (once only, on the creating thread). The connection shuts down when the
  /// last copy of it goes.
  ws_handle_t make_handle();

  /// Writes the 101 response, then starts reading if `activate_now`. On the io thread.
  /// `registration` is the server's record of the connection (see ws_poller_t::add()).
  void start(std::string response_head, bool activate_now,
             std::shared_ptr<handoff_registration_t> registration);

  std::uint64_t connection_id() const noexcept { return connection_id_; }
  /// The reactor's io_context, which the connection's work runs on. Any thread.
  asio::io_context& io() const noexcept { return *config_->io; }
  const asio::ip::tcp::endpoint& remote_endpoint() const noexcept { return remote_endpoint_; }
  /// The subprotocol agreed at upgrade, empty if none. Any thread (fixed at construction).
  std::string_view subprotocol() const noexcept {
    return has_subprotocol_ ? std::string_view{extras_->subprotocol} : std::string_view{};
  }
  /// True once no further frame may be queued (close sent or socket gone). Any thread.
  bool closed() const noexcept { return send_closed_.load(std::memory_order_acquire); }

  /// Queues a frame (from any thread) unless the backpressure policy refuses it.
  send_status_t send_from_any_thread(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
                                     shared_payload_t payload, write_status_cb_t cb,
                                     compression_t compression = compression_t::automatic);
  /// Payload bytes queued and not yet written whole. Any thread.
  std::size_t buffered_amount() const noexcept { return buffered_.load(std::memory_order_relaxed); }
  void set_drain_handler_from_any_thread(drain_handler_t handler);
  void shutdown_from_any_thread(protocol::status_code_t code, std::string reason);
  void kill_from_any_thread();
  void activate_from_any_thread();
  /// ws_t::pause_reading() / resume_reading() (ws_flow.cpp).
  void pause_reading_from_any_thread();
  void resume_reading_from_any_thread();

  // Topics (ws_topics.cpp).
  void subscribe_from_any_thread(std::string_view topic);
  void unsubscribe_from_any_thread(std::string_view topic);
  bool is_subscribed_from_any_thread(std::string_view topic) const;
  /// Publishes through the hub, skipping this connection; the receivers' count.
  std::size_t publish_from_any_thread(std::string_view topic, shared_payload_t payload,
                                      protocol::opcode_t opcode);
  /// Queues a published message unless the backpressure rules refuse it (topics.hpp); counts
  /// what happened. The write waits for the poller's end of deliveries (defer_write()). From
  /// this connection's shard, on its thread.
  void take_published(published_frame_t& frame, pubsub::detail::delivery_count_t& count);
  /// Writes what take_published() queued (ws_poller_t::end_deferred_writes()).
  void flush_deferred_write();

  // Called by the reactor's ws_poller_t.
  /// The peer's end of input (or an error) was reported. A read that returns less than it was
  /// offered no longer means the socket is drained: the end may wait behind the data, and no
  /// further edge would announce it.
  void note_input_end() noexcept { input_ended_ = true; }
  void on_readable();
  void on_writable();
  /// The io_context is being destroyed: close the socket, tell nobody.
  void detach_from_poller() noexcept;

  // Keep-alive (ws_keepalive.cpp), asked by the poller's sweep.
  const idle_policy_t& idle_policy() const noexcept { return config_->idle; }
  /// What the idle policy says now (pure: the sweep asks every connection, then acts).
  idle_decision_t idle_decision(std::uint32_t now_ms) const noexcept {
    if (!activated_ || send_closed_.load(std::memory_order_relaxed)) return {};
    return config_->idle.check(now_ms, last_rx_ms_, ping_sent_);
  }
  /// Acts on an idle_decision() that differs from doing nothing.
  void on_idle_decision(idle_decision_t decision);

  // Batched I/O through the poller's io_uring (ws_poller.hpp), when ws_settings_t::io_uring.
  bool batches_io() const noexcept { return batches_io_; }
  int native_handle() const noexcept { return fd; }
  /// True if on_readable() would read now.
  bool wants_read() const noexcept {
    return activated_ && !socket_closed_ && !read_scheduled_ && !read_paused_;
  }
  /// True if the last read was large: read on its own then (on_readable()), not in a batch.
  bool reads_large() const noexcept { return large_reads_; }
  /// Where a read must go while a frame is incomplete (the connection's own buffer), else empty.
  std::span<std::byte> own_read_space();
  /// The result of a read of the socket into `space` (bytes read, or -errno).
  void on_batched_read(std::span<std::byte> space, bool own, int result);
  /// What to send now (empty: nothing, or the connection cannot write). Stays valid until
  /// on_batched_write().
  std::span<const iovec> next_write();
  /// The result of sending (a prefix of) next_write(): bytes sent, or -errno.
  void on_batched_write(int result);
  /// The common case of a batched write, taken before next_write(): one small frame queued and
  /// nothing in flight. Copies the frame into `slot` and returns its size; 0 (nothing copied)
  /// if the case does not apply. The frame stays queued until on_batched_single_write().
  std::size_t join_single_frame(std::span<char> slot) noexcept;
  /// The result of sending the `size` bytes join_single_frame() copied: bytes sent, or -errno.
  void on_batched_single_write(int result, std::size_t size);

 private:
  /// Our busy state, taken from the pool if we have none. On the io thread.
  busy_state_t& busy() { return busy_ ? *busy_ : take_busy(); }
  busy_state_t& take_busy();
  /// Gives the busy state back if nothing in it matters any more and nobody up the stack uses
  /// it: not during a parse (processing_), a handler call (delivering_) or the poller's batch
  /// write (flush_queued_). Called where the connection's work for an event ends.
  void rest() noexcept {
    if (busy_ && !processing_ && delivering_ == 0 && !flush_queued_) give_back_busy();
  }
  void give_back_busy() noexcept;
  [[gnu::noinline]] static void clear_busy(busy_state_t& b) noexcept;
  std::size_t pending_len() const noexcept { return busy_ ? busy_->pending_len : 0; }

  template <typename F>
  void run_on_io_thread(F&& f);
  void send_on_io_thread(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
                         shared_payload_t payload, write_status_cb_t cb, compression_t compression);

  // Reading.
  void activate();
  void start_read();
  void read_loop();
  /// Takes the result of one read into `space` (got < 0: error `err`). True if the socket may
  /// hold more input (the read filled `space`).
  /// `more`: the stream may hold more (transport.hpp).
  bool consume_read(std::span<std::byte> space, bool own, ssize_t got, int err, bool more);
  void on_read_error();
  std::size_t process(std::span<std::byte> data);
  void keep_pending(std::span<const std::byte> rest);
  std::size_t pending_target(std::size_t len) const noexcept;
  /// `sunk`: the payload's own block when the reader wrote the payload there (payload_in_sink).
  void on_frame(const protocol::read_result_t& frame, std::shared_ptr<std::string> sunk);
  void deliver(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
               std::string_view payload);
  // permessage-deflate (ws_compression.cpp), with extras_->deflate.
  /// A frame of a compressed message: inflated, checked, delivered (or the connection failed).
  void on_compressed_frame(const protocol::read_result_t& frame);
  /// True if `payload` is to be sent compressed: then it is replaced by its compressed bytes.
  bool compress_for_send(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
                         shared_payload_t& payload);
  void deliver(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
               shared_payload_t payload);
  static shared_payload_t recycled_payload(std::string_view bytes);
  /// A payload block of `size` bytes (contents unspecified) to be filled, then delivered.
  static std::shared_ptr<std::string> recycled_block(std::size_t size);
  static void recycle(shared_payload_t payload) noexcept;
  static message_handle_t recycled_message();
  static void recycle(message_handle_t message) noexcept;

  // Writing.
  /// `compressed`: the payload is a permessage-deflate message (RSV1 set).
  void queue_frame(protocol::final_frame_flag_t fin, protocol::opcode_t opcode,
                   shared_payload_t payload, write_status_cb_t cb, bool compressed = false);
  void queue_raw(std::string bytes);
  /// The client's end: sets a fresh key in `h` and replaces `payload` by its masked copy.
  void mask_for_client(protocol::frame_header_t& h, shared_payload_t& payload);
  /// queue_frame() for the client's end (masked).
  [[gnu::noinline]] void queue_client_frame(protocol::final_frame_flag_t fin,
                                            protocol::opcode_t opcode, shared_payload_t payload,
                                            write_status_cb_t cb, bool compressed);
  void start_write();
  /// The queue's only frame if it can be sent from where it is (nothing in flight, no completion
  /// callback), else null. Needs busy_.
  out_frame_t* lone_frame() noexcept;
  /// lone_frame() left whole: its payload recycled, off the queue (frames queued after it stay).
  void lone_frame_sent() noexcept;
  /// Sends lone_frame() `f` straight from the queue. True if the general path must go on (the
  /// frame was not all sent).
  bool send_single_frame(out_frame_t& f);
  /// Moves the queue into iov_ once iov_ is all sent. False if there is nothing to send.
  bool load_next_write();
  /// Takes the result of a send of iov_ (sent < 0: error `err`). True to go on writing.
  bool after_send(ssize_t sent, int err);
  /// One send of what iov_ still holds; the send(2) / sendmsg(2) result.
  ssize_t send_pending();
  /// One send of `pieces`: joined into one buffer and send() when small, else sendmsg().
  ssize_t send_pieces(std::span<const iovec> pieces);
  void finish_written();
  void on_write_error(int error);
  void arm_write_watchdog();

  // Backpressure (ws_flow.cpp). Only the io thread changes buffered_, so it is updated with plain
  // loads and stores (no locked instruction); other threads read it relaxed.
  void add_buffered(std::size_t n) noexcept {
    const std::size_t b = buffered_.load(std::memory_order_relaxed) + n;
    buffered_.store(b, std::memory_order_relaxed);
    if (config_->flow.over(b)) [[unlikely]]
      on_over_limit();
  }
  void sub_buffered(std::size_t n) noexcept {
    const std::size_t b = buffered_.load(std::memory_order_relaxed) - n;
    buffered_.store(b, std::memory_order_relaxed);
    if (over_limit_ && config_->flow.drained(b)) [[unlikely]]
      on_drained();
  }
  void on_over_limit() noexcept;
  void on_drained();
  /// A data frame the policy refused (drop or fail); any thread.
  send_status_t refuse_send(send_decision_t decision, write_status_cb_t cb);
  void fail_on_backpressure();
  void run_drain_handler();
  /// Parses what process() left in `pending` when reading paused (complete frames, maybe).
  void process_pending();

  // Topics.
  topic_shard_t* topic_shard(bool create);
  /// Leaves every topic (once no data frame can be queued any more).
  void leave_topics() noexcept;
  const published_frame_t::variant_t& compressed_variant(published_frame_t& frame);

  // Closing.
  void send_close(protocol::status_code_t code, std::string_view reason);
  void fail(protocol::status_code_t code, std::string_view reason);
  /// Fails the connection (close frame with `code`, input ignored, handler told) without the
  /// bad-frame log line.
  void fail_connection(protocol::status_code_t code, std::string_view reason);
  void finish_after_close_sent();
  void arm_close_timer();
  /// Closes and destroys the socket; the handler learns `code` unless it saw a close already.
  void close_socket(protocol::status_code_t code = protocol::status_code_t::abnormal_closure,
                    std::string_view reason = {});
  /// Marks the connection closed for good and closes the socket (the registration is gone).
  void mark_socket_closed() noexcept;
  void release_handler();
  void notify_closed(protocol::status_code_t code, std::string_view reason);

  // Handles.
  struct handle_deleter_t {
    void operator()(ws_t* ws) const noexcept;
  };
  template <typename T>
  struct slot_allocator_t;
  /// A handle for the handler, or null once every handle is gone.
  ws_handle_t lock_owner() const noexcept {
    return owner_is_strong_ ? owner_strong_ : owner_weak_.lock();
  }
  bool owner_expired() const noexcept { return !owner_is_strong_ && owner_weak_.expired(); }
  /// Drops our own handle (strong with keep_open) or weak one: the last may free the slot.
  void drop_owner() noexcept;

  // Touched for every message: kept together, first, so that a message costs few cache lines
  // when many connections are busy. The socket is poll_entry_t::fd (-1 once closed). Only the
  // io thread touches the flags (send_closed_ and detached_ are atomic); those used for every
  // message are plain bools, the others bit-fields in the endpoint's shadow (below).
  std::atomic<std::uint32_t> refs_{0};
  bool activated_ = false;
  bool read_scheduled_ = false;  ///< a read_loop() is posted
  bool processing_ = false;
  bool socket_closed_ = false;
  bool write_blocked_ = false;            ///< the socket is full: waiting for on_writable()
  bool large_reads_ = false;              ///< the last read was too large to batch the next one
  std::atomic<bool> send_closed_{false};  ///< a close frame is queued, or the socket is gone
  std::atomic<bool> detached_{false};     ///< socket closed and destroyed: no more work to post
  std::atomic<std::size_t> buffered_{0};  ///< payload bytes queued, not yet written whole
  std::unique_ptr<busy_state_t> busy_;    ///< null while idle
  message_handler_t handler_;
  // Our handle for the handler's calls: strong with keep_open (until we close), else weak.
  union {
    std::weak_ptr<ws_t> owner_weak_;
    std::shared_ptr<ws_t> owner_strong_;
  };

  // Seldom used.
  ws_poller_t* poller_;  ///< our reactor's (null once it is gone)
  std::shared_ptr<const ws_config_t> config_;
  std::uint64_t connection_id_;
  asio::ip::tcp::endpoint remote_endpoint_;
  std::uint16_t delivering_ = 0;     ///< depth of handler calls in progress
  bool failed_ : 1 = false;          ///< a protocol violation: input is ignored from now on
  bool close_received_ : 1 = false;  ///< the peer's close frame arrived
  bool write_failed_ : 1 = false;
  /// The poller is sending what next_write() or join_single_frame() gave it; nothing else may
  /// write until its result arrives (a handler run meanwhile, e.g. by another connection's
  /// close, would send those bytes again).
  bool batched_write_in_flight_ : 1 = false;
  bool batches_io_ : 1 = false;    ///< reads and writes go through the poller's io_uring batches
  bool flush_queued_ : 1 = false;  ///< in the poller's list of connections with writes to batch
  bool auto_pong_ : 1 = false;
  bool deliver_whole_messages_ : 1 = false;
  bool want_io_uring_ : 1 = false;
  bool io_uring_automatic_ : 1 = false;  ///< ws_settings_t::io_uring is automatic
  bool write_timer_armed_ : 1 = false;
  bool close_written_ : 1 = false;   ///< our close frame left
  bool close_notified_ : 1 = false;  ///< the handler saw a close message
  bool shut_down_send_ : 1 = false;
  bool registered_ : 1 = false;       ///< in poller_'s epoll set (we are its poll_entry_t)
  bool keep_open_ : 1 = false;        ///< ws_settings_t::keep_open
  bool owner_is_strong_ : 1 = false;  ///< owner_strong_ is the live member of the union
  bool input_ended_ : 1 = false;   ///< the peer's FIN (or an error) was reported: read to the end
  bool ping_sent_ : 1 = false;     ///< a keep-alive ping is out and nothing arrived since
  bool over_limit_ : 1 = false;    ///< buffered_ went over max_backpressure, not drained yet
  bool read_paused_ : 1 = false;   ///< throttled or held: no reading until the queue drains
  bool reading_held_ : 1 = false;  ///< ws_t::pause_reading(): read_paused_ until resumed
  bool pending_unparsed_ : 1 = false;  ///< pending holds bytes a paused process() left
  bool subscribed_ : 1 = false;        ///< has (or had, before leave_topics()) topics in its shard
  bool write_deferred_ : 1 = false;    ///< in the poller's list of deferred writes
  bool publish_drop_logged_ : 1 = false;  ///< published messages dropped: said once
  bool tls_ : 1 = false;     ///< extras_->tls is the transport (transport.hpp); else plain TCP
  bool client_ : 1 = false;  ///< the client's end: frames sent are masked (mask_for_client())
  /// extras_ holds a subprotocol (and so lives as long as we do). Set in the constructor and
  /// never changed, so any thread may read it; a byte of what was padding.
  bool has_subprotocol_ = false;
  std::uint32_t last_rx_ms_ = 0;  ///< ws_poller_t::now_ms() of the last read with data
  // What only some connections need, so that the others pay one null pointer for all of it.
  // Timers exist only while needed (a blocked write, a close in progress); so does a drain
  // handler set for this connection alone. All go when the socket closes. A negotiated
  // subprotocol lives here too: then the struct is made with the connection and stays until it
  // goes (only its timers and drain handler go at the close), so ws_t::subprotocol() may read it
  // from any thread.
  struct extras_t {
    // Timers on the heap when used: an extras_t made for another field (permessage-deflate, a
    // subprotocol) then costs 8 bytes for each, not a timer's 120.
    std::unique_ptr<asio::steady_timer> write;
    std::unique_ptr<asio::steady_timer> close;
    drain_handler_t drain;
    std::string subprotocol;                  ///< fixed at construction
    std::unique_ptr<ws_deflate_t> deflate;    ///< permessage-deflate, when agreed
    restws::detail::tls_transport_ptr_t tls;  ///< TLS over the socket (tls_ says so)
  };
  std::unique_ptr<extras_t> extras_;
  asio::steady_timer& timer(std::unique_ptr<asio::steady_timer>& t) {
    if (!t) t = std::make_unique<asio::steady_timer>(io());
    return *t;
  }
  extras_t& extras() {
    if (!extras_) extras_ = std::make_unique<extras_t>();
    return *extras_;
  }
  /// The TLS transport, null for plain TCP (the usual case: one bit tested).
  restws::detail::tls_transport_t* tls() const noexcept {
    return tls_ ? extras_->tls.get() : nullptr;
  }
};

inline connection_ref_t::connection_ref_t(ws_connection_t* c) noexcept : c_{c} {
  if (c_) c_->retain();
}

inline connection_ref_t::~connection_ref_t() {
  if (c_) c_->release();
}

template <typename F>
void ws_connection_t::run_on_io_thread(F&& f) {
  asio::dispatch(io(), [self = connection_ref_t{this}, f = std::forward<F>(f)]() mutable { f(); });
}

}  // namespace restws::websocket::basic::detail
