// The expression parser and evaluator on arbitrary text and values. Besides
// "no crash, no UB", it is a differential test: eval_int and eval_bool take
// fast paths (integer literals, lone variables, integer-only trees) that must
// give exactly what the general tree walk of eval gives, value or error.
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "checks.hpp"
#include "mpsim/model/expr.hpp"

namespace mpsim::fuzz {

namespace {

/// Variables and calls whose answers come from the input's value bytes:
/// each name hashes to a 9-byte slot (a type byte and 8 bytes of payload).
class FuzzContext : public EvalContext {
 public:
  explicit FuzzContext(std::string_view values) : values_(values) {}

  std::optional<Value> variable(std::string_view name) const override { return value_for(name); }

  // Half the names are "stored", so the no-copy path is fuzzed as well.
  const Value* find_stored(std::string_view name, std::uint64_t /*key*/) const override {
    if (hash(name) % 2) return nullptr;
    auto it = stored_.find(std::string(name));
    if (it == stored_.end()) {
      std::optional<Value> v = value_for(name);
      if (!v) return nullptr;
      it = stored_.emplace(std::string(name), *v).first;
    }
    return &it->second;
  }

  // A call answers from its name and argument count, or fails as misuse would.
  Value call(std::string_view function, const std::vector<Value>& args) const override {
    std::string key = std::string(function) + "/" + std::to_string(args.size());
    std::optional<Value> v = value_for(key);
    if (!v) throw RuntimeError("bad call of " + std::string(function));
    return *v;
  }

 private:
  static std::uint64_t hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  }

  std::optional<Value> value_for(std::string_view name) const {
    std::size_t slots = values_.size() / 9;
    if (slots == 0) return Value{static_cast<std::int64_t>(name.size())};
    std::string_view slot = values_.substr(hash(name) % slots * 9, 9);
    std::int64_t payload = 0;
    std::memcpy(&payload, slot.data() + 1, sizeof payload);
    switch (static_cast<unsigned char>(slot[0]) % 5) {
      case 0:
        return Value{payload};
      case 1:
        return Value{static_cast<std::int64_t>(static_cast<std::int8_t>(payload))};
      case 2:
        return Value{(payload & 1) != 0};
      case 3:
        return Value{std::string(slot.substr(1, static_cast<std::size_t>(payload & 7)))};
      default:
        return std::nullopt;  // an unknown variable
    }
  }

  std::string_view values_;
  mutable std::map<std::string, Value> stored_;
};

/// The value, or the runtime error's message prefixed by "error: ".
std::variant<Value, std::string> outcome(const auto& f) {
  try {
    return f();
  } catch (const RuntimeError& e) {
    return std::string("error: ") + e.what();
  }
}

std::string check_parsed(const Expr& e, const FuzzContext& ctx) {
  (void)e.variables();
  (void)e.functions();
  (void)e.as_constant_int();
  auto general = outcome([&] { return e.eval(ctx); });
  if (general != outcome([&] { return e.eval(ctx); })) return "eval is not deterministic";
  auto as_int = outcome([&] { return Value{e.eval_int(ctx, "x")}; });
  auto as_bool = outcome([&] { return Value{e.eval_bool(ctx, "x")}; });
  if (const Value* v = std::get_if<Value>(&general)) {
    (void)to_display(*v);
    bool is_int = std::holds_alternative<std::int64_t>(*v);
    bool is_bool = std::holds_alternative<bool>(*v);
    if (is_int != std::holds_alternative<Value>(as_int) || (is_int && as_int != general))
      return "eval_int disagrees with eval";
    if (is_bool != std::holds_alternative<Value>(as_bool) || (is_bool && as_bool != general))
      return "eval_bool disagrees with eval";
  } else if (std::holds_alternative<Value>(as_int) || std::holds_alternative<Value>(as_bool)) {
    return "eval failed but eval_int or eval_bool gave a value";
  }
  if (auto c = e.as_constant_int(); c && general != std::variant<Value, std::string>(Value{*c}))
    return "as_constant_int disagrees with eval";
  return "";
}

}  // namespace

std::string check_expr(std::string_view bytes) {
  std::size_t nul = bytes.find('\0');
  std::string_view text = bytes.substr(0, nul);
  FuzzContext ctx(nul == std::string_view::npos ? std::string_view{} : bytes.substr(nul + 1));
  try {
    std::optional<Expr> e;
    try {
      e = Expr::parse(text);
    } catch (const ExprSyntaxError& err) {
      if (err.column > text.size()) return "a syntax error's column is past the end";
    }
    if (e)
      if (std::string bad = check_parsed(*e, ctx); !bad.empty()) return bad;
    try {
      Template t = Template::parse(text);
      (void)outcome([&] { return Value{t.render(ctx)}; });
    } catch (const ExprSyntaxError& err) {
      if (err.column > text.size()) return "a template error's column is past the end";
    }
  } catch (const std::exception& e) {
    return std::string("an unexpected exception: ") + e.what();
  }
  return "";
}

}  // namespace mpsim::fuzz
