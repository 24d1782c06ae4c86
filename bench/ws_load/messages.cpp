#include "messages.hpp"

#include <cstdint>
#include <fstream>

namespace ws_load {
namespace {

constexpr std::size_t max_corpus_bytes = 64u << 20;

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing over U+10FFFF).
bool is_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    const std::uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

std::optional<message_set> load_message_set(const options& opts, std::string& error) {
  message_set set;
  if (opts.corpus.empty()) {
    std::string payload(opts.size, '\0');
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (auto& byte : payload) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      byte = static_cast<char>(state);
    }
    set.messages.push_back(std::move(payload));
    return set;
  }
  std::ifstream in(opts.corpus, std::ios::binary);
  if (!in) {
    error = "--corpus: cannot read " + opts.corpus;
    return std::nullopt;
  }
  set.text = true;
  std::size_t total = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    total += line.size();
    if (total > max_corpus_bytes) {
      error = "--corpus: " + opts.corpus + " is over 64 MiB";
      return std::nullopt;
    }
    if (!is_utf8(line)) {
      error = "--corpus: line " + std::to_string(set.messages.size() + 1) + " of " + opts.corpus +
              " is not UTF-8 (text messages must be)";
      return std::nullopt;
    }
    set.messages.push_back(std::move(line));
  }
  if (set.messages.empty()) {
    error = "--corpus: " + opts.corpus + " has no message (one per line)";
    return std::nullopt;
  }
  return set;
}

}  // namespace ws_load
