#pragma once
// WebSockets in C++20 coroutines (docs/websocket.md, "Coroutines"): a ws_stream_t is a ws_t
// read and written with Asio completion tokens, asio::use_awaitable among them.
//
//   asio::awaitable<void> echo(rws::ws_stream_handle_t ws) {
//     for (;;) {
//       auto m = co_await ws->read();                  // the next message
//       if (m->opcode() == rws::opcode_t::connection_close_frame) co_return;
//       co_await ws->send(*m);                         // queued under the backpressure cap
//     }
//   }
//   // in a route:  auto ws = rws::ws_stream_t::upgrade<traits_t>(*req);
//   //              asio::co_spawn(ws->get_executor(), echo(ws), asio::detached);
//   // a client:    auto ws = co_await rws::async_connect_stream(io, url);
//
// Without coroutine support in Asio (clang with libstdc++ and Asio 1.22) every operation takes
// an explicit token (a callback); RESTWS_HAS_COROUTINES says which.
//
// Reading: messages wait in the stream's inbox until read; an inbox holding max_inbox bytes
// stops reading the peer (ws_t::pause_reading()) until it is read down, so a slow coroutine
// holds its peer back instead of buffering without bound. read() gives every message the
// handler of upgrade() would get (whole messages by default: ws_settings_t::
// deliver_whole_messages; pings and pongs unless auto_pong), the close last; a read after the
// close fails with asio::error::eof.
// Writing: send() completes when the frame is queued under ws_settings_t::max_backpressure: over
// it, it waits until the queue drains. One read and one send may be outstanding at a time.
// Errors: with use_awaitable, a failed operation throws std::system_error; with
// asio::experimental::as_tuple(asio::use_awaitable) or a callback, it is an error_code.
// Completions run on the token's associated executor (for use_awaitable: the coroutine's).
// The callback API (upgrade(), async_connect()) is unchanged and costs nothing more.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/recycling_allocator.hpp>
// Coroutines where Asio has them (GCC 10+ in C++20; Asio 1.22 with clang needs
// <experimental/coroutine>). Without them the completion-token API stays, with callbacks.
#if defined(ASIO_HAS_CO_AWAIT)
#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>
#define RESTWS_HAS_COROUTINES 1
#endif

#include "restws/websocket/client.hpp"
#include "restws/websocket/upgrade.hpp"
#include "restws/websocket/ws.hpp"

namespace restws::websocket::basic {

class ws_stream_t;
using ws_stream_handle_t = std::shared_ptr<ws_stream_t>;

class ws_stream_t : public std::enable_shared_from_this<ws_stream_t> {
 public:
  using executor_type = asio::any_io_executor;

  /// Upgrades `req` (as upgrade() does: same checks, same exceptions) to a stream. Call in the
  /// route's handler, then start a coroutine on get_executor() that reads it. `settings`:
  /// deliver_whole_messages is set unless `frames` is true.
  template <typename Traits>
  static ws_stream_handle_t upgrade(request_t& req, ws_settings_t settings = {},
                                    std::size_t max_inbox = 1024 * 1024, bool frames = false) {
    auto s = make(max_inbox, settings.max_backpressure);
    settings.deliver_whole_messages = !frames;
    s->attach(basic::upgrade<Traits>(req, activation_t::immediate, s->handler(), settings));
    return s;
  }

  /// The connection's reactor: run the coroutines that use this stream there.
  executor_type get_executor() const noexcept { return executor_; }
  /// The ws_t underneath (subprotocol(), remote_endpoint(), shutdown(), kill(), topics...).
  const ws_handle_t& handle() const noexcept { return ws_; }

  /// Payload bytes received and not read yet (at most about max_inbox plus one message). Any
  /// thread.
  std::size_t inbox_size() const {
    std::lock_guard lock{mutex_};
    return inbox_bytes_;
  }

  /// Completes with the next message (void(std::error_code, message_handle_t)).
  template <typename Token>
  auto async_read(Token&& token) {
    return asio::async_initiate<Token, void(std::error_code, message_handle_t)>(
        [this](auto handler) {
          start_read(
              std::make_unique<read_op_impl_t<decltype(handler)>>(std::move(handler), executor_));
        },
        token);
  }
  /// Queues `message`; completes (void(std::error_code)) once it is queued under the cap.
  /// Fails with asio::error::eof once the connection is closed or closing.
  template <typename Token>
  auto async_send(message_t message, Token&& token) {
    return asio::async_initiate<Token, void(std::error_code)>(
        [this, message = std::move(message)](auto handler) mutable {
          start_send(std::move(message), std::make_unique<send_op_impl_t<decltype(handler)>>(
                                             std::move(handler), executor_));
        },
        token);
  }

#if RESTWS_HAS_COROUTINES
  /// co_await read(): the next message; throws std::system_error (eof after the close).
  asio::awaitable<message_handle_t> read() { return async_read(asio::use_awaitable); }
  /// co_await send(...): queues a message; throws std::system_error once closed.
  asio::awaitable<void> send(message_t message) {
    return async_send(std::move(message), asio::use_awaitable);
  }
  asio::awaitable<void> send(std::string payload, opcode_t opcode = opcode_t::text_frame) {
    return async_send(message_t{final_frame, opcode, std::move(payload)}, asio::use_awaitable);
  }
#endif
  /// Starts the close handshake (ws_t::shutdown()); read() then gives the peer's close.
  void close(status_code_t code = status_code_t::normal_closure, std::string reason = {}) {
    if (ws_) ws_->shutdown(code, std::move(reason));
  }

