#include "json.hpp"

#include <charconv>

namespace chat {

std::string_view to_string(json_error_t error) noexcept {
  switch (error) {
    case json_error_t::not_an_object:
      return "not a JSON object";
    case json_error_t::bad_syntax:
      return "malformed JSON";
    case json_error_t::not_a_string:
      return "every value must be a string";
    case json_error_t::bad_escape:
      return "bad escape in a string";
    case json_error_t::control_character:
      return "unescaped control character in a string";
    case json_error_t::duplicate_key:
      return "duplicate key";
    case json_error_t::too_many_keys:
      return "too many keys";
  }
  return "bad JSON";
}

namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A cursor over the document; each read_* returns false (and sets error_) on the first fault,
// so the parser stops there: the client is told about the first problem only.
class reader_t {
 public:
  explicit reader_t(std::string_view text) : text_{text} {}

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  bool at_end() const { return pos_ == text_.size(); }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  json_error_t error() const { return error_; }
  bool fail(json_error_t e) {
    error_ = e;
    return false;
  }

  // After the opening quote: up to and including the closing one.
  bool read_string(std::string& out) {
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail(json_error_t::control_character);
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ == text_.size()) break;
      switch (text_[pos_++]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          if (!read_unicode_escape(out)) return false;
          break;
        default:
          return fail(json_error_t::bad_escape);
      }
    }
    return fail(json_error_t::bad_syntax);  // the document ended inside the string
  }

 private:
  bool read_hex4(std::uint32_t& value) {
    if (text_.size() - pos_ < 4) return fail(json_error_t::bad_escape);
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(text_[pos_++]);
      if (h < 0) return fail(json_error_t::bad_escape);
      value = value * 16 + static_cast<std::uint32_t>(h);
    }
    return true;
  }

  // After `\u`. A high surrogate must be followed by `\u` and a low one; anything else would
  // decode to bytes that are not UTF-8, which a browser's JSON.parse would not give back.
  bool read_unicode_escape(std::string& out) {
    std::uint32_t cp = 0;
    if (!read_hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(json_error_t::bad_escape);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (!take('\\') || !take('u') || !read_hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return fail(json_error_t::bad_escape);
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  json_error_t error_ = json_error_t::bad_syntax;
};

}  // namespace

std::variant<json_object_t, json_error_t> parse_flat_object(std::string_view text,
                                                            std::size_t max_keys) {
  reader_t r{text};
  json_object_t object;
  r.skip_space();
  if (!r.take('{')) return json_error_t::not_an_object;
  r.skip_space();
  if (!r.take('}')) {
    for (;;) {
      r.skip_space();
      std::string key;
      if (!r.take('"')) return json_error_t::bad_syntax;
      if (!r.read_string(key)) return r.error();
      r.skip_space();
      if (!r.take(':')) return json_error_t::bad_syntax;
      r.skip_space();
      std::string value;
      if (!r.take('"')) {
        const bool structural = r.peek(',') || r.peek('}') || r.at_end();
        return structural ? json_error_t::bad_syntax : json_error_t::not_a_string;
      }
      if (!r.read_string(value)) return r.error();
      if (object.size() == max_keys) return json_error_t::too_many_keys;
      if (!object.emplace(std::move(key), std::move(value)).second)
        return json_error_t::duplicate_key;
      r.skip_space();
      if (r.take('}')) break;
      if (!r.take(',')) return json_error_t::bad_syntax;
    }
  }
  r.skip_space();
  if (!r.at_end()) return json_error_t::bad_syntax;
  return object;
}

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) end a line in older JavaScript string literals.
    const bool line_separator = c == 0xE2 && i + 2 < value.size() &&
                                static_cast<unsigned char>(value[i + 1]) == 0x80 &&
                                (static_cast<unsigned char>(value[i + 2]) & 0xFE) == 0xA8;
    if (line_separator) {
      out += static_cast<unsigned char>(value[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void json_object_builder_t::key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  append_json_string(out_, key);
  out_ += ':';
}

json_object_builder_t& json_object_builder_t::add(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(out_, value);
  return *this;
}

json_object_builder_t& json_object_builder_t::add(std::string_view k, std::int64_t value) {
  key(k);
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

std::string json_object_builder_t::done() {
  out_ += '}';
  std::string result = std::move(out_);
  out_.clear();  // (not `= "{"`: GCC 12 sees a false -Wrestrict overlap in that assignment)
  out_.push_back('{');
  return result;
}

}  // namespace chat
