#include "restws/router/route_params.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace restws::router {
namespace {

route_params_t sample() {
  route_params_t p;
  p.set_match("/users/42/x");
  p.add_named("id", "42");
  p.add_indexed("x");
  return p;
}

TEST(route_params, named_and_indexed_lookup) {
  const auto p = sample();
  EXPECT_EQ(p.match(), "/users/42/x");
  EXPECT_EQ(p["id"], "42");
  EXPECT_EQ(p[0], "x");
  EXPECT_TRUE(p.has("id"));
  EXPECT_FALSE(p.has("name"));
  EXPECT_EQ(p.get_param("name"), std::nullopt);
  EXPECT_EQ(p.named_parameters_size(), 1u);
  EXPECT_EQ(p.indexed_parameters_size(), 1u);
}

TEST(route_params, missing_parameters_throw_out_of_range) {
  const auto p = sample();
  EXPECT_THROW((void)p["name"], std::out_of_range);
  EXPECT_THROW((void)p[1], std::out_of_range);
}

TEST(route_params, views_survive_copy_and_move) {
  auto p = sample();
  const auto copy = p;
  const auto moved = std::move(p);
  EXPECT_EQ(copy["id"], "42");
  EXPECT_EQ(moved["id"], "42");
}

TEST(route_params, get_converts_values) {
  const auto p = sample();
  EXPECT_EQ(p.get<int>("id"), 42);
  EXPECT_EQ(get<std::uint64_t>(p, "id"), 42u);
  EXPECT_EQ(p.get<std::string>(0), "x");
  EXPECT_THROW((void)p.get<int>(0), std::invalid_argument);
}

TEST(cast_to, converts_numbers_and_strings) {
  EXPECT_EQ(cast_to<int>("-17"), -17);
  EXPECT_EQ(cast_to<unsigned>("17"), 17u);
  EXPECT_DOUBLE_EQ(cast_to<double>("2.5"), 2.5);
  EXPECT_EQ(cast_to<std::string>("abc"), "abc");
  EXPECT_EQ(cast_to<std::string_view>("abc"), "abc");
}

TEST(cast_to, rejects_partial_empty_and_signed_text) {
  EXPECT_THROW(cast_to<int>("12a"), std::invalid_argument);
  EXPECT_THROW(cast_to<int>(""), std::invalid_argument);
  EXPECT_THROW(cast_to<int>("+1"), std::invalid_argument);
  EXPECT_THROW(cast_to<unsigned>("-1"), std::invalid_argument);
  EXPECT_THROW(cast_to<int>(" 1"), std::invalid_argument);
}

TEST(cast_to, reports_overflow_as_out_of_range) {
  EXPECT_THROW(cast_to<std::int8_t>("128"), std::out_of_range);
  EXPECT_THROW(cast_to<std::uint64_t>("18446744073709551616"), std::out_of_range);
}

}  // namespace
}  // namespace restws::router