  // For async_connect_stream() and upgrade(): a stream not attached yet.
  static ws_stream_handle_t make(std::size_t max_inbox, std::size_t max_backpressure);
  message_handler_t handler();
  void attach(ws_handle_t ws);

 private:
  /// Operations come and go once per message: from Asio's per-thread recycling allocator, not
  /// malloc (callgrind: ~10 % of a coroutine echo's instructions went to their malloc/free).
  struct recycled_t {
    static void* operator new(std::size_t n) {
      return asio::recycling_allocator<std::byte>{}.allocate(n);
    }
    static void operator delete(void* p, std::size_t n) noexcept {
      asio::recycling_allocator<std::byte>{}.deallocate(static_cast<std::byte*>(p), n);
    }
  };
  struct read_op_t : recycled_t {
    virtual ~read_op_t() = default;
    /// `inline_ok`: the caller is no initiating function (the connection's handler, outside
    /// the stream's lock): on the handler's own executor the completion then runs at once
    /// (dispatch), which saves a trip through the reactor's queue per message.
    virtual void complete(std::error_code ec, message_handle_t m, bool inline_ok = false) = 0;
  };
  struct send_op_t : recycled_t {
    virtual ~send_op_t() = default;
    virtual void complete(std::error_code ec) = 0;
  };
  /// A pending operation: its handler, completed on its associated executor (posted unless
  /// read_op_t::complete() says it may run inline).
  template <typename Handler>
  struct read_op_impl_t final : read_op_t {
    read_op_impl_t(Handler h, executor_type fallback) : handler{std::move(h)}, fallback{fallback} {}
    void complete(std::error_code ec, message_handle_t m, bool inline_ok) override {
      auto ex = asio::get_associated_executor(handler, fallback);
      auto f = [h = std::move(handler), ec, m = std::move(m)]() mutable {
        std::move(h)(ec, std::move(m));
      };
      if (inline_ok)
        asio::dispatch(ex, std::move(f));
      else
        asio::post(ex, std::move(f));
    }
    Handler handler;
    executor_type fallback;
  };
  template <typename Handler>
  struct send_op_impl_t final : send_op_t {
    send_op_impl_t(Handler h, executor_type fallback) : handler{std::move(h)}, fallback{fallback} {}
    void complete(std::error_code ec) override {
      auto ex = asio::get_associated_executor(handler, fallback);
      asio::post(ex, [h = std::move(handler), ec]() mutable { std::move(h)(ec); });
    }
    Handler handler;
    executor_type fallback;
  };

  ws_stream_t(std::size_t max_inbox, std::size_t max_backpressure)
      : max_inbox_{max_inbox}, max_backpressure_{max_backpressure} {}
  void start_read(std::unique_ptr<read_op_t> op);
  void start_send(message_t message, std::unique_ptr<send_op_t> op);
  void on_message(message_handle_t m);
  void on_drain();

  executor_type executor_;
  ws_handle_t ws_;
  const std::size_t max_inbox_;
  const std::size_t max_backpressure_;
  mutable std::mutex mutex_;
  std::deque<message_handle_t> inbox_;
  std::size_t inbox_bytes_ = 0;
  bool paused_ = false;
  bool closed_ = false;  ///< the close message is in the inbox (or was read)
  std::unique_ptr<read_op_t> reading_;
  std::unique_ptr<send_op_t> sending_;
  message_t waiting_;  ///< the message of sending_, queued when the queue drains
};

/// Connects as async_connect() does and completes with a stream
/// (void(std::error_code, ws_stream_handle_t)): `co_await async_connect_stream(io, url)`.
void async_connect_stream_start(asio::io_context& io, std::string url, client_settings_t settings,
                                std::size_t max_inbox,
                                std::function<void(std::error_code, ws_stream_handle_t)> done);

/// `settings` is copied at the call.
template <typename Token>
auto async_connect_stream(asio::io_context& io, std::string url, const client_settings_t& settings,
                          Token&& token, std::size_t max_inbox = 1024 * 1024) {
  return asio::async_initiate<Token, void(std::error_code, ws_stream_handle_t)>(
      [io = &io](auto handler, std::string url, client_settings_t settings, std::size_t max_inbox) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        async_connect_stream_start(
            *io, std::move(url), std::move(settings), max_inbox,
            [h, io](std::error_code ec, ws_stream_handle_t s) {
              auto ex = asio::get_associated_executor(*h, io->get_executor());
              asio::post(ex, [h, ec, s]() mutable { std::move (*h)(ec, std::move(s)); });
            });
      },
      token, std::move(url), settings, max_inbox);
}

/// With the default settings.
template <typename Token>
requires(!std::is_convertible_v<Token, const client_settings_t&>) auto async_connect_stream(
    asio::io_context& io, std::string url, Token&& token) {
  return async_connect_stream(io, std::move(url), client_settings_t{}, std::forward<Token>(token));
}

#if RESTWS_HAS_COROUTINES
/// co_await async_connect_stream(io, url[, settings]): the stream, or std::system_error. (With
/// GCC 12, pass settings as a named variable, not a temporary such as `client_settings_t{}`,
/// inside a co_await expression: GCC 12 mishandles temporaries of class type there.)
inline asio::awaitable<ws_stream_handle_t> async_connect_stream(asio::io_context& io,
                                                                std::string url) {
  return async_connect_stream(io, std::move(url), client_settings_t{}, asio::use_awaitable);
}
inline asio::awaitable<ws_stream_handle_t> async_connect_stream(asio::io_context& io,
                                                                std::string url,
                                                                const client_settings_t& settings) {
  return async_connect_stream(io, std::move(url), settings, asio::use_awaitable);
}
#endif

}  // namespace restws::websocket::basic
