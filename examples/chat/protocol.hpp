#pragma once
// The chat's wire protocol (sans-IO): what a page may send, checked against the limits, and the
// JSON the server sends. Every message is one JSON object with a "type".
//
// Page to server:
//   join    name, room, id     enter a room (again: move to another one)
//   say     text               a message to the room
//   here                       "I am in the room": the answer to a `joined`, and every 20 s
//   ping                       answered with `pong` (the page's own liveness check)
// Server to page:
//   hello   node, max_*        on connect: which node this is, the limits
//   welcome room + member      the join is done
//   joined, present, left      member: name, id, session, node
//   message member, text, ts   a message to the room (its author gets it too), ts in ms
//   pong
//   error   code, message      a refusal; the connection stays
//
// `id` is chosen by the page (random, kept across its reconnects) so that a user who comes
// back through another node replaces their old entry in everyone's member list; `session` is
// the server's name for one connection ("node/connection"), so that a late `left` of an old
// connection does not remove the user's new one.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace chat {

/// Lengths are counted in Unicode code points (what a user sees as characters), bytes for the
/// whole message.
struct limits_t {
  std::size_t max_name = 32;
  std::size_t max_room = 40;
  std::size_t max_text = 1000;
  std::size_t max_message_bytes = 16 * 1024;
};

struct join_t {
  std::string name;  ///< trimmed, 1..max_name code points, no control characters
  std::string room;  ///< 1..max_room of [A-Za-z0-9_-]
  std::string id;    ///< 8..64 of [A-Za-z0-9_-]
};
struct say_t {
  std::string text;  ///< 1..max_text code points after trimming; newlines and tabs allowed
};
struct here_t {};
struct ping_t {};

/// A refusal: `code` for programs (stable), `message` for people.
struct protocol_error_t {
  std::string code;
  std::string message;
};

using client_message_t = std::variant<join_t, say_t, here_t, ping_t>;

/// Reads one text message from a page. Never throws for bad input: anything wrong is an error.
std::variant<client_message_t, protocol_error_t> parse_client_message(std::string_view text,
                                                                      const limits_t& limits);

/// Code points in valid UTF-8 (bytes that do not continue a sequence).
std::size_t utf8_length(std::string_view s) noexcept;

/// Who a presence or chat message is about.
struct member_t {
  std::string_view name;
  std::string_view id;
  std::string_view session;
  std::string_view node;
};

std::string make_hello(std::string_view node, const limits_t& limits);
std::string make_welcome(const member_t& me, std::string_view room);
/// `type`: "joined", "present" or "left".
std::string make_presence(std::string_view type, const member_t& who);
std::string make_chat_message(const member_t& from, std::string_view text, std::int64_t ts_ms);
std::string make_error(const protocol_error_t& error);
std::string make_pong();

}  // namespace chat
