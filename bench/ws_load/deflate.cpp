#include "deflate.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace ws_load {
namespace {

constexpr std::size_t max_inflated = 64u << 20;
constexpr std::array<unsigned char, 4> tail{0x00, 0x00, 0xff, 0xff};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A window value: 8-15, quoted or not; 0 when it is anything else.
int window_bits(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc{} && end == v.data() + v.size() && n >= 8 && n <= 15 ? n : 0;
}

}  // namespace

std::string_view deflate_offer() { return "permessage-deflate; client_max_window_bits"; }

std::optional<deflate_agreement> parse_deflate_answer(std::string_view value, std::string& reason) {
  if (value.find(',') != std::string_view::npos) {
    reason = "more than one extension in the answer: " + std::string(value);
    return std::nullopt;
  }
  deflate_agreement agreed;
  bool seen[4] = {false, false, false, false};
  bool first = true;
  while (true) {
    const auto semicolon = value.find(';');
    const auto part = trim(value.substr(0, semicolon));
    if (first) {
      if (!iequals(part, "permessage-deflate")) {
        reason = "extension not offered: " + std::string(part);
        return std::nullopt;
      }
      first = false;
    } else {
      const auto equals = part.find('=');
      const auto name = trim(part.substr(0, equals));
      const auto arg =
          equals == std::string_view::npos ? std::string_view{} : trim(part.substr(equals + 1));
      const bool has_arg = equals != std::string_view::npos;
      int which = -1;
      bool ok = true;
      if (iequals(name, "server_no_context_takeover")) {
        which = 0;
        ok = !has_arg;
        agreed.server_no_context_takeover = true;
      } else if (iequals(name, "client_no_context_takeover")) {
        which = 1;
        ok = !has_arg;
        agreed.client_no_context_takeover = true;
      } else if (iequals(name, "server_max_window_bits")) {
        which = 2;
        agreed.server_max_window_bits = window_bits(arg);
        ok = agreed.server_max_window_bits != 0;
      } else if (iequals(name, "client_max_window_bits")) {
        which = 3;
        agreed.client_max_window_bits = window_bits(arg);
        ok = agreed.client_max_window_bits != 0;
      }
      if (which < 0 || seen[which] || !ok) {
        reason = "bad permessage-deflate parameter in the answer: " + std::string(part);
        return std::nullopt;
      }
      seen[which] = true;
    }
    if (semicolon == std::string_view::npos) break;
    value.remove_prefix(semicolon + 1);
  }
  return agreed;
}

std::string compress_message(std::string_view message, int window_bits) {
  // zlib refuses a raw window of 8; one of 9 keeps distances within 250 bytes, legal for 8.
  const int bits = window_bits < 9 ? 9 : window_bits;
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, static_cast<uLong>(message.size())) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (rc != Z_OK || out.size() < 4) return {};
  out.resize(out.size() - 4);  // the 00 00 ff ff of the sync flush
  return out;
}

message_inflater::message_inflater(bool keep_context) : keep_context_(keep_context) {}

message_inflater::~message_inflater() {
  if (ready_) inflateEnd(&z_);
}

bool message_inflater::inflate(std::string_view payload, std::string& out) {
  if (!ready_) {
    if (inflateInit2(&z_, -15) != Z_OK) return false;
    ready_ = true;
  }
  out.clear();
  std::array<unsigned char, 16 * 1024> chunk{};
  // The message, then the tail the sender removed.
  for (int part = 0; part < 2; ++part) {
    const std::string_view in =
        part == 0 ? payload
                  : std::string_view(reinterpret_cast<const char*>(tail.data()), tail.size());
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    do {
      z_.next_out = chunk.data();
      z_.avail_out = static_cast<uInt>(chunk.size());
      const int rc = ::inflate(&z_, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return false;
      out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - z_.avail_out);
      if (out.size() > max_inflated) return false;
      if (rc == Z_STREAM_END) {
        // A block with BFINAL set (RFC 7692 §7.2.3.4): what follows (the empty stored block
        // the sender appended, and the tail) starts a new stream.
        inflateReset(&z_);
        if (z_.avail_in == 0) break;
        continue;
      }
      if (rc == Z_BUF_ERROR && z_.avail_in == 0) break;
    } while (z_.avail_in != 0 || z_.avail_out == 0);
  }
  if (!keep_context_) inflateReset(&z_);
  return true;
}

}  // namespace ws_load
