// path-to-regexp 1.x semantics (parse + tokensToRegExp), rewritten for C++ and std::regex.

#include "restws/router/path2regex.hpp"

#include <stdexcept>

namespace restws::router {
namespace {

struct token_t {
  bool is_param = false;
  std::string literal;  // for literals
  route_param_key_t key;
  char prefix = '\0';  // '/', '.' or none
  std::string pattern;
  bool repeat = false;
  bool optional = false;
  bool partial = false;
};

constexpr bool is_ascii_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Escapes the characters std::regex (ECMAScript) treats as special.
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '.':
      case '+':
      case '*':
      case '?':
      case '^':
      case '$':
      case '{':
      case '}':
      case '(':
      case ')':
      case '[':
      case ']':
      case '|':
      case '\\':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
}

/// Reads a group starting at route[open] == '(' up to its matching ')'. Returns the group's inner
/// pattern with capturing groups made non-capturing; sets `end` past the ')'.
std::string read_group(std::string_view route, std::size_t open, std::size_t& end) {
  std::string out;
  int depth = 1;
  bool in_class = false;
  std::size_t i = open + 1;
  for (; i < route.size(); ++i) {
    const char c = route[i];
    if (c == '\\') {
      if (i + 1 >= route.size()) throw std::invalid_argument{"route: trailing backslash"};
      // "\cX" (a control character) takes the character after it too, whatever it is, in
      // std::regex: "\c]" would end no class there, and the group's end found here would not
      // be the regex's. Only a letter is valid (ECMAScript).
      if (route[i + 1] == 'c' && (i + 2 >= route.size() || !is_ascii_letter(route[i + 2])))
        throw std::invalid_argument{"route: '\\c' not followed by a letter in " +
                                    std::string{route}};
      out += c;
      out += route[++i];
      continue;
    }
    if (in_class) {
      if (c == '[' && i + 1 < route.size() &&
          (route[i + 1] == ':' || route[i + 1] == '.' || route[i + 1] == '=')) {
        // "[:alpha:]", "[.a.]", "[=a=]": std::regex reads them inside a class, up to their own
        // closing pair; a ']' or ')' in them ends neither the class nor the group.
        const char closing[] = {route[i + 1], ']', '\0'};
        const auto close = route.find(closing, i + 2);
        if (close == std::string_view::npos)
          throw std::invalid_argument{"route: unterminated '[" + std::string{route[i + 1]} +
                                      "' in " + std::string{route}};
        out.append(route.substr(i, close + 2 - i));
        i = close + 1;
        continue;
      }
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
      out += c;
      if (i + 1 >= route.size() || route[i + 1] != '?') out += "?:";  // keep numbering stable
      continue;
    } else if (c == ')') {
      if (--depth == 0) break;
    }
    out += c;
  }
  if (depth != 0) throw std::invalid_argument{"route: unbalanced '(' in " + std::string{route}};
  if (out.empty()) throw std::invalid_argument{"route: empty group in " + std::string{route}};
  end = i + 1;
  return out;
}

std::vector<token_t> parse(std::string_view route) {
  std::vector<token_t> tokens;
  std::string literal;
  std::size_t next_index = 0;
  std::size_t i = 0;
  while (i < route.size()) {
    const char c = route[i];
    if (c == '\\') {
      if (i + 1 >= route.size()) throw std::invalid_argument{"route: trailing backslash"};
      literal += route[i + 1];
      i += 2;
      continue;
    }
    if (c == ')') throw std::invalid_argument{"route: unbalanced ')' in " + std::string{route}};
    const bool has_prefix = c == '/' || c == '.';
    std::size_t j = i + (has_prefix ? 1 : 0);
    token_t t;
    t.is_param = true;
    t.prefix = has_prefix ? c : '\0';
    bool asterisk = false;
    if (j + 1 < route.size() && route[j] == ':' && is_word_char(route[j + 1])) {
      std::size_t k = j + 1;
      while (k < route.size() && is_word_char(route[k])) ++k;
      t.key.name = std::string{route.substr(j + 1, k - j - 1)};
      j = k;
      if (j < route.size() && route[j] == '(') t.pattern = read_group(route, j, j);
    } else if (j < route.size() && route[j] == '(') {
      t.pattern = read_group(route, j, j);
    } else if (j < route.size() && route[j] == '*') {
      asterisk = true;
      ++j;
    } else {
      literal += c;
      ++i;
      continue;
    }
    if (!asterisk && j < route.size() && (route[j] == '+' || route[j] == '*' || route[j] == '?')) {
      t.repeat = route[j] == '+' || route[j] == '*';
      t.optional = route[j] == '?' || route[j] == '*';
      ++j;
    }
    if (t.key.name.empty()) t.key.index = next_index++;
    t.key.optional = t.optional;
    if (t.pattern.empty()) {
      if (asterisk) {
        t.pattern = ".*";
      } else {
        t.pattern = "[^";
        append_escaped(t.pattern, std::string_view{t.prefix ? &t.prefix : "/", 1});
        t.pattern += "]+?";
      }
    }
    t.partial = has_prefix && j < route.size() && route[j] != t.prefix;
    if (!literal.empty()) {
      token_t lit;
      lit.literal = std::move(literal);
      literal.clear();
      tokens.push_back(std::move(lit));
    }
    tokens.push_back(std::move(t));
    i = j;
  }
  if (!literal.empty()) {
    token_t lit;
    lit.literal = std::move(literal);
    tokens.push_back(std::move(lit));
  }
  return tokens;
}

}  // namespace

bool literal_route_matches(std::string_view literal, std::string_view path,
                           const path2regex_options_t& options) noexcept {
  if (path.size() == literal.size() + 1 && !options.strict && path.back() == '/')
    path.remove_suffix(1);
  if (path.size() != literal.size()) return false;
  if (options.sensitive) return path == literal;
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(path[i]) != lower(literal[i])) return false;
  }
  return true;
}

compiled_route_t path2regex(std::string_view route, const path2regex_options_t& options) {
  compiled_route_t out;
  std::string re;
  bool ends_with_delimiter = false;
  auto tokens = parse(route);
  if (options.ending && (tokens.empty() || (tokens.size() == 1 && !tokens[0].is_param))) {
    std::string literal = tokens.empty() ? std::string{} : tokens[0].literal;
    if (!options.strict && !literal.empty() && literal.back() == '/') literal.pop_back();
    out.literal = std::move(literal);
  }
  for (auto& t : tokens) {
    if (!t.is_param) {
      append_escaped(re, t.literal);
      ends_with_delimiter = t.literal.back() == '/';
      continue;
    }
    std::string prefix;
    if (t.prefix) append_escaped(prefix, std::string_view{&t.prefix, 1});
    std::string capture = "(?:" + t.pattern + ")";
    if (t.repeat) capture += "(?:" + prefix + capture + ")*";
    if (t.optional)
      capture = t.partial ? prefix + "(" + capture + ")?" : "(?:" + prefix + "(" + capture + "))?";
    else
      capture = prefix + "(" + capture + ")";
    re += capture;
    ends_with_delimiter = false;
    out.keys.push_back(std::move(t.key));
  }
  if (!options.strict) {
    if (ends_with_delimiter) re.pop_back();
    re += "(?:/(?=$))?";
  }
  if (options.ending)
    re += "$";
  else if (!(options.strict && ends_with_delimiter))
    re += "(?=/|$)";
  out.regex = "^" + re;
  return out;
}

}  // namespace restws::router
