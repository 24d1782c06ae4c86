#pragma once
// Response builders returned by request_t::create_response<Output>():
//   restws_controlled_output_t (default): fields + whole body; done() sets Content-Length.
//   chunked_output_t: fields, then chunks sent with flush()/done() (Transfer-Encoding: chunked).
// The status line and fields are serialised into one buffer as they are appended.
//
// Thread-safety: a builder is used by one thread at a time, any thread; sending is marshalled to
// the connection's io_context by the sink.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "restws/http/status.hpp"
#include "restws/server/request_handling_status.hpp"

namespace restws {

class request_t;

/// Output kind: the body is collected and sent at done() with Content-Length.
struct restws_controlled_output_t {};
/// Output kind: the body is sent at done() as is; the handler sets Content-Length itself.
struct user_controlled_output_t {};
/// Output kind: the body is sent as chunks (for HTTP/1.0 peers: unframed, then close).
struct chunked_output_t {};

/// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted at most
/// once a second per thread. The view stays valid on this thread until the next call.
std::string_view http_date_now() noexcept;

namespace detail {

/// Non-template machinery shared by the builders (compiled in src/server/response_builder.cpp).
class response_builder_base_t {
 public:
  response_builder_base_t(response_builder_base_t&& o) noexcept
      : req_{std::move(o.req_)},
        body_{std::move(o.body_)},
        close_{o.close_},
        head_sent_{o.head_sent_},
        done_{o.done_},
        big_head_{std::move(o.big_head_)},
        small_size_{o.small_size_},
        spilled_{o.spilled_} {
    std::memcpy(small_head_, o.small_head_, small_size_);  // only the bytes in use
    o.small_size_ = 0;
    o.spilled_ = false;
  }
  response_builder_base_t& operator=(response_builder_base_t&& o) noexcept {
    if (this == &o) return *this;
    req_ = std::move(o.req_);
    body_ = std::move(o.body_);
    close_ = o.close_;
    head_sent_ = o.head_sent_;
    done_ = o.done_;
    big_head_ = std::move(o.big_head_);
    small_size_ = o.small_size_;
    spilled_ = o.spilled_;
    std::memcpy(small_head_, o.small_head_, small_size_);
    o.small_size_ = 0;
    o.spilled_ = false;
    return *this;
  }
  response_builder_base_t(const response_builder_base_t&) = delete;
  response_builder_base_t& operator=(const response_builder_base_t&) = delete;
  ~response_builder_base_t() = default;

 protected:
  response_builder_base_t(std::shared_ptr<request_t> req, http_status_line_t status);

  void add_field(std::string_view name, std::string_view value);
  void add_date_field();
  void set_close(bool close) noexcept { close_ = close; }
  /// Whole-body output: ends the head (Content-Length if `add_length`, Connection) and sends
  /// head and body_.
  void send_whole(bool add_length);
  /// Chunked output: frames `data` as one chunk into the pending bytes.
  void add_chunk(std::string_view data);
  /// Chunked output: sends the head (first time) and the pending chunks; `last` ends the body.
  void send_chunks(bool last);

  std::shared_ptr<request_t> req_;
  std::string body_;
  bool close_ = false;
  bool head_sent_ = false;
  bool done_ = false;

 private:
  bool closing() const noexcept;
  bool head_only() const noexcept;
  void end_head(std::string_view framing_field);
  /// Room for `n` more head bytes at the end of the head (which grows by `n`).
  char* extend_head(std::size_t n) {
    if (!spilled_ && n <= small_head_capacity - small_size_) {
      char* p = small_head_ + small_size_;
      small_size_ += static_cast<std::uint32_t>(n);
      return p;
    }
    return extend_big_head(n);
  }
  char* extend_big_head(std::size_t n);
  const char* head_data() const noexcept { return spilled_ ? big_head_.data() : small_head_; }
  std::size_t head_size() const noexcept { return spilled_ ? big_head_.size() : small_size_; }
  /// The head as one string; the head is empty afterwards.
  std::string take_head();

  // The head (status line and fields) as appended: in small_head_ while it fits (no heap block
  // per response), then in big_head_.
  static constexpr std::size_t small_head_capacity = 192;
  std::string big_head_;
  std::uint32_t small_size_ = 0;
  bool spilled_ = false;
  char small_head_[small_head_capacity];  ///< [0, small_size_) in use, the rest unset
};

}  // namespace detail

/// Builder of a response whose whole body is given before done(): restws_controlled_output_t
/// (Content-Length computed) or user_controlled_output_t (the handler sets Content-Length).
template <typename Output>
class response_builder_t : public detail::response_builder_base_t {
  static_assert(std::is_same_v<Output, restws_controlled_output_t> ||
                    std::is_same_v<Output, user_controlled_output_t>,
                "Output: restws_controlled_output_t, user_controlled_output_t or chunked_output_t");

