// What ws_load sends with --deflate or --corpus: whole messages compared after the echo (and,
// with --deflate, compressed before they are sent and inflated when they come back).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "options.hpp"

namespace ws_load {

struct message_set {
  bool text = false;                  // text frames (--corpus) or binary
  std::vector<std::string> messages;  // connection c's n-th message is messages[(c + n) % size]
};

/// --corpus FILE: its non-empty lines as text messages (each must be UTF-8; at most 64 MiB in
/// all); otherwise one binary message of --size pseudo-random bytes. Nothing, and `error`, if
/// the file cannot be read, is empty or is not UTF-8.
std::optional<message_set> load_message_set(const options& opts, std::string& error);

}  // namespace ws_load
