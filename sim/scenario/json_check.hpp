#pragma once
// Typed access to JSON values that records a diagnostic (with the JSON path)
// instead of throwing, so the loader can report every problem in one pass.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/model/diagnostics.hpp"
#include "mpsim/model/expr.hpp"

namespace mpsim::detail {

// Ordered, so keys are checked (and errors listed) in the order the file has them.
using json = nlohmann::ordered_json;

/// "string \"abc\"", "integer 5", "an array"...: what was found, for messages.
std::string describe(const json& v);

class Checker {
 public:
  Checker(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  void error(const std::string& path, std::string message) {
    out_.push_back(Diagnostic{file_, path, std::move(message)});
  }
  /// Reports keys of `obj` outside `allowed`, with a suggestion.
  void known_keys(const json& obj, const std::string& path,
                  const std::vector<std::string>& allowed);
  bool is_object(const json& v, const std::string& path);
  bool is_array(const json& v, const std::string& path);
  std::optional<std::int64_t> integer(const json& v, const std::string& path, std::int64_t min,
                                      std::int64_t max = INT64_MAX);
  std::optional<bool> boolean(const json& v, const std::string& path);
  std::optional<std::string> string(const json& v, const std::string& path);
  /// A variable that may be assigned: an identifier that is not a built-in.
  std::optional<std::string> variable(const json& v, const std::string& path);
  /// One of `choices`, with a suggestion when it is a typo.
  std::optional<std::string> choice(const json& v, const std::string& path,
                                    const std::vector<std::string>& choices,
                                    const std::string& what);
  /// An integer constant (from min to max) or an expression string.
  std::optional<Expr> amount(const json& v, const std::string& path, std::int64_t min,
                             std::int64_t max = INT64_MAX);
  /// An int/bool constant or an expression string (a JSON string is always an expression).
  std::optional<Expr> value(const json& v, const std::string& path);
  /// An expression whose functions are built-ins or in `extra` (e.g. `file` in an assert).
  std::optional<Expr> expression(const std::string& src, const std::string& path,
                                 const std::vector<std::string>& extra = {});
  /// A print/name template whose holes are valid expressions.
  std::optional<Template> templ(const json& v, const std::string& path);
  std::size_t count() const { return out_.size(); }

 private:
  /// Reports the first function `e` calls that does not exist.
  bool known_functions(const Expr& e, const std::string& src, const std::string& path,
                       const std::vector<std::string>& extra = {});

  std::string file_;
  std::vector<Diagnostic>& out_;
};

/// "unknown program \"x\"" plus a suggestion, or else the names there are.
std::string unknown_name(const std::string& what, const std::string& name,
                         const std::vector<std::string>& known);
/// "a, b, c", for lists of choices in messages.
std::string join(const std::vector<std::string>& words);
/// ">= 0", "from 1 to 1024": the accepted range, for messages.
std::string range_text(std::int64_t min, std::int64_t max);

/// Appends a JSON-pointer segment (escaping '~' and '/').
std::string child(const std::string& path, const std::string& key);
std::string child(const std::string& path, std::size_t index);

}  // namespace mpsim::detail
