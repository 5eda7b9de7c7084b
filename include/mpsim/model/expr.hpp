#pragma once
/// Expressions of the scenario language: integer arithmetic, comparisons,
/// boolean logic, strings in single quotes, variables and a few built-in calls.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mpsim/model/value.hpp"

namespace mpsim {

/// Longest string a process may build unless the run raises it
/// (--max-string-bytes): 1 MiB, far above any lesson's need.
inline constexpr std::int64_t kDefaultMaxStringBytes = std::int64_t{1} << 20;

/// Raised when an expression does not parse; `column` is 0-based in the source.
class ExprSyntaxError : public std::runtime_error {
 public:
  ExprSyntaxError(std::string msg, std::size_t column)
      : std::runtime_error(std::move(msg)), column(column) {}
  std::size_t column;
};

/// What an expression can ask of the process evaluating it.
class EvalContext {
 public:
  virtual ~EvalContext() = default;
  /// The value of a variable, or nullopt when it is not defined.
  virtual std::optional<Value> variable(std::string_view name) const = 0;
  /// The variable's value where the context keeps it, without a copy, when
  /// that is what variable() would give; nullptr otherwise (then variable()
  /// decides). The fast path for the variables a program reads at every step.
  /// `key` is name_key(name) (model/name_key.hpp), computed once per parsed name.
  [[nodiscard]] virtual const Value* find_stored(std::string_view /*name*/,
                                                 std::uint64_t /*key*/) const {
    return nullptr;
  }
  /// A built-in function call such as is_alive(h); throws RuntimeError on misuse.
  virtual Value call(std::string_view function, const std::vector<Value>& args) const = 0;
  /// Longest string an expression or template may build (RuntimeError beyond).
  [[nodiscard]] virtual std::int64_t max_string_bytes() const { return kDefaultMaxStringBytes; }
};

struct ExprNode;
struct IntProgram;

/// A parsed expression; cheap to copy (the tree is shared and immutable).
class Expr {
 public:
  Expr() = default;
  /// Parses `source`; throws ExprSyntaxError.
  static Expr parse(std::string_view source);
  /// An expression that is the integer `v`.
  static Expr constant(std::int64_t v);

  [[nodiscard]] Value eval(const EvalContext& ctx) const;
  /// Evaluates and requires an integer (the error names `what`). Inline for
  /// the literal, the usual compute/io amount; the rest is out of line.
  [[nodiscard]] std::int64_t eval_int(const EvalContext& ctx, std::string_view what) const {
    if (shape_ == Shape::Int) return int_value_;
    return eval_int_walk(ctx, what);
  }
  [[nodiscard]] bool eval_bool(const EvalContext& ctx, std::string_view what) const;

  [[nodiscard]] bool empty() const { return root_ == nullptr; }
  /// The integer value when the expression is a literal (fast path for compute/io).
  [[nodiscard]] std::optional<std::int64_t> as_constant_int() const;
  /// The variable's name when the whole expression is one variable, else
  /// nullptr: lets a context that keeps variables read it without a virtual
  /// call (the interpreter's compute and io amounts, kernel/runtime.hpp).
  [[nodiscard]] const std::string* lone_variable() const { return variable_; }
  /// name_key(*lone_variable()), computed once.
  [[nodiscard]] std::uint64_t lone_variable_key() const { return variable_key_; }
  [[nodiscard]] const std::string& source() const { return source_; }
  /// Names of variables the expression reads (for static checks).
  [[nodiscard]] std::vector<std::string> variables() const;
  /// Names of functions the expression calls (for static checks).
  [[nodiscard]] std::vector<std::string> functions() const;

 private:
  /// What eval_int can do without walking the tree: compute and io amounts are
  /// nearly always an integer literal or a lone variable. IntArith: integer
  /// arithmetic only, evaluated without Values (the general walk is the
  /// fallback that reports errors).
  enum class Shape : std::uint8_t { General, Int, Variable, IntArith };
  void classify();
  [[nodiscard]] std::int64_t eval_int_walk(const EvalContext& ctx, std::string_view what) const;

  std::shared_ptr<const ExprNode> root_;
  std::string source_;
  Shape shape_ = Shape::General;
  std::int64_t int_value_ = 0;  ///< Shape::Int
  /// Shape::Variable: the name in the (shared, immutable) root node, so it
  /// stays valid in every copy of this Expr.
  const std::string* variable_ = nullptr;
  std::uint64_t variable_key_ = 0;
  std::shared_ptr<const IntProgram> int_program_;  ///< Shape::IntArith
};

/// A print template: literal text with `{expression}` holes; `{{` and `}}` are braces.
class Template {
 public:
  Template() = default;
  /// Parses `text`; throws ExprSyntaxError (column relative to `text`).
  static Template parse(std::string_view text);
  [[nodiscard]] std::string render(const EvalContext& ctx) const;
  [[nodiscard]] const std::vector<Expr>& holes() const { return holes_; }

 private:
  std::vector<std::string> literals_;  // literals_.size() == holes_.size() + 1
  std::vector<Expr> holes_;
};

}  // namespace mpsim
