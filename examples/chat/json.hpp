#pragma once
// The little JSON the chat needs (sans-IO, no dependency): reading one flat object whose values
// are all strings (every message a client sends has that shape), and writing strings escaped so
// that any user text is safe inside a JSON document and inside a <script> as well.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace chat {

/// Why a document was refused (one reason, for the error message the client gets).
enum class json_error_t : std::uint8_t {
  not_an_object,      ///< not `{` ... `}` with only white space around
  bad_syntax,         ///< a missing `:` `,` `"`, a trailing comma, garbage after the object
  not_a_string,       ///< a value that is a number, object, array, true/false/null
  bad_escape,         ///< an unknown `\x`, a bad `\uXXXX`, or a lone UTF-16 surrogate
  control_character,  ///< a raw byte below 0x20 inside a string (JSON requires an escape)
  duplicate_key,      ///< the same key twice (which one would win is ambiguous)
  too_many_keys,      ///< more than max_keys members
};

std::string_view to_string(json_error_t error) noexcept;

using json_object_t = std::map<std::string, std::string, std::less<>>;

/// Parses `text` as one JSON object of string values, `{"type":"join","name":"ann"}`. Escapes
/// are decoded to UTF-8 (surrogate pairs joined). The caller's bytes are assumed valid UTF-8
/// (the WebSocket layer has checked every text message); no allocation beyond the result.
std::variant<json_object_t, json_error_t> parse_flat_object(std::string_view text,
                                                            std::size_t max_keys = 16);

/// Appends `value` as a JSON string literal (with the quotes). Escapes `"` `\` and every control
/// character, and also `<` `>` `&` U+2028 U+2029, so the output may be embedded anywhere.
void append_json_string(std::string& out, std::string_view value);

/// Builds one JSON object, member by member: `json_object_builder_t{}.add("type", "x").done()`.
class json_object_builder_t {
 public:
  json_object_builder_t& add(std::string_view key, std::string_view value);
  json_object_builder_t& add(std::string_view key, const char* value) {
    return add(key, std::string_view{value});
  }
  json_object_builder_t& add(std::string_view key, std::int64_t value);
  /// The document; the builder is left empty.
  std::string done();

 private:
  void key(std::string_view key);
  std::string out_ = "{";
};

}  // namespace chat
