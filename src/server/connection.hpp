#pragma once
// One HTTP/1.1 connection: reads into a reused buffer, parses with request_parser_t, dispatches
// requests to the handler (at most max_pipelined_requests at once), writes responses strictly in
// request order with gather writes, enforces its deadlines when the reactor's timer asks.
// Every member function runs on the reactor's thread except write_response(), which marshals.
// The socket leaves Asio at once: the reactor's fd_poller_t reports it ready, and the connection
// reads and writes it with plain non-blocking system calls (fd_poller.hpp says why).

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <sys/uio.h>

#include <asio/ip/tcp.hpp>

#include "reactor.hpp"
#include "restws/http/request_parser.hpp"
#include "restws/server/connection_handoff.hpp"
#include "restws/server/request.hpp"
#include "slab_pool.hpp"

namespace restws::detail {

inline constexpr auto never = clock_t::time_point::max();

/// "HTTP/1.1 <code> <reason>" with Date, Content-Length: 0 (and Connection: close if `close`).
std::string simple_response(http_status_line_t status, bool close);

class connection_t final : public response_sink_t,
                           public std::enable_shared_from_this<connection_t> {
 public:
  connection_t(reactor_t& reactor, asio::ip::tcp::socket socket, connection_id_t id);
  ~connection_t() override;

  void start();
  /// Coarse-timer callback: enforces the read, write, handling and linger deadlines.
  void check_deadlines(clock_t::time_point now);
  /// The server stops: close if idle, else finish in-flight responses then close.
  void on_server_stop();

  void write_response(request_id_t id, response_part_t part) override;
  void write_whole_response(request_id_t id, std::string_view head, std::string_view body,
                            bool close_connection) override;
  connection_handoff_t take_connection(request_id_t id) override;
  abstract_logger_t* logger() const noexcept override { return &reactor_.logger(); }

  /// From the reactor's fd_poller_t: the socket has input (or its end, or an error) and/or
  /// output space.
  void on_poll_event(std::uint32_t events);
  /// A read deferred by start_read(): reads now if one is still wanted.
  void read_deferred();
  /// on_poll_event() without its read, for a round whose reads go through io_uring
  /// (fd_poller_t): handles the events, and returns true if a read is wanted.
  bool poll_event_for_batch(std::uint32_t events);
  /// Where the batched read goes (empty: none is wanted any more). Asked after every event of
  /// the round was handled, so no handler runs between this and on_batched_read(); and a
  /// connection that is reading never has its buffer resized, moved or handed off.
  std::span<char> batched_read_space() noexcept;
  /// The result of that read: a byte count or -errno (-ECANCELED: never submitted, so read now
  /// with recv()).
  void on_batched_read(int result);
  int fd() const noexcept { return fd_; }
  /// The pieces a batched write sends (empty: nothing to send any more); clears the request.
  std::span<iovec> batched_write_pieces() noexcept;
  /// Its result: bytes sent or -errno (-ECANCELED: never submitted).
  void on_batched_write(int result);

  // Intrusive list links and the list's ownership (managed by reactor_t).
  connection_t* prev_ = nullptr;
  connection_t* next_ = nullptr;
  std::shared_ptr<connection_t> self_;

 private:
  enum class state_t : unsigned char { active, closing, lingering, closed, handed_off };

  /// Response bytes received for one request, not yet handed to a write. The usual response is
  /// one string (head with a small body), which needs no vector.
  struct out_parts_t {
    std::string first;
    std::vector<std::string> more;

    void add(std::string s) {
      if (s.empty()) return;
      if (first.empty() && more.empty())
        first = std::move(s);
      else
        more.push_back(std::move(s));
    }
    void move_to(std::vector<std::string>& out) {
      if (!first.empty()) out.push_back(std::move(first));
      first.clear();
      for (auto& s : more) out.push_back(std::move(s));
      more.clear();
    }
  };

  struct pending_t {
    request_id_t id = 0;
    out_parts_t parts;
    clock_t::time_point handle_deadline = clock_t::time_point::max();
    bool dispatched = false;  ///< the handler has it
    bool started = false;     ///< some response bytes arrived (a 503 can no longer be sent)
    bool complete = false;    ///< the last part arrived
    bool close_after = false;
    bool upgrade = false;
    bool close_requested = false;  ///< the request asked for the connection to close
  };

  /// A response part for request `id`, on the reactor's thread. `try_at_once`: a whole response
  /// may be sent from here (false: the socket just refused it).
  void on_response(request_id_t id, response_part_t&& part, bool try_at_once = true);
  /// The whole response to `p` may be sent from here: `p` is the oldest request, its first
  /// bytes, nothing is being written and the connection stays open.
  bool can_send_at_once(const pending_t& p, bool close_connection) const noexcept;
  /// One send() of the whole response to the oldest request (can_send_at_once()), head then
  /// body. If all of it went, the request is done (and the next input processed). Returns the
  /// bytes sent.
  std::size_t send_at_once(std::string_view head, std::string_view body);
  pending_t* find_pending(request_id_t id);
  std::size_t in_handling() const noexcept;

  void process_input();
  bool parse_step();  // false: stop the loop
  bool need_more_input();
  void dispatch(request_id_t id);
  std::string describe_request(const request_t& req) const;
  void answer_now(request_id_t id, http_status_line_t status);
  void reject_bad_request();
  void enter_closing();

  void start_read();
  void issue_read();
  /// One recv() into the buffer (a read is wanted and the socket may have input).
  void do_read();
  /// What do_read() does with a read's result (`got` bytes, or -1 and `err`; `more`: the
  /// stream may hold more input, transport.hpp).
  void on_recv_result(ssize_t got, int err, bool more);
  void on_read(const std::error_code& ec, std::size_t n);
  // TLS (connection_tls.cpp).
  void start_tls(std::shared_ptr<const class tls_contexts_t> contexts);
  /// At tls_handshake_deadline_: true if the handshake is done, else closes (logged).
  bool check_tls_handshake();
  /// A TLS connection's read failed or ended: says why in the log when it is worth a line.
  void log_tls_end(int err);
  void try_write();
  /// Sends what write_iov_ still holds until done (on_write()) or the socket is full.
  void continue_write();
  static void announce_close(std::string& head);
  void on_write(const std::error_code& ec);

  void close_gracefully();
  void close_now();
  void unlink();

  reactor_t& reactor_;  ///< used on the reactor's thread only; other threads go through gate_
  std::shared_ptr<reactor_gate_t> gate_;
  const server_config_t& config_;
  int fd_ = -1;              ///< the socket (non-blocking), -1 once closed or handed off
  tls_transport_ptr_t tls_;  ///< TLS over the socket (transport.hpp), null for plain TCP
  connection_id_t id_;
  asio::ip::tcp::endpoint remote_;
  http::request_parser_t parser_;

  /// Read buffers of the default size come from a pool, as connections do (reactor.cpp):
  /// handshakes in flight then leave no holes in the heap among the WebSockets they open.
  using buffer_allocator_t =
      pooled_allocator_t<char, 16 * 1024, default_buffer_size + 1>;  // + 1: std::string's NUL
  std::basic_string<char, std::char_traits<char>, buffer_allocator_t> buffer_;
  std::size_t begin_ = 0;  ///< unparsed input is buffer_[begin_, end_)
  std::size_t end_ = 0;
  bool head_parsed_ = false;  ///< reading the body of the request at the back of pending_
  bool ready_ = false;        ///< a complete request waits in current_* (upgrade barrier)
  http_request_header_t current_header_;
  std::string current_body_;
  http_header_fields_t current_trailers_;

  /// Requests received and not fully answered, oldest first (a few at most: the pipelining
  /// limit). A vector, not a deque: libstdc++'s deque allocates 576 bytes up front, which every
  /// idle keep-alive connection would hold.
  std::vector<pending_t> pending_;
  request_id_t next_id_ = 1;

  state_t state_ = state_t::active;
  bool reading_ = false;   ///< a read is wanted: the next input is read when it comes
  bool readable_ = false;  ///< the socket may hold input (no read drained it since its last edge)
  /// The peer's end of input (or an error) was reported: a short read no longer means drained
  /// (the end may wait behind the data, and no further edge would announce it).
  bool input_ended_ = false;
  bool writing_ = false;
  bool write_blocked_ = false;  ///< the socket is full: continue_write() at the next edge
  bool peer_eof_ = false;
  bool processing_ = false;
  bool linked_ = false;
  /// The last read filled the buffer: the next one gets a larger one (up to max_read_buffer).
  bool read_filled_ = false;
  bool flush_wanted_ = false;  ///< queued in the poller's flush list (a batched round)
  std::vector<std::string> write_strings_;
  std::vector<iovec> write_iov_;  ///< write_strings_' bytes; [write_pos_..] are still to send
  std::size_t write_pos_ = 0;

  clock_t::time_point read_deadline_ = clock_t::time_point::max();
  clock_t::time_point write_deadline_ = clock_t::time_point::max();
  clock_t::time_point linger_deadline_ = clock_t::time_point::max();
  clock_t::time_point tls_handshake_deadline_ = clock_t::time_point::max();

  friend class reactor_t;
};

}  // namespace restws::detail
