#include "restws/websocket/send_status.hpp"

namespace restws::websocket::basic {

namespace {
class send_error_category_t final : public std::error_category {
 public:
  const char* name() const noexcept override { return "restws.websocket.send"; }
  std::string message(int e) const override {
    switch (static_cast<send_error_t>(e)) {
      case send_error_t::backpressure_limit:
        return "the WebSocket's send queue is over ws_settings_t::max_backpressure: frame not "
               "queued";
    }
    return "unknown WebSocket send error";
  }
};
}  // namespace

const std::error_category& send_error_category() noexcept {
  static const send_error_category_t category;
  return category;
}

}  // namespace restws::websocket::basic
