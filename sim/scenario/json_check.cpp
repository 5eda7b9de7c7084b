#include "scenario/json_check.hpp"

#include <algorithm>
#include <cctype>

#include "mpsim/scenario/loader.hpp"

namespace mpsim::detail {

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return std::string("boolean ") + (v.get<bool>() ? "true" : "false");
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer " + v.dump();
    case json::value_t::number_float:
      return "number " + v.dump();
    case json::value_t::string: {
      std::string s = v.dump();
      if (s.size() > 42) s = s.substr(0, 40) + "...\"";
      return "string " + s;
    }
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string unknown_name(const std::string& what, const std::string& name,
                         const std::vector<std::string>& known) {
  std::string msg = "unknown " + what + " \"" + name + "\"";
  std::string guess = closest_match(name, known);
  if (!guess.empty()) return msg + " (did you mean \"" + guess + "\"?)";
  if (known.empty()) return msg + " (the scenario declares none)";
  return msg + "; expected one of: " + join(known);
}

std::string range_text(std::int64_t min, std::int64_t max) {
  if (max == INT64_MAX) return ">= " + std::to_string(min);
  if (min == INT64_MIN) return "<= " + std::to_string(max);
  return "from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string child(const std::string& path, const std::string& key) {
  std::string esc;
  for (char c : key) {
    if (c == '~')
      esc += "~0";
    else if (c == '/')
      esc += "~1";
    else
      esc += c;
  }
  return path + "/" + esc;
}

std::string child(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

void Checker::known_keys(const json& obj, const std::string& path,
                         const std::vector<std::string>& allowed) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    std::string msg = "unknown key \"" + k + "\"";
    std::string guess = closest_match(k, allowed);
    if (!guess.empty())
      msg += " (did you mean \"" + guess + "\"?)";
    else
      msg += "; expected one of: " + join(allowed);
    error(child(path, k), msg);
  }
}

bool Checker::is_object(const json& v, const std::string& path) {
  if (v.is_object()) return true;
  error(path, "expected an object, found " + describe(v));
  return false;
}

bool Checker::is_array(const json& v, const std::string& path) {
  if (v.is_array()) return true;
  error(path, "expected an array, found " + describe(v));
  return false;
}

