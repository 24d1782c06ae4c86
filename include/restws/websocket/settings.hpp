#pragma once
// Per-WebSocket settings: limits, delivery mode and the opt-in conveniences RESTinio lacks.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "restws/server/io_uring_mode.hpp"
#include "restws/websocket/protocol/subprotocol.hpp"

namespace restws::websocket::basic {

/// ws_settings_t::io_uring (the same modes as server_settings_t::io_uring for HTTP).
using restws::io_uring_mode_t;

class ws_t;

/// What a send that finds the connection's queue over ws_settings_t::max_backpressure does.
enum class backpressure_policy_t : std::uint8_t {
  /// The frame is queued; the library stops reading this peer's frames while the queue is over
  /// the limit and reads on once it is down to the low-water mark, so a peer that does not read
  /// is slowed by TCP itself and nothing is lost. Bounds what servers that answer what they read
  /// (echo, request/response) hold; other producers wait for the drain handler.
  throttle,
  /// The frame is not queued: send_message() returns send_status_t::dropped and its write
  /// callback (if any) gets send_error_t::backpressure_limit.
  drop,
  /// The connection is failed with close code 1008 (policy violation) and a log line, as
  /// uWebSockets' closeOnBackpressureLimit; the frame is not queued (send_status_t::closed).
  close,
};

/// Called on the connection's thread when its queue falls to the low-water mark after having
/// gone over max_backpressure: a producer that paused may resume.
using drain_handler_t = std::function<void(std::shared_ptr<ws_t>)>;

/// ws_settings_t::subprotocol_selector: given the client's offers (its order, never empty),
/// returns the one to speak, or std::nullopt for none.
using protocol::subprotocol_selector_t;

struct ws_settings_t {
  /// Largest frame payload accepted; a bigger one fails the connection with 1009.
  std::uint64_t max_frame_size = 16 * 1024 * 1024;
  /// Largest message (sum of its frames) accepted; a bigger one fails with 1009.
  std::uint64_t max_message_size = 16 * 1024 * 1024;
  /// false (RESTinio's behaviour): every data frame is delivered as it arrives, with its final
  /// flag. true: the frames of a message are joined and delivered once, as one final message with
  /// the first frame's opcode.
  bool deliver_whole_messages = false;
  /// Answer pings with pongs in the library (pings are still delivered to the handler).
  bool auto_pong = false;
  /// How long shutdown() (or the answer to a peer's close) waits for the peer to finish the close
  /// handshake before dropping TCP.
  std::chrono::milliseconds close_timeout{5000};
  /// A write the peer does not take in this time (the socket stays full: the peer does not read)
  /// fails the connection: the handler sees a close with 1011, unsent frames' callbacks get
  /// operation_aborted.
  std::chrono::milliseconds write_timeout{5000};
  /// Batch system calls with Linux io_uring: the reads of all such WebSockets of a reactor that
  /// become readable together go to the kernel in one io_uring submission, and so do the writes
  /// their handlers queued meanwhile, instead of one recv() and one send() per connection. Pays
  /// where system calls are dear (kernel page-table isolation, paravirtualised guests) and many
  /// connections are busy at once; a round with a single ready socket uses plain calls. Where
  /// system calls are cheap, plain calls were as fast or faster (docs/benchmarks.md), so the
  /// default, `automatic`, decides by measuring (io_uring_mode_t). Where io_uring is unavailable
  /// (a build without liburing, a kernel or sandbox that refuses it) the connection uses plain
  /// system calls, as with `off`, and the server logs it once.
  io_uring_mode_t io_uring = io_uring_mode_t::automatic;
  /// false (RESTinio's rule): the WebSocket closes (1000) when the last ws_handle_t to it goes
  /// away, so the application keeps one for as long as it wants the connection. true: the
  /// library holds a handle until the connection closes (the peer's close, shutdown(), kill(),
  /// a failure or the server's stop), for servers that answer only from their message handler
  /// (it still gets a handle with every message) and need no registry of connections.
  bool keep_open = false;

