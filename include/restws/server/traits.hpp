#pragma once
// traits_t: compile-time choice of timer manager, logger and request handler, as in RESTinio:
//   restws::traits_t<restws::asio_timer_manager_t, restws::single_threaded_ostream_logger_t,
//                    router_t>

#include <functional>

#include "restws/server/logger.hpp"
#include "restws/server/request.hpp"

namespace restws {

/// The timer manager: one coarse timer per reactor checks every connection's deadlines
/// (read, write, handling) a few times per timeout period.
struct asio_timer_manager_t {};

/// Handler type when none is chosen: any callable `(request_handle_t) ->
/// request_handling_status_t`.
using default_request_handler_t = std::function<request_handling_status_t(request_handle_t)>;

template <typename Timer_Manager, typename Logger,
          typename Request_Handler = default_request_handler_t>
struct traits_t {
  using timer_manager_t = Timer_Manager;
  using logger_t = Logger;
  using request_handler_t = Request_Handler;
};

/// Single-threaded defaults.
using default_single_thread_traits_t = traits_t<asio_timer_manager_t, null_logger_t>;
/// Defaults for a thread pool.
using default_traits_t = traits_t<asio_timer_manager_t, null_logger_t>;

}  // namespace restws