std::optional<std::int64_t> Checker::integer(const json& v, const std::string& path,
                                             std::int64_t min, std::int64_t max) {
  if (!v.is_number_integer()) {
    error(path, "expected an integer, found " + describe(v));
    return std::nullopt;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    error(path, "expected an integer " + range_text(min, max) + ", found " + v.dump());
    return std::nullopt;
  }
  std::int64_t x = v.get<std::int64_t>();
  if (x < min || x > max) {
    error(path, "expected an integer " + range_text(min, max) + ", found " + std::to_string(x));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> Checker::boolean(const json& v, const std::string& path) {
  if (v.is_boolean()) return v.get<bool>();
  error(path, "expected true or false, found " + describe(v));
  return std::nullopt;
}

std::optional<std::string> Checker::string(const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  error(path, "expected a string, found " + describe(v));
  return std::nullopt;
}

std::optional<std::string> Checker::variable(const json& v, const std::string& path) {
  auto s = string(v, path);
  if (!s) return std::nullopt;
  bool ok = !s->empty() && (std::isalpha(static_cast<unsigned char>((*s)[0])) || (*s)[0] == '_');
  for (char c : *s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    error(path, "expected a variable name (letters, digits, _), found \"" + *s + "\"");
    return std::nullopt;
  }
  const auto& reserved = builtin_variables();
  if (std::find(reserved.begin(), reserved.end(), *s) != reserved.end()) {
    error(path, "\"" + *s + "\" is a built-in variable and cannot be assigned");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Checker::choice(const json& v, const std::string& path,
                                           const std::vector<std::string>& choices,
                                           const std::string& what) {
  auto s = string(v, path);
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string msg = "unknown " + what + " \"" + *s + "\"";
  std::string guess = closest_match(*s, choices);
  if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
  msg += "; expected one of: " + join(choices);
  error(path, msg);
  return std::nullopt;
}

bool Checker::known_functions(const Expr& e, const std::string& src, const std::string& path,
                              const std::vector<std::string>& extra) {
  std::vector<std::string> known = builtin_functions();
  known.insert(known.end(), extra.begin(), extra.end());
  for (const auto& f : e.functions()) {
    if (std::find(known.begin(), known.end(), f) != known.end()) continue;
    std::string msg = "unknown function \"" + f + "\" in \"" + src + "\"";
    std::string guess = closest_match(f, known);
    if (!guess.empty())
      msg += " (did you mean \"" + guess + "\"?)";
    else
      msg += "; expected one of: " + join(known);
    error(path, msg);
    return false;
  }
  return true;
}

namespace {

// The expression parser recurses once per nesting level: bounding the length
// bounds the depth, so no scenario can exhaust the stack.
constexpr std::size_t kMaxExpression = 1000;

// The longest {hole} of template `t`, read as Template::parse reads it.
std::size_t longest_hole(const std::string& t) {
  std::size_t longest = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '{') continue;
    if (i + 1 < t.size() && t[i + 1] == '{') {
      ++i;  // "{{" is a literal brace
      continue;
    }
    std::size_t close = t.find('}', i);
    if (close == std::string::npos) break;  // Template::parse reports it
    longest = std::max(longest, close - i - 1);
    i = close;
  }
  return longest;
}

}  // namespace

std::optional<Expr> Checker::expression(const std::string& src, const std::string& path,
                                        const std::vector<std::string>& extra) {
  if (src.size() > kMaxExpression) {
    error(path, "expected an expression of at most " + std::to_string(kMaxExpression) +
                    " characters, found " + std::to_string(src.size()));
    return std::nullopt;
  }
  try {
    Expr e = Expr::parse(src);
    if (!known_functions(e, src, path, extra)) return std::nullopt;
    return e;
  } catch (const ExprSyntaxError& e) {
    error(path, "invalid expression \"" + src + "\": " + e.what() + " (at column " +
                    std::to_string(e.column + 1) + ")");
    return std::nullopt;
  }
}

std::optional<Expr> Checker::amount(const json& v, const std::string& path, std::int64_t min,
                                    std::int64_t max) {
  if (v.is_string()) return expression(v.get<std::string>(), path);
  if (!v.is_number_integer()) {
    error(path, "expected an integer or an expression string, found " + describe(v));
    return std::nullopt;
  }
  auto x = integer(v, path, min, max);
  if (!x) return std::nullopt;
  return Expr::constant(*x);
}

std::optional<Expr> Checker::value(const json& v, const std::string& path) {
  if (v.is_string()) return expression(v.get<std::string>(), path);
  if (v.is_boolean()) return Expr::parse(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) {
    auto x = integer(v, path, INT64_MIN);
    if (x) return Expr::constant(*x);
    return std::nullopt;
  }
  error(path, "expected an integer, true/false or an expression string, found " + describe(v));
  return std::nullopt;
}

std::optional<Template> Checker::templ(const json& v, const std::string& path) {
  auto s = string(v, path);
  if (!s) return std::nullopt;
  if (std::size_t hole = longest_hole(*s); hole > kMaxExpression) {
    error(path, "expected {expressions} of at most " + std::to_string(kMaxExpression) +
                    " characters, found one of " + std::to_string(hole));
    return std::nullopt;
  }
  try {
    Template t = Template::parse(*s);
    // Without this, a misspelt function in a hole would only fail when printed.
    for (const Expr& hole : t.holes())
      if (!known_functions(hole, *s, path)) return std::nullopt;
    return t;
  } catch (const ExprSyntaxError& e) {
    error(path, "invalid template \"" + *s + "\": " + e.what() + " (at column " +
                    std::to_string(e.column + 1) + ")");
    return std::nullopt;
  }
}

}  // namespace mpsim::detail
