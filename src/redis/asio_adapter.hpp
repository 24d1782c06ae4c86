#pragma once
// Drives a hiredis async context from an Asio io_context: hiredis's event hooks (addRead,
// delRead, addWrite, delWrite, cleanup) become async_wait()s on the context's socket, and a
// ready socket calls redisAsyncHandleRead/Write on the io_context's thread. No thread of its own.

#include <asio/io_context.hpp>

struct redisAsyncContext;

namespace restws::pubsub::redis_detail {

/// Sets `ac`'s event hooks to run on `io`. Call before anything that may ask for I/O
/// (redisAsyncSetConnectCallback asks for a write at once). Returns false if the socket cannot
/// be registered with `io` (the caller frees `ac`). hiredis's cleanup hook (redisAsyncFree, a
/// lost connection) unregisters the socket before hiredis closes it; no wait completes into the
/// context after that.
bool drive_with_asio(redisAsyncContext* ac, asio::io_context& io);

}  // namespace restws::pubsub::redis_detail