 public:
  response_builder_t(std::shared_ptr<request_t> req, http_status_line_t status)
      : response_builder_base_t{std::move(req), status} {}

  /// Appends a field (kept in order, repeats allowed). Names and values must not contain CR/LF.
  response_builder_t& append_header(std::string_view name, std::string_view value) & {
    add_field(name, value);
    return *this;
  }
  response_builder_t&& append_header(std::string_view name, std::string_view value) && {
    add_field(name, value);
    return std::move(*this);
  }
  /// Appends `Date: <now>` (cached, refreshed once a second).
  response_builder_t& append_header_date_field() & {
    add_date_field();
    return *this;
  }
  response_builder_t&& append_header_date_field() && {
    add_date_field();
    return std::move(*this);
  }
  /// The response carries `Connection: close` and the connection closes after it.
  response_builder_t& connection_close() & {
    set_close(true);
    return *this;
  }
  response_builder_t&& connection_close() && {
    set_close(true);
    return std::move(*this);
  }
  /// Keep the connection open if the request allows it (the default).
  response_builder_t& connection_keep_alive() & {
    set_close(false);
    return *this;
  }
  response_builder_t&& connection_keep_alive() && {
    set_close(false);
    return std::move(*this);
  }
  /// Replaces the body.
  response_builder_t& set_body(std::string body) & {
    body_ = std::move(body);
    return *this;
  }
  response_builder_t&& set_body(std::string body) && {
    body_ = std::move(body);
    return std::move(*this);
  }
  response_builder_t& set_body(std::string_view body) & { return set_body(std::string{body}); }
  response_builder_t&& set_body(std::string_view body) && {
    return std::move(*this).set_body(std::string{body});
  }
  response_builder_t& set_body(const char* body) & { return set_body(std::string{body}); }
  response_builder_t&& set_body(const char* body) && {
    return std::move(*this).set_body(std::string{body});
  }
  /// Appends to the body.
  response_builder_t& append_body(std::string_view data) & {
    body_.append(data);
    return *this;
  }
  response_builder_t&& append_body(std::string_view data) && {
    body_.append(data);
    return std::move(*this);
  }
  /// Sends the response (Content-Length added unless user_controlled_output_t; no body for HEAD,
  /// 1xx, 204, 304). Later calls do nothing. Returns request_accepted() so a handler can
  /// `return resp.done();`.
  request_handling_status_t done() {
    if (!done_) send_whole(std::is_same_v<Output, restws_controlled_output_t>);
    return request_accepted();
  }
};

/// Builder of a response sent in chunks.
template <>
class response_builder_t<chunked_output_t> : public detail::response_builder_base_t {
 public:
  response_builder_t(std::shared_ptr<request_t> req, http_status_line_t status)
      : response_builder_base_t{std::move(req), status} {}

  /// Appends a field; only before the first flush().
  response_builder_t& append_header(std::string_view name, std::string_view value) & {
    add_field(name, value);
    return *this;
  }
  response_builder_t&& append_header(std::string_view name, std::string_view value) && {
    add_field(name, value);
    return std::move(*this);
  }
  response_builder_t& append_header_date_field() & {
    add_date_field();
    return *this;
  }
  response_builder_t&& append_header_date_field() && {
    add_date_field();
    return std::move(*this);
  }
  response_builder_t& connection_close() & {
    set_close(true);
    return *this;
  }
  response_builder_t&& connection_close() && {
    set_close(true);
    return std::move(*this);
  }
  /// Queues one chunk (an empty one is ignored: it would end the body).
  response_builder_t& append_chunk(std::string_view data) & {
    add_chunk(data);
    return *this;
  }
  response_builder_t&& append_chunk(std::string_view data) && {
    add_chunk(data);
    return std::move(*this);
  }
  /// Sends the head (first time) and the queued chunks now.
  response_builder_t& flush() & {
    if (!done_) send_chunks(false);
    return *this;
  }
  response_builder_t&& flush() && {
    if (!done_) send_chunks(false);
    return std::move(*this);
  }
  /// Sends what is queued and the last chunk. Later calls do nothing.
  request_handling_status_t done() {
    if (!done_) send_chunks(true);
    return request_accepted();
  }
};

}  // namespace restws
