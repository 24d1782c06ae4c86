#include "upgrade_checks.hpp"

#include <stdexcept>
#include <string_view>

#include "restws/http/status.hpp"
#include "restws/server/logger.hpp"
#include "restws/websocket/protocol/handshake.hpp"
#include "restws/websocket/protocol/origin.hpp"
#include "restws/websocket/protocol/permessage_deflate.hpp"
#include "restws/websocket/protocol/subprotocol.hpp"

namespace restws::websocket::basic::detail {
namespace {

// Header values quoted in log lines are the client's: keep a line bounded.
std::string quoted(std::string_view value) {
  constexpr std::size_t max_quoted = 200;
  std::string out = "\"";
  out.append(value.substr(0, max_quoted));
  if (value.size() > max_quoted) out.append("...");
  out.append("\"");
  return out;
}

// Every value of the request's fields called `name`, quoted and comma-separated.
std::string quoted_values(const request_t& req, std::string_view name) {
  std::string out;
  req.header().fields().for_each_value_of(name, [&](std::string_view v) {
    if (!out.empty()) out.append(", ");
    out.append(quoted(v));
  });
  return out;
}

// Answers `req` with `status` (a Date field, Connection: close, `reason` as the body), logs
// `why()` as a warning if the server has a logger, and throws upgrade_error_t.
template <typename Why>
[[noreturn]] void refuse(request_t& req, int status, std::string_view reason, Why&& why,
                         bool version_hint = false) {
  if (abstract_logger_t* logger = req.sink().logger()) {
    logger->warn([&] {
      return "connection " + std::to_string(req.connection_id()) + " [" +
             req.remote_endpoint().address().to_string() + "] " +
             std::string{req.header().request_target()} + ": WebSocket upgrade refused with " +
             std::to_string(status) + ": " + why();
    });
  }
  auto resp = req.create_response(http::status_line(status));
  resp.append_header_date_field();  // RFC 9110 §6.6.1
  if (version_hint) resp.append_header("Sec-WebSocket-Version", protocol::websocket_version);
  resp.connection_close().set_body(std::string{reason}).done();
  throw upgrade_error_t{status, "upgrade: " + std::string{reason}};
}

}  // namespace

void check_handshake(request_t& req) {
  const auto& h = req.header();
  const auto check =
      protocol::check_upgrade_request(h.method(), h.http_major(), h.http_minor(), h.fields());
  if (check == protocol::upgrade_check_t::ok) return;
  const std::string_view reason = protocol::describe(check);
  refuse(
      req, protocol::http_status(check), reason, [&] { return std::string{reason}; },
      check == protocol::upgrade_check_t::unsupported_version);
}

void check_origin(request_t& req, const ws_settings_t& settings) {
  for (const auto& entry : settings.allowed_origins) {
    if (!protocol::is_valid_origin_entry(entry)) {
      throw std::invalid_argument{"ws_settings_t::allowed_origins: " + quoted(entry) +
                                  " is not an origin (scheme://host[:port], no path, not null) "
                                  "nor a wildcard (scheme://*.domain[:port])"};
    }
  }
  using protocol::origin_check_t;
  const origin_check_t check = protocol::check_origin(
      req.header().fields(), settings.allowed_origins, settings.require_origin);
  if (check == origin_check_t::allowed) return;
  refuse(req, protocol::http_status(check), protocol::describe(check), [&]() -> std::string {
    switch (check) {
      case origin_check_t::missing:
        return "no Origin field, and ws_settings_t::require_origin is set";
      case origin_check_t::malformed:
        return "Origin " + quoted_values(req, "Origin") +
               " is not one serialized origin (ws_settings_t::allowed_origins)";
      default:
        return "Origin " + quoted_values(req, "Origin") +
               " is not in ws_settings_t::allowed_origins";
    }
  });
}

std::string choose_subprotocol(request_t& req, const upgrade_response_t& response,
                               const ws_settings_t& settings) {
  if (const auto own = response.fields.opt_value_of("Sec-WebSocket-Protocol"))
    return std::string{*own};
  using protocol::subprotocol_result_t;
  auto decision =
      protocol::negotiate_subprotocol(req.header().fields(), settings.subprotocols,
                                      settings.subprotocol_selector, settings.require_subprotocol);
  switch (decision.result) {
    case subprotocol_result_t::none:
      return {};
    case subprotocol_result_t::chosen:
      return std::move(decision.chosen);
    case subprotocol_result_t::selector_misuse:
      throw std::logic_error{"ws_settings_t::subprotocol_selector chose " +
                             quoted(decision.chosen) + ", which the client did not offer (" +
                             quoted_values(req, "Sec-WebSocket-Protocol") + ")"};
    case subprotocol_result_t::malformed:
    case subprotocol_result_t::no_match:
      break;
  }
  const bool malformed = decision.result == subprotocol_result_t::malformed;
  refuse(req, protocol::http_status(decision.result), protocol::describe(decision.result), [&] {
    const std::string offered = quoted_values(req, "Sec-WebSocket-Protocol");
    if (malformed) return "Sec-WebSocket-Protocol " + offered + " is not a list of tokens";
    return "no subprotocol agreed (offered: " + (offered.empty() ? "none" : offered) +
           ") and ws_settings_t::require_subprotocol is set";
  });
}

protocol::deflate_config_t deflate_config(const ws_settings_t& settings) noexcept {
  protocol::deflate_config_t c;
  c.server_max_window_bits = settings.deflate.server_max_window_bits;
  c.server_no_context_takeover = settings.deflate.server_no_context_takeover;
  c.client_no_context_takeover = settings.deflate.client_no_context_takeover;
  c.client_max_window_bits = settings.deflate.client_max_window_bits;
  return c;
}

std::optional<protocol::deflate_agreement_t> negotiate_compression(
    request_t& req, const upgrade_response_t& response, const ws_settings_t& settings) {
  if (!settings.deflate.enabled || response.fields.has_field("Sec-WebSocket-Extensions"))
    return std::nullopt;
  const auto offers = protocol::read_deflate_offers(req.header().fields());
  if (offers.malformed || offers.invalid != 0) {
    if (abstract_logger_t* logger = req.sink().logger()) {
      logger->info([&] {
        return std::string{offers.malformed ? "malformed" : "invalid"} +
               " permessage-deflate offer declined: Sec-WebSocket-Extensions " +
               quoted_values(req, "Sec-WebSocket-Extensions");
      });
    }
  }
  return protocol::negotiate_deflate(offers, deflate_config(settings));
}

}  // namespace restws::websocket::basic::detail
