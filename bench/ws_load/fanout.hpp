// --fanout SUBS: one publisher and SUBS subscribers on one server (bench/fanout_server,
// uWebSockets' publish()): the publisher sends --size byte binary messages within a window
// (--fanout-window W: message k waits until every subscriber has message k - W), each subscriber
// checks that it gets every message once and in order; counts deliveries per second and, with
// --server-pid, the server's CPU time per delivery.
#pragma once

#include <netinet/in.h>

#include <csignal>

#include "options.hpp"

namespace ws_load {

/// Runs the fan-out workload and prints "summary mode=fanout ..." (see options.cpp's usage).
/// Returns the exit status: 0, or 1 on a failed handshake, a dropped connection, a lost or
/// misordered delivery, a message sent back to the publisher, or no delivery at all.
/// `interrupted` (set by a signal handler) ends the run early, as a failure.
int run_fanout(const options& opts, const sockaddr_in& server,
               const volatile std::sig_atomic_t& interrupted);

}  // namespace ws_load
