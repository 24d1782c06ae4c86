// buffer_deflater_t: libdeflate's whole-buffer compression, in the form permessage-deflate sends
// it (a final block, then the empty stored block's header byte), inflated as any message is.
#include "restws/websocket/protocol/buffer_deflater.hpp"

#include <gtest/gtest.h>

#include <string>

#include "restws/websocket/protocol/message_inflater.hpp"

namespace restws::websocket::protocol {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span{s}); }

std::string sample(std::size_t size) {
  std::string s;
  std::uint32_t x = 12345;
  while (s.size() < size) {
    x = x * 1103515245 + 12345;
    s += "{\"id\":" + std::to_string(x % 1000) + ",\"sym\":\"BTC-USD\"},";
  }
  s.resize(size);
  return s;
}

TEST(buffer_deflater, is_built_in) {
  // scripts/deps.sh installs libdeflate-dev; a build without it must be a choice, not an accident.
  EXPECT_TRUE(buffer_deflater_t::available());
}

TEST(buffer_deflater, output_inflates_back_at_every_size_and_level) {
  if (!buffer_deflater_t::available()) GTEST_SKIP() << "built without libdeflate";
  for (int level : {-1, 0, 1, 6, 9}) {
    buffer_deflater_t d{level};
    for (std::size_t size : {0u, 1u, 100u, 4096u, 200000u}) {
      const std::string m = sample(size);
      std::string out = "prefix";
      ASSERT_TRUE(d.compress(bytes(m), out)) << level << " " << size;
      ASSERT_EQ(out.substr(0, 6), "prefix");  // appended
      EXPECT_EQ(out.back(), '\0');            // the stored block's header byte
      // Every receiver's inflater, with or without context (a receiver that keeps one carries
      // on after the final block as after any other message).
      for (bool context : {false, true}) {
        message_inflater_t inflater{15, context};
        for (int again = 0; again < 2; ++again) {
          std::string back;
          ASSERT_EQ(inflater.inflate(bytes(std::string_view{out}.substr(6)), true, back, size + 1),
                    inflate_status_t::ok)
              << level << " " << size << " " << context;
          EXPECT_EQ(back, m);
        }
      }
      if (level != 0 && size >= 4096) {
        EXPECT_LT(out.size() - 6, size / 2);
      }
    }
  }
}

TEST(buffer_deflater, moves) {
  buffer_deflater_t a{1};
  std::string out;
  EXPECT_EQ(a.compress(bytes("Hello, Hello, Hello"), out), buffer_deflater_t::available());
  buffer_deflater_t b{std::move(a)};
  EXPECT_EQ(b.level(), 1);
  out.clear();
  EXPECT_EQ(b.compress(bytes("Hello, Hello, Hello"), out), buffer_deflater_t::available());
}

}  // namespace
}  // namespace restws::websocket::protocol
