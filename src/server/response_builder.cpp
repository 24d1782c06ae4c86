#include "restws/server/response_builder.hpp"

#include <charconv>
#include <cstring>
#include <ctime>

#include "restws/server/request.hpp"

namespace restws {
namespace {

void append_hex(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, r.ptr);
}

void append_two_digits(char* p, int v) noexcept {
  p[0] = char('0' + v / 10);
  p[1] = char('0' + v % 10);
}

}  // namespace

std::string_view http_date_now() noexcept {
  struct cache_t {
    std::time_t second = -1;
    char text[29];
  };
  thread_local cache_t cache;
  const std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    char* p = cache.text;  // "Sun, 06 Nov 1994 08:49:37 GMT"
    std::copy_n(days[tm.tm_wday], 3, p);
    p[3] = ',';
    p[4] = ' ';
    append_two_digits(p + 5, tm.tm_mday);
    p[7] = ' ';
    std::copy_n(months[tm.tm_mon], 3, p + 8);
    p[11] = ' ';
    const int year = tm.tm_year + 1900;
    append_two_digits(p + 12, year / 100 % 100);
    append_two_digits(p + 14, year % 100);
    p[16] = ' ';
    append_two_digits(p + 17, tm.tm_hour);
    p[19] = ':';
    append_two_digits(p + 20, tm.tm_min);
    p[22] = ':';
    append_two_digits(p + 23, tm.tm_sec);
    std::copy_n(" GMT", 4, p + 25);
    cache.second = now;
  }
  return {cache.text, sizeof cache.text};
}

namespace detail {

response_builder_base_t::response_builder_base_t(std::shared_ptr<request_t> req,
                                                 http_status_line_t status)
    : req_{std::move(req)} {
  char code[24];
  const auto r = std::to_chars(code, code + sizeof code, static_cast<std::uint64_t>(status.code));
  const auto code_size = static_cast<std::size_t>(r.ptr - code);
  char* p = extend_head(9 + code_size + 1 + status.reason.size() + 2);
  std::memcpy(p, "HTTP/1.1 ", 9);
  p += 9;
  std::memcpy(p, code, code_size);
  p += code_size;
  *p++ = ' ';
  std::memcpy(p, status.reason.data(), status.reason.size());
  p += status.reason.size();
  *p++ = '\r';
  *p = '\n';
}

char* response_builder_base_t::extend_big_head(std::size_t n) {
  if (!spilled_) {
    big_head_.reserve(2 * (small_size_ + n));
    big_head_.assign(small_head_, small_size_);
    spilled_ = true;
  }
  const std::size_t at = big_head_.size();
  big_head_.resize(at + n);
  return big_head_.data() + at;
}

std::string response_builder_base_t::take_head() {
  std::string out = spilled_ ? std::move(big_head_) : std::string{small_head_, small_size_};
  big_head_ = std::string{};
  small_size_ = 0;
  spilled_ = false;
  return out;
}

void response_builder_base_t::add_field(std::string_view name, std::string_view value) {
  char* p = extend_head(name.size() + value.size() + 4);
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = ':';
  *p++ = ' ';
  std::memcpy(p, value.data(), value.size());
  p += value.size();
  *p++ = '\r';
  *p = '\n';
}

void response_builder_base_t::add_date_field() { add_field("Date", http_date_now()); }

bool response_builder_base_t::closing() const noexcept {
  return close_ || !req_->header().should_keep_alive();
}

bool response_builder_base_t::head_only() const noexcept {
  return req_->header().method() == http::method_t::head;
}

void response_builder_base_t::end_head(std::string_view framing_field) {
  std::string_view connection;
  if (closing())
    connection = "Connection: close\r\n";
  else if (req_->header().http_minor() == 0)
    connection = "Connection: keep-alive\r\n";
  char* p = extend_head(framing_field.size() + connection.size() + 2);
  if (!framing_field.empty()) std::memcpy(p, framing_field.data(), framing_field.size());
  p += framing_field.size();
  if (!connection.empty()) std::memcpy(p, connection.data(), connection.size());
  p += connection.size();
  p[0] = '\r';
  p[1] = '\n';
}

void response_builder_base_t::send_whole(bool add_length) {
  done_ = true;
  // Status code sits at a fixed place: "HTTP/1.1 NNN".
  const char* const h = head_data();
  const int code = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
  const bool no_body_allowed = code < 200 || code == 204 || code == 304;
  if (!no_body_allowed && add_length) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, body_.size());
    add_field("Content-Length", {digits, static_cast<std::size_t>(r.ptr - digits)});
  }
  end_head({});
  const bool close = closing();
  const bool with_body = !no_body_allowed && !head_only();
  if (!with_body || body_.size() <= response_sink_t::small_body_size) {
    // Lent to the sink, which sends them at once or copies them.
    req_->sink().write_whole_response(req_->request_id(), {head_data(), head_size()},
                                      with_body ? std::string_view{body_} : std::string_view{},
                                      close);
    return;
  }
  response_part_t part;
  part.close_connection = close;
  part.head = take_head();
  part.body = std::move(body_);
  req_->sink().write_response(req_->request_id(), std::move(part));
}

void response_builder_base_t::add_chunk(std::string_view data) {
  if (data.empty() || head_only()) return;
  if (req_->header().http_minor() == 0) {  // HTTP/1.0 has no chunked coding: raw bytes, then close
    body_.append(data);
    return;
  }
  append_hex(body_, data.size());
  body_.append("\r\n");
  body_.append(data);
  body_.append("\r\n");
}

void response_builder_base_t::send_chunks(bool last) {
  const bool http10 = req_->header().http_minor() == 0;
  if (http10) close_ = true;
  response_part_t part;
  if (!head_sent_) {
    end_head(http10 ? std::string_view{} : std::string_view{"Transfer-Encoding: chunked\r\n"});
    part.head = take_head();
    head_sent_ = true;
  }
  if (last) {
    done_ = true;
    if (!http10 && !head_only()) body_.append("0\r\n\r\n");
  }
  part.body = std::move(body_);
  body_.clear();
  part.last = last;
  part.close_connection = closing();
  if (part.head.empty() && part.body.empty() && !last) return;
  req_->sink().write_response(req_->request_id(), std::move(part));
}

}  // namespace detail
}  // namespace restws
