#include "restws/websocket/protocol/permessage_deflate.hpp"

#include <algorithm>
#include <memory>

#include "../../http/http_syntax.hpp"

namespace restws::websocket::protocol {
namespace {

constexpr std::string_view extension_name = "permessage-deflate";

struct extension_t {
  std::string_view name;
  std::vector<extension_param_t> params;
};

/// A cursor over one field value, for RFC 6455 §9.1's grammar.
class cursor_t {
 public:
  explicit cursor_t(std::string_view s) : s_{s} {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return s_[i_]; }
  void skip_ows() {
    while (i_ < s_.size() && http::detail::is_ows(s_[i_])) ++i_;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string_view token() {
    const std::size_t start = i_;
    while (i_ < s_.size() && http::detail::is_tchar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  /// A quoted string whose content, unescaped, is a token (RFC 6455 §9.1); its content without
  /// the escapes is written to `out`. False if it is not one.
  bool quoted_token(std::string& out) {
    if (!eat('"')) return false;
    out.clear();
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return !out.empty() && http::detail::is_token(out);
      if (c == '\\') {
        if (i_ == s_.size()) return false;
        c = s_[i_++];
      }
      out.push_back(c);
    }
    return false;  // unterminated
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

/// Parses one field value into its extensions; false if it breaks the syntax. Unquoted values
/// stay views into `value`; quoted ones, unescaped, are owned by `storage` (each its own
/// allocation, so the views stay valid as it grows).
bool parse_extensions(std::string_view value, std::vector<extension_t>& out,
                      std::vector<std::unique_ptr<std::string>>& storage) {
  cursor_t c{value};
  bool any = false;
  for (;;) {
    c.skip_ows();
    if (c.done()) return any;
    if (c.eat(',')) continue;  // empty list elements are allowed (RFC 9110 §5.6.1)
    extension_t ext;
    ext.name = c.token();
    if (ext.name.empty()) return false;
    for (;;) {
      c.skip_ows();
      if (!c.eat(';')) break;
      c.skip_ows();
      extension_param_t p;
      p.name = c.token();
      if (p.name.empty()) return false;
      c.skip_ows();
      if (c.eat('=')) {
        c.skip_ows();
        p.has_value = true;
        if (!c.done() && c.peek() == '"') {
          auto s = std::make_unique<std::string>();
          if (!c.quoted_token(*s)) return false;
          p.value = *s;
          storage.push_back(std::move(s));
        } else {
          p.value = c.token();
          if (p.value.empty()) return false;
        }
      }
      ext.params.push_back(p);
    }
    out.push_back(std::move(ext));
    any = true;
    c.skip_ows();
    if (c.done()) return true;
    if (!c.eat(',')) return false;
  }
}

/// A window size value: exactly one or two ASCII digits, 8–15 (no sign, no leading zero).
std::uint8_t window_bits(std::string_view v) noexcept {
  if (v.empty() || v.size() > 2 || v[0] == '0') return 0;
  unsigned n = 0;
  for (const char ch : v) {
    if (ch < '0' || ch > '9') return 0;
    n = n * 10 + static_cast<unsigned>(ch - '0');
  }
  return (n >= 8 && n <= 15) ? static_cast<std::uint8_t>(n) : 0;
}

/// Every extension of every Sec-WebSocket-Extensions field; false if one breaks the syntax.
bool read_extensions(const http::http_header_fields_t& fields, std::vector<extension_t>& out,
                     std::vector<std::unique_ptr<std::string>>& storage) {
  bool ok = true;
  fields.for_each_value_of("Sec-WebSocket-Extensions", [&](std::string_view value) {
    if (ok && !parse_extensions(value, out, storage)) ok = false;
  });
  return ok;
}

}  // namespace

std::optional<deflate_offer_t> read_deflate_params(const std::vector<extension_param_t>& params) {
  deflate_offer_t o;
  bool seen[4] = {};
  for (const auto& p : params) {
    int which = -1;
    if (p.name == "server_no_context_takeover") which = 0;
    if (p.name == "client_no_context_takeover") which = 1;
    if (p.name == "server_max_window_bits") which = 2;
    if (p.name == "client_max_window_bits") which = 3;
    if (which < 0 || seen[which]) return std::nullopt;  // unknown or repeated (RFC 7692 §5.1)
    seen[which] = true;
    switch (which) {
      case 0:
      case 1:
        if (p.has_value) return std::nullopt;
        (which == 0 ? o.server_no_context_takeover : o.client_no_context_takeover) = true;
        break;
      case 2:
        if (!p.has_value) return std::nullopt;
        o.server_max_window_bits = window_bits(p.value);
        if (o.server_max_window_bits == 0) return std::nullopt;
        break;
      default:
        o.client_max_window_bits_present = true;
        if (p.has_value) {
          o.client_max_window_bits = window_bits(p.value);
          if (o.client_max_window_bits == 0) return std::nullopt;
        }
        break;
    }
  }
  return o;
}

deflate_offers_t read_deflate_offers(const http::http_header_fields_t& fields) {
  deflate_offers_t r;
  std::vector<extension_t> exts;
  std::vector<std::unique_ptr<std::string>> storage;
  if (!read_extensions(fields, exts, storage)) {
    r.malformed = true;
    return r;
  }
  for (const auto& e : exts) {
    if (e.name != extension_name) continue;  // names compare exactly, as registered
    if (auto o = read_deflate_params(e.params))
      r.offers.push_back(*o);
    else
      ++r.invalid;
  }
  return r;
}

std::optional<deflate_agreement_t> accept_deflate_offer(const deflate_offer_t& offer,
                                                        const deflate_config_t& config) noexcept {
  deflate_agreement_t a;
  a.server_no_context_takeover =
      offer.server_no_context_takeover || config.server_no_context_takeover;
  a.client_no_context_takeover =
      offer.client_no_context_takeover || config.client_no_context_takeover;
  const std::uint8_t own = std::clamp<std::uint8_t>(config.server_max_window_bits, 8, 15);
  if (offer.server_max_window_bits != 0) {
    // The client limits our window: use at most what it asked (§7.1.2.1), and say so.
    a.server_max_window_bits = std::min(offer.server_max_window_bits, own);
    a.state_server_window = true;
  } else {
    a.server_max_window_bits = own;
    a.state_server_window = own < 15;  // a smaller window is always fine for the client
  }
  const std::uint8_t ask = std::clamp<std::uint8_t>(config.client_max_window_bits, 8, 15);
  if (offer.client_max_window_bits_present) {
    const std::uint8_t offered = offer.client_max_window_bits ? offer.client_max_window_bits : 15;
    a.client_max_window_bits = std::min(offered, ask);
    a.state_client_window = a.client_max_window_bits < 15;
  } else {
    a.client_max_window_bits = 15;  // the offer allows no limit: we must not state one
  }
  return a;
}

std::optional<deflate_agreement_t> negotiate_deflate(const deflate_offers_t& offers,
                                                     const deflate_config_t& config) noexcept {
  for (const auto& o : offers.offers)
    if (auto a = accept_deflate_offer(o, config)) return a;
  return std::nullopt;
}

std::string deflate_response_value(const deflate_agreement_t& agreed) {
  std::string v{extension_name};
  if (agreed.server_no_context_takeover) v += "; server_no_context_takeover";
  if (agreed.client_no_context_takeover) v += "; client_no_context_takeover";
  if (agreed.state_server_window)
    v += "; server_max_window_bits=" + std::to_string(agreed.server_max_window_bits);
  if (agreed.state_client_window)
    v += "; client_max_window_bits=" + std::to_string(agreed.client_max_window_bits);
  return v;
}

std::string deflate_offer_value(const deflate_offer_t& offer) {
  std::string v{extension_name};
  if (offer.server_no_context_takeover) v += "; server_no_context_takeover";
  if (offer.client_no_context_takeover) v += "; client_no_context_takeover";
  if (offer.server_max_window_bits)
    v += "; server_max_window_bits=" + std::to_string(offer.server_max_window_bits);
  if (offer.client_max_window_bits)
    v += "; client_max_window_bits=" + std::to_string(offer.client_max_window_bits);
  else if (offer.client_max_window_bits_present)
    v += "; client_max_window_bits";
  return v;
}

deflate_response_t read_deflate_response(const http::http_header_fields_t& fields,
                                         const deflate_offer_t& offer) {
  deflate_response_t r;
  std::vector<extension_t> exts;
  std::vector<std::unique_ptr<std::string>> storage;
  if (!read_extensions(fields, exts, storage)) {
    r.error = deflate_response_error_t::malformed;
    return r;
  }
  if (exts.empty()) return r;  // declined
  if (exts.size() != 1 || exts[0].name != extension_name) {
    r.error = deflate_response_error_t::not_offered;
    return r;
  }
  const auto got = read_deflate_params(exts[0].params);
  if (!got || (got->client_max_window_bits_present && got->client_max_window_bits == 0)) {
    r.error = deflate_response_error_t::malformed;  // a response's window must have a value
    return r;
  }
  // The server may not state a client window the offer did not allow, nor a server window over
  // the one the client asked for (RFC 7692 §7.1.2).
  if ((offer.server_no_context_takeover && !got->server_no_context_takeover) ||
      (got->client_max_window_bits_present && !offer.client_max_window_bits_present) ||
      (offer.client_max_window_bits &&
       got->client_max_window_bits > offer.client_max_window_bits) ||
      (offer.server_max_window_bits &&
       (got->server_max_window_bits == 0 ||
        got->server_max_window_bits > offer.server_max_window_bits))) {
    r.error = deflate_response_error_t::refused;
    return r;
  }
  deflate_agreement_t a;
  a.server_no_context_takeover = got->server_no_context_takeover;
  a.client_no_context_takeover =
      got->client_no_context_takeover || offer.client_no_context_takeover;
  a.server_max_window_bits = got->server_max_window_bits ? got->server_max_window_bits : 15;
  a.client_max_window_bits =
      got->client_max_window_bits
          ? got->client_max_window_bits
          : (offer.client_max_window_bits ? offer.client_max_window_bits : 15);
  a.state_server_window = got->server_max_window_bits != 0;
  a.state_client_window = got->client_max_window_bits != 0;
  r.agreed = a;
  return r;
}

}  // namespace restws::websocket::protocol
