#pragma once
// Inputs shared by the micro benchmarks: typical requests and texts, built once.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace restws::bench {

/// A browser's GET (Chromium-like): 11 fields, about 500 bytes.
inline constexpr std::string_view browser_get =
    "GET /api/v1/users/42/profile?fields=name,email&lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "Cache-Control: max-age=0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;"
    "q=0.8\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Referer: https://www.example.com/users/42\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9,fr;q=0.8\r\n"
    "Cookie: session=4f1c2a9e8b7d6c5e; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n"
    "\r\n";

/// What wrk sends: the request line and Host only.
inline constexpr std::string_view wrk_get =
    "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "\r\n";

/// A browser's WebSocket upgrade request.
inline constexpr std::string_view upgrade_get =
    "GET /chat HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Upgrade: websocket\r\n"
    "Origin: https://www.example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

/// `size` bytes of printable ASCII.
inline std::string ascii_text(std::size_t size) {
  static constexpr std::string_view sample =
      "The quick brown fox jumps over the lazy dog; {\"id\": 42, \"ok\": true}\n";
  std::string s;
  s.reserve(size);
  while (s.size() < size) s += sample.substr(0, size - s.size());
  return s;
}

/// Exactly `size` bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte sequences: Latin with
/// accents, Cyrillic, Greek, CJK and emoji. Half of the characters and 70 % of the bytes are
/// non-ASCII. Whole words only, padded with spaces to `size`.
inline std::string mixed_text(std::size_t size) {
  static constexpr std::string_view words[] = {
      "Grüße ",      "naïve café ", "Привет мир ", "Καλημέρα ", "日本語のテキスト ",
      "你好，世界 ", "hello ",      "😀🎉 ",         "x = 42; ",  "señor ",
  };
  std::string s;
  s.reserve(size);
  for (std::size_t i = 0;; ++i) {
    const auto w = words[i % std::size(words)];
    if (s.size() + w.size() > size) break;
    s += w;
  }
  s.resize(size, ' ');  // pad with ASCII up to `size`
  return s;
}

inline std::span<const std::byte> as_bytes(std::string_view s) {
  return std::as_bytes(std::span{s.data(), s.size()});
}

}  // namespace restws::bench