  // ---- keep-alive and idle timeout (docs/websocket.md) ----------------------------------------
  /// A connection from which nothing arrives for this long is closed with 1001 (going away,
  /// reason "idle timeout"); the handler sees that close at once, and a peer that does not answer
  /// the close frame within close_timeout is dropped. With send_pings, a healthy idle peer
  /// answers the library's pings and is never closed. Zero turns the timeout (and the pings) off.
  /// Checked by one coarse timer per reactor (a period of idle_timeout / 8, at most 1 s): the
  /// close comes up to that much after the deadline.
  std::chrono::milliseconds idle_timeout{120'000};
  /// Sends a ping when nothing has arrived for half the idle timeout, so that a peer that is alive
  /// but has nothing to say (a browser tab) answers with a pong and stays open. The pongs that
  /// answer these pings are not delivered to the handler (their payload is "restws-keepalive");
  /// every other frame is. A peer that keeps sending is never pinged.
  bool send_pings = true;

  // ---- backpressure (docs/websocket.md) -------------------------------------------------------
  /// Payload bytes a connection may have queued and not yet taken by the kernel
  /// (ws_t::buffered_amount()) before `backpressure_policy` applies to its sends.
  std::size_t max_backpressure = 1024 * 1024;
  /// The queue's low-water mark: throttled reading resumes and the drain handler is called when
  /// the queue is back down to it. Zero: half of max_backpressure.
  std::size_t backpressure_low_water = 0;
  backpressure_policy_t backpressure_policy = backpressure_policy_t::throttle;
  /// Called for every connection made with these settings when its queue drains (see
  /// drain_handler_t); ws_t::set_drain_handler() sets one for a single connection instead.
  drain_handler_t on_drain;

  // ---- subprotocols (docs/websocket.md) -------------------------------------------------------
  /// The subprotocols the server speaks, in its order of preference (e.g. {"graphql-transport-ws",
  /// "graphql-ws"}). upgrade() answers with the first of them that the client offered in its
  /// Sec-WebSocket-Protocol fields (names compare exactly) and ws_t::subprotocol() says which.
  /// When the client offered none of them, the upgrade goes on without Sec-WebSocket-Protocol
  /// (RFC 6455 §4.2.2), unless require_subprotocol. Offers that are not a comma-separated list
  /// of tokens get 400. Empty (the default) and no selector: the library negotiates nothing and
  /// does not read the field (RESTinio's behaviour).
  std::vector<std::string> subprotocols;
  /// Chooses instead of the list above: called in upgrade(), on the handler's thread, with the
  /// client's offers when it made some; returns one of them, or std::nullopt for none. Returning
  /// a name the client did not offer is a programmer error: upgrade() throws std::logic_error
  /// (the server answers 500).
  subprotocol_selector_t subprotocol_selector;
  /// true: a client that offers no subprotocol the server speaks (or none at all) gets 400, and
  /// the server logs it (warn); upgrade() throws upgrade_error_t. false (the default): such a
  /// client gets a WebSocket without a subprotocol, and must close it if it needs one.
  bool require_subprotocol = false;

  // ---- Origin check (docs/websocket.md) -------------------------------------------------------
  /// The web origins whose pages may open this WebSocket: exact ones, `https://app.example.com`
  /// or `https://app.example.com:8443`, or wildcards `https://*.example.com` (any subdomain,
  /// at any depth, but not `https://example.com` itself: list it too if wanted). Scheme and host
  /// compare case-insensitively and a default port equals none (`https://x:443` is
  /// `https://x`). A request whose Origin is not in the list gets 403, and the server logs the
  /// origin (warn); upgrade() throws upgrade_error_t. So does `Origin: null`, an Origin that is
  /// not one origin, and a request with several Origin fields. A request without Origin (no
  /// browser sends one without) passes unless require_origin. Empty (the default): every origin
  /// is allowed. Browsers send cookies with a WebSocket handshake from any site, and do not
  /// apply CORS to it: a server that authenticates WebSockets by cookie should set this list
  /// (cross-site WebSocket hijacking). An entry that is no origin nor wildcard (a path, `null`,
  /// `*`) makes upgrade() throw std::invalid_argument (answered 500).
  std::vector<std::string> allowed_origins;
  /// true: a request without an Origin field gets 403 (and a log line); for servers only
  /// browsers talk to. With allowed_origins empty, any single well-formed Origin then passes.
  bool require_origin = false;

  // ---- permessage-deflate (docs/compression.md) -----------------------------------------------
  /// Compression (RFC 7692). Off by default, as in uWebSockets and Beast: one line turns it on,
  /// `settings.deflate.enabled = true`, and every browser, Python websockets and Node ws then
  /// negotiate it.
  struct deflate_t {
    /// Accept a client's permessage-deflate offer.
    bool enabled = false;
    /// zlib level, 1 (fastest) to 9 (smallest). 1 costs a fraction of 6 for most of the gain on
    /// JSON-like text (docs/compression.md has the figures).
    int level = 1;
    /// The server's LZ77 window, 9–15 bits (a client may ask for less, down to 8).
    std::uint8_t server_max_window_bits = 15;
    /// zlib memLevel 1–9 for the server's compressor: 2^(mem_level+9) bytes of match finder.
    std::uint8_t mem_level = 8;
    /// true (the default): each message the server sends is compressed on its own, by one
    /// compressor per thread shared by all connections, so a connection holds no compressor
    /// state (0 bytes) at the cost of a weaker ratio. false: each connection keeps its own
    /// window (about 256 KiB at 15 bits and memLevel 8), like uWebSockets' DEDICATED_COMPRESSOR.
    bool server_no_context_takeover = true;
    /// true (the default): the server asks clients to compress each message on its own, so that
    /// it keeps no decompressor state between messages (one per thread serves them all). false:
    /// a client that keeps context costs the server its window (32 KiB at 15 bits) plus zlib's
    /// ~7 KiB per connection while the connection lives.
    bool client_no_context_takeover = true;
    /// Window the server asks clients to use when they allow it (client_max_window_bits), 8–15.
    std::uint8_t client_max_window_bits = 15;
    /// Messages shorter than this are sent uncompressed (RSV1 clear): below a few dozen bytes
    /// deflate saves nothing and costs a call.
    std::size_t min_size = 64;
  };
  deflate_t deflate;
};

}  // namespace restws::websocket::basic
