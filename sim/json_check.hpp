#pragma once
// Typed access to JSON values that records a diagnostic (with the JSON path)
// instead of throwing, so the loader can report every problem in one pass.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/diagnostics.hpp"
#include "mpsim/expr.hpp"

namespace mpsim::detail {

using nlohmann::json;

/// "string \"abc\"", "integer 5", "an array"...: what was found, for messages.
std::string describe(const json& v);

class Checker {
 public:
  Checker(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  void error(const std::string& path, std::string message) {
    out_.push_back(Diagnostic{file_, path, std::move(message)});
  }
  /// Reports keys of `obj` outside `allowed`, with a suggestion.
  void known_keys(const json& obj, const std::string& path, const std::vector<std::string>& allowed);
  bool is_object(const json& v, const std::string& path);
  bool is_array(const json& v, const std::string& path);
  std::optional<std::int64_t> integer(const json& v, const std::string& path, std::int64_t min,
                                      std::int64_t max = INT64_MAX);
  std::optional<bool> boolean(const json& v, const std::string& path);
  std::optional<std::string> string(const json& v, const std::string& path);
  /// One of `choices`, with a suggestion when it is a typo.
  std::optional<std::string> choice(const json& v, const std::string& path,
                                    const std::vector<std::string>& choices, const std::string& what);
  /// An integer constant (>= min) or an expression string.
  std::optional<Expr> amount(const json& v, const std::string& path, std::int64_t min);
  /// An int/bool constant or an expression string (a JSON string is always an expression).
  std::optional<Expr> value(const json& v, const std::string& path);
  std::optional<Expr> expression(const std::string& src, const std::string& path);
  std::optional<Template> templ(const json& v, const std::string& path);
  std::size_t count() const { return out_.size(); }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

/// Appends a JSON-pointer segment (escaping '~' and '/').
std::string child(const std::string& path, const std::string& key);
std::string child(const std::string& path, std::size_t index);

}  // namespace mpsim::detail
