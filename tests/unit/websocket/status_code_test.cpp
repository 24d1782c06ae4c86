#include "restws/websocket/protocol/status_code.hpp"

#include <gtest/gtest.h>

namespace restws::websocket::protocol {
namespace {

TEST(status_code, named_values_match_rfc6455_registry) {
  EXPECT_EQ(static_cast<int>(status_code_t::normal_closure), 1000);
  EXPECT_EQ(static_cast<int>(status_code_t::protocol_error), 1002);
  EXPECT_EQ(static_cast<int>(status_code_t::no_status_received), 1005);
  EXPECT_EQ(static_cast<int>(status_code_t::abnormal_closure), 1006);
  EXPECT_EQ(static_cast<int>(status_code_t::invalid_payload), 1007);
  EXPECT_EQ(static_cast<int>(status_code_t::message_too_big), 1009);
  EXPECT_EQ(static_cast<int>(status_code_t::internal_error), 1011);
  EXPECT_EQ(static_cast<int>(status_code_t::tls_handshake), 1015);
}

TEST(status_code, accepts_on_wire_only_codes_allowed_by_rfc6455) {
  struct range_t {
    int first, last;
    bool valid;
  };
  const range_t ranges[] = {{0, 999, false},    {1000, 1003, true},  {1004, 1006, false},
                            {1007, 1014, true}, {1015, 1015, false}, {1016, 2999, false},
                            {3000, 4999, true}, {5000, 65535, false}};
  for (const auto& r : ranges)
    for (int code = r.first; code <= r.last; ++code)
      EXPECT_EQ(is_valid_on_wire(static_cast<std::uint16_t>(code)), r.valid) << code;
}

TEST(status_code, accepts_1012_to_1014_unlike_restinio) {
  EXPECT_TRUE(is_valid_on_wire(status_code_t::service_restart));
  EXPECT_TRUE(is_valid_on_wire(status_code_t::try_again_later));
  EXPECT_TRUE(is_valid_on_wire(status_code_t::bad_gateway));
}

TEST(status_code, to_bin_is_two_bytes_big_endian) {
  EXPECT_EQ(status_code_to_bin(status_code_t::normal_closure), std::string("\x03\xE8", 2));
  EXPECT_EQ(status_code_to_bin(static_cast<status_code_t>(4999)), std::string("\x13\x87", 2));
}

TEST(status_code, from_bin_reads_the_first_two_bytes) {
  EXPECT_EQ(status_code_from_bin(std::string("\x03\xEA", 2)), status_code_t::protocol_error);
  EXPECT_EQ(status_code_from_bin(std::string("\x0F\xA0reason", 8)),
            static_cast<status_code_t>(4000));
}

TEST(status_code, from_bin_of_short_payload_is_no_status_received) {
  EXPECT_EQ(status_code_from_bin(""), status_code_t::no_status_received);
  EXPECT_EQ(status_code_from_bin("\x03"), status_code_t::no_status_received);
}

TEST(status_code, to_bin_and_from_bin_round_trip) {
  for (int code = 0; code <= 65535; code += 7) {
    const auto c = static_cast<status_code_t>(code);
    EXPECT_EQ(status_code_from_bin(status_code_to_bin(c)), c);
  }
}

}  // namespace
}  // namespace restws::websocket::protocol
