#include "protocol.hpp"

#include "json.hpp"

namespace chat {

namespace {

bool is_token_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_token(std::string_view s) noexcept {
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

// Unicode white space a user types around a name or text (ASCII, no-break space).
std::string_view trim(std::string_view s) noexcept {
  auto space_at_front = [&] {
    if (!s.empty() &&
        (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
      return std::size_t{1};
    if (s.size() >= 2 && s[0] == '\xC2' && s[1] == '\xA0') return std::size_t{2};
    return std::size_t{0};
  };
  auto space_at_back = [&] {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
      return std::size_t{1};
    if (s.size() >= 2 && s[s.size() - 2] == '\xC2' && s.back() == '\xA0') return std::size_t{2};
    return std::size_t{0};
  };
  for (std::size_t n; (n = space_at_front()) != 0;) s.remove_prefix(n);
  for (std::size_t n; (n = space_at_back()) != 0;) s.remove_suffix(n);
  return s;
}

// C0 and C1 controls and DEL: they would let a name fake line breaks or terminal escapes in
// logs. `allow_newlines` keeps \n and \t for chat text.
bool has_control(std::string_view s, bool allow_newlines) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (allow_newlines && (c == '\n' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
  }
  return false;
}

protocol_error_t error(std::string code, std::string message) {
  return {std::move(code), std::move(message)};
}

const std::string* field(const json_object_t& o, std::string_view key) {
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &it->second;
}

std::variant<client_message_t, protocol_error_t> parse_join(const json_object_t& o,
                                                            const limits_t& limits) {
  const std::string* name = field(o, "name");
  const std::string* room = field(o, "room");
  const std::string* id = field(o, "id");
  if (!name || !room || !id) return error("missing_field", "join needs name, room and id");
  join_t join;
  join.name = std::string{trim(*name)};
  if (join.name.empty()) return error("name_empty", "pick a name");
  if (utf8_length(join.name) > limits.max_name)
    return error("name_too_long",
                 "a name has at most " + std::to_string(limits.max_name) + " characters");
  if (has_control(join.name, false))
    return error("name_invalid", "a name may not contain control characters");
  if (room->empty()) return error("room_empty", "pick a room");
  if (room->size() > limits.max_room)
    return error("room_too_long",
                 "a room has at most " + std::to_string(limits.max_room) + " characters");
  if (!is_token(*room))
    return error("room_invalid", "a room name uses only letters, digits, - and _");
  if (id->size() < 8 || id->size() > 64 || !is_token(*id))
    return error("id_invalid", "id: 8 to 64 letters, digits, - or _");
  join.room = *room;
  join.id = *id;
  return join;
}

std::variant<client_message_t, protocol_error_t> parse_say(const json_object_t& o,
                                                           const limits_t& limits) {
  const std::string* text = field(o, "text");
  if (!text) return error("missing_field", "say needs text");
  say_t say{std::string{trim(*text)}};
  if (say.text.empty()) return error("text_empty", "nothing to send");
  if (utf8_length(say.text) > limits.max_text)
    return error("text_too_long",
                 "a message has at most " + std::to_string(limits.max_text) + " characters");
  if (has_control(say.text, true))
    return error("text_invalid", "a message may not contain control characters");
  return say;
}

json_object_builder_t& add_member(json_object_builder_t& b, const member_t& m) {
  return b.add("name", m.name).add("id", m.id).add("session", m.session).add("node", m.node);
}

}  // namespace

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::variant<client_message_t, protocol_error_t> parse_client_message(std::string_view text,
                                                                      const limits_t& limits) {
  if (text.size() > limits.max_message_bytes)
    return error("too_large",
                 "a message has at most " + std::to_string(limits.max_message_bytes) + " bytes");
  auto parsed = parse_flat_object(text);
  if (const auto* e = std::get_if<json_error_t>(&parsed))
    return error("bad_json", std::string{to_string(*e)});
  const auto& o = std::get<json_object_t>(parsed);
  const std::string* type = field(o, "type");
  if (!type) return error("missing_field", "a message needs a type");
  if (*type == "join") return parse_join(o, limits);
  if (*type == "say") return parse_say(o, limits);
  if (*type == "here") return here_t{};
  if (*type == "ping") return ping_t{};
  return error("bad_type", "unknown message type");
}

std::string make_hello(std::string_view node, const limits_t& limits) {
  return json_object_builder_t{}
      .add("type", "hello")
      .add("node", node)
      .add("max_name", static_cast<std::int64_t>(limits.max_name))
      .add("max_room", static_cast<std::int64_t>(limits.max_room))
      .add("max_text", static_cast<std::int64_t>(limits.max_text))
      .done();
}

std::string make_welcome(const member_t& me, std::string_view room) {
  json_object_builder_t b;
  b.add("type", "welcome").add("room", room);
  return add_member(b, me).done();
}

std::string make_presence(std::string_view type, const member_t& who) {
  json_object_builder_t b;
  b.add("type", type);
  return add_member(b, who).done();
}

std::string make_chat_message(const member_t& from, std::string_view text, std::int64_t ts_ms) {
  json_object_builder_t b;
  b.add("type", "message");
  return add_member(b, from).add("text", text).add("ts", ts_ms).done();
}

std::string make_error(const protocol_error_t& e) {
  return json_object_builder_t{}
      .add("type", "error")
      .add("code", e.code)
      .add("message", e.message)
      .done();
}

std::string make_pong() { return json_object_builder_t{}.add("type", "pong").done(); }

}  // namespace chat
