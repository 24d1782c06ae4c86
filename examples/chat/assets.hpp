#pragma once
// The page, its script and its style sheet, compiled into the binary (embed_assets.cmake makes
// assets.cpp from web/): the server needs no files at run time and no build step for the page.

#include <span>
#include <string_view>

namespace chat {

struct asset_t {
  std::string_view path;  ///< the URL path it is served at ("/", "/chat.js")
  std::string_view content_type;
  std::string_view body;
};

std::span<const asset_t> assets() noexcept;

}  // namespace chat
