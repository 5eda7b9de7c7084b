// Expression parser (recursive descent, one function per precedence level) and
// tree-walking evaluator. Integer overflow and division by zero are runtime
// errors rather than undefined behaviour, so a scenario can never crash mpsim.
#include "mpsim/model/expr.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "mpsim/model/name_key.hpp"

namespace mpsim {

enum class NodeKind { Literal, Variable, Call, Unary, Binary };

/// Operators decoded once at parse time: evaluation switches on this instead
/// of comparing the operator's text at every node (process arguments are
/// evaluated once per process, a million times in a large run).
enum class Op : std::uint8_t { None, Or, And, Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Le, Gt, Ge, Not, Neg };

struct ExprNode {
  NodeKind kind;
  Op op = Op::None;                             // Unary, Binary
  Value literal;                                // Literal
  std::string name;                             // Variable, Call, operator text
  std::uint64_t key = 0;                        // Variable: name_key(name)
  std::vector<std::shared_ptr<const ExprNode>> kids;
};

namespace {

using NodePtr = std::shared_ptr<const ExprNode>;

Op op_of(NodeKind k, std::string_view text) {
  if (k == NodeKind::Unary) return text == "!" ? Op::Not : Op::Neg;
  if (k != NodeKind::Binary) return Op::None;
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"||", Op::Or}, {"&&", Op::And}, {"+", Op::Add}, {"-", Op::Sub}, {"*", Op::Mul},
      {"/", Op::Div}, {"%", Op::Mod},  {"==", Op::Eq}, {"!=", Op::Ne}, {"<", Op::Lt},
      {"<=", Op::Le}, {">", Op::Gt},   {">=", Op::Ge}};
  for (const auto& [t, o] : kOps)
    if (t == text) return o;
  return Op::None;
}

NodePtr make(NodeKind k, std::string name, std::vector<NodePtr> kids = {}, Value lit = {}) {
  auto n = std::make_shared<ExprNode>();
  n->kind = k;
  n->op = op_of(k, name);
  n->name = std::move(name);
  if (k == NodeKind::Variable) n->key = name_key(n->name);
  n->kids = std::move(kids);
  n->literal = std::move(lit);
  return n;
}

class Parser {
 public:
  /// Parentheses, call arguments and unary operators nest the parser, and
  /// later the evaluator, one recursion deeper each (a '(' costs about seven
  /// frames). The loader's 1000-character bound on an expression did not
  /// bound that well enough: about 900 '(' overflowed the stack under the
  /// sanitizers (found by the loader fuzz campaign). Deeper is refused.
  static constexpr int kMaxNesting = 100;

  explicit Parser(std::string_view s) : s_(s) {}

  NodePtr parse_all() {
    NodePtr n = parse_or();
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const { throw ExprSyntaxError(msg, pos_); }

  /// One level deeper for its lifetime (kMaxNesting).
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting)
        p_.fail("nested deeper than " + std::to_string(kMaxNesting) +
                " levels (parentheses, calls and unary operators)");
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };

  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(std::string_view tok) {
    skip_ws();
    if (s_.substr(pos_, tok.size()) != tok) return false;
    pos_ += tok.size();
    return true;
  }

  // Binary levels: each takes the operators of its level, lowest precedence first.
  NodePtr parse_or() { return binary_level(0); }

  NodePtr binary_level(int level) {
    static const std::vector<std::vector<std::string_view>> kLevels = {
        {"||"}, {"&&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"+", "-"}, {"*", "/", "%"}};
    if (level == static_cast<int>(kLevels.size())) return parse_unary();
    NodePtr lhs = binary_level(level + 1);
    for (;;) {
      std::string_view op;
      for (auto cand : kLevels[static_cast<std::size_t>(level)]) {
        if (eat(cand)) {
          op = cand;
          break;
        }
      }
      if (op.empty()) return lhs;
      NodePtr rhs = binary_level(level + 1);
      lhs = make(NodeKind::Binary, std::string(op), {lhs, rhs});
    }
  }

  NodePtr parse_unary() {
    for (const char* op : {"!", "-"}) {
      if (!eat(op)) continue;
      Nest deeper(*this);
      return make(NodeKind::Unary, op, {parse_unary()});
    }
    return parse_primary();
  }

  NodePtr parse_primary() {
    skip_ws();
    if (pos_ >= s_.size()) fail("expected a value, found the end of the expression");
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      Nest deeper(*this);
      NodePtr inner = parse_or();
      if (!eat(")")) fail("expected ')'");
      return inner;
    }
    if (c == '\'') return parse_string();
    if (std::isdigit(static_cast<unsigned char>(c))) return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_name();
    fail("expected a value, found '" + std::string(1, c) + "'");
  }

  NodePtr parse_string() {
    ++pos_;  // opening quote
    std::string text;
    while (pos_ < s_.size() && s_[pos_] != '\'') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      text += s_[pos_++];
    }
    if (pos_ >= s_.size()) fail("unterminated string literal");
    ++pos_;
    return make(NodeKind::Literal, {}, {}, Value{std::move(text)});
  }

  NodePtr parse_number() {
    std::int64_t v = 0;
    std::size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      int d = s_[pos_] - '0';
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)) {
        pos_ = start;
        fail("integer literal out of range");
      }
      ++pos_;
    }
    return make(NodeKind::Literal, {}, {}, Value{v});
  }

  NodePtr parse_name() {
    std::size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    if (name == "true") return make(NodeKind::Literal, {}, {}, Value{true});
    if (name == "false") return make(NodeKind::Literal, {}, {}, Value{false});
    if (!eat("(")) return make(NodeKind::Variable, name);
    std::vector<NodePtr> args;
    Nest deeper(*this);
    if (!eat(")")) {
      do args.push_back(parse_or());
      while (eat(","));
      if (!eat(")")) fail("expected ')' or ',' in the arguments of " + name);
    }
    return make(NodeKind::Call, name, std::move(args));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;  ///< Nest levels open
};

Value eval_node(const ExprNode& n, const EvalContext& ctx);

std::int64_t need_int(const Value& v, const std::string& op) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw RuntimeError("operator " + op + " needs int operands, got " + type_name(v));
}

bool need_bool(const Value& v, const std::string& op) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw RuntimeError("operator " + op + " needs bool operands, got " + type_name(v));
}

// Strings only grow by joins and templates: checking there bounds them all.
void check_string_size(std::size_t bytes, const EvalContext& ctx) {
  if (static_cast<std::int64_t>(bytes) > ctx.max_string_bytes())
    throw RuntimeError("a string of " + std::to_string(bytes) +
                       " bytes is longer than the limit of " +
                       std::to_string(ctx.max_string_bytes()) + " bytes (--max-string-bytes)");
}

Value arith(Op op, const std::string& text, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case Op::Add: overflow = __builtin_add_overflow(a, b, &r); break;
    case Op::Sub: case Op::Neg: overflow = __builtin_sub_overflow(a, b, &r); break;
    case Op::Mul: overflow = __builtin_mul_overflow(a, b, &r); break;
    default:
      if (b == 0) throw RuntimeError(op == Op::Div ? "division by zero" : "modulo by zero");
      if (a == INT64_MIN && b == -1) overflow = true;
      else r = op == Op::Div ? a / b : a % b;
  }
  if (overflow) throw RuntimeError("integer overflow in " + std::to_string(a) + " " + text + " " +
                                   std::to_string(b));
  return r;
}

Value compare(Op op, const std::string& text, const Value& a, const Value& b) {
  if (op == Op::Eq || op == Op::Ne) {
    if (a.index() != b.index())
      throw RuntimeError("cannot compare " + std::string(type_name(a)) + " with " + type_name(b));
    return (a == b) == (op == Op::Eq);
  }
  if (a.index() != b.index() || std::holds_alternative<bool>(a))
    throw RuntimeError("operator " + text + " needs two ints or two strings, got " + type_name(a) +
                       " and " + type_name(b));
  if (op == Op::Lt) return a < b;
  if (op == Op::Le) return a <= b;
  if (op == Op::Gt) return a > b;
  return a >= b;
}

Value eval_binary(const ExprNode& n, const EvalContext& ctx) {
  const std::string& text = n.name;
  if (n.op == Op::And || n.op == Op::Or) {  // short-circuit, as users expect from C and Python
    bool lhs = need_bool(eval_node(*n.kids[0], ctx), text);
    if (n.op == Op::And ? !lhs : lhs) return lhs;
    return need_bool(eval_node(*n.kids[1], ctx), text);
  }
  Value a = eval_node(*n.kids[0], ctx);
  Value b = eval_node(*n.kids[1], ctx);
  if (n.op == Op::Add && (std::holds_alternative<std::string>(a) || std::holds_alternative<std::string>(b))) {
    if (std::holds_alternative<bool>(a) || std::holds_alternative<bool>(b))
      throw RuntimeError("operator + cannot join a bool and a string");
    std::string joined = to_display(a);
    std::string right = to_display(b);
    check_string_size(joined.size() + right.size(), ctx);
    return joined + right;
  }
  switch (n.op) {
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
      return arith(n.op, text, need_int(a, text), need_int(b, text));
    default: return compare(n.op, text, a, b);
  }
}

Value eval_node(const ExprNode& n, const EvalContext& ctx) {
  switch (n.kind) {
    case NodeKind::Literal: return n.literal;
    case NodeKind::Variable: {
      if (const Value* v = ctx.find_stored(n.name, n.key)) return *v;
      if (auto v = ctx.variable(n.name)) return *v;
      throw RuntimeError("unknown variable '" + n.name + "'");
    }
    case NodeKind::Call: {
      std::vector<Value> args;
      for (const auto& k : n.kids) args.push_back(eval_node(*k, ctx));
      return ctx.call(n.name, args);
    }
    case NodeKind::Unary: {
      Value v = eval_node(*n.kids[0], ctx);
      if (n.op == Op::Not) return !need_bool(v, "!");
      return arith(Op::Neg, "-", 0, need_int(v, "-"));
    }
    case NodeKind::Binary: return eval_binary(n, ctx);
  }
  return {};
}

}  // namespace

// Integer arithmetic without Values, for trees of int literals, variables,
// negation and + - * / % (process arguments, durations), as a postfix program
// run over a stack of integers: a tree walk cost about 45 instructions a
// node (1000 processes' args are evaluated at load and again at creation).
// run() is false when a value is not an int or an operation would fail; the
// caller then walks the tree with eval_node, which gives the exact value or
// error: evaluation has no side effects, so trying twice is safe.
struct IntProgram {
  enum class Kind : std::uint8_t { Push, Load, Neg, Add, Sub, Mul, Div, Mod };
  struct Step {
    Kind kind;
    std::int64_t value = 0;          // Push
    const ExprNode* node = nullptr;  // Load: the variable's node (name and key)
  };
  std::vector<Step> steps;
  std::size_t depth = 0;  // the most values on the stack at once

  // Appends n's steps; `height` is the stack height before them.
  void compile(const ExprNode& n, std::size_t height) {
    switch (n.kind) {
      case NodeKind::Literal:
        steps.push_back({Kind::Push, std::get<std::int64_t>(n.literal)});
        break;
      case NodeKind::Variable:
        steps.push_back({Kind::Load, 0, &n});
        break;
      case NodeKind::Unary:
        compile(*n.kids[0], height);
        steps.push_back({Kind::Neg});
        return;
      case NodeKind::Binary: {
        compile(*n.kids[0], height);
        compile(*n.kids[1], height + 1);
        static constexpr std::pair<Op, Kind> kKinds[] = {{Op::Add, Kind::Add},
                                                         {Op::Sub, Kind::Sub},
                                                         {Op::Mul, Kind::Mul},
                                                         {Op::Div, Kind::Div},
                                                         {Op::Mod, Kind::Mod}};
        for (const auto& [op, kind] : kKinds)
          if (n.op == op) steps.push_back({kind});
        return;
      }
      case NodeKind::Call:
        break;  // never: is_int_arith excludes it
    }
    depth = std::max(depth, height + 1);
  }

  bool run(const EvalContext& ctx, std::int64_t& out) const {
    std::int64_t small[32];
    std::vector<std::int64_t> large(depth > 32 ? depth : 0);
    std::int64_t* top = (depth > 32 ? large.data() : small) - 1;  // the last value pushed
    for (const Step& s : steps) {
      switch (s.kind) {
        case Kind::Push:
          *++top = s.value;
          break;
        case Kind::Load: {
          const Value* v = ctx.find_stored(s.node->name, s.node->key);
          std::optional<Value> held;
          if (!v && (held = ctx.variable(s.node->name))) v = &*held;
          const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr;
          if (!i) return false;
          *++top = *i;
          break;
        }
        case Kind::Neg:
          if (__builtin_sub_overflow(0, *top, top)) return false;
          break;
        default: {
          std::int64_t b = *top--;
          std::int64_t& a = *top;
          switch (s.kind) {
            case Kind::Add:
              if (__builtin_add_overflow(a, b, &a)) return false;
              break;
            case Kind::Sub:
              if (__builtin_sub_overflow(a, b, &a)) return false;
              break;
            case Kind::Mul:
              if (__builtin_mul_overflow(a, b, &a)) return false;
              break;
            default:  // Div, Mod
              if (b == 0 || (a == INT64_MIN && b == -1)) return false;
              a = s.kind == Kind::Div ? a / b : a % b;
          }
        }
      }
    }
    out = *top;
    return true;
  }
};

namespace {

// Whether an IntProgram can compute the whole tree.
bool is_int_arith(const ExprNode& n) {
  switch (n.kind) {
    case NodeKind::Literal:
      return std::holds_alternative<std::int64_t>(n.literal);
    case NodeKind::Variable:
      return true;
    case NodeKind::Unary:
      return n.op == Op::Neg && is_int_arith(*n.kids[0]);
    case NodeKind::Binary:
      return (n.op == Op::Add || n.op == Op::Sub || n.op == Op::Mul || n.op == Op::Div ||
              n.op == Op::Mod) &&
             is_int_arith(*n.kids[0]) && is_int_arith(*n.kids[1]);
    case NodeKind::Call:
      return false;
  }
  return false;
}

void collect(const ExprNode& n, NodeKind kind, std::vector<std::string>& out) {
  if (n.kind == kind) out.push_back(n.name);
  for (const auto& k : n.kids) collect(*k, kind, out);
}

}  // namespace

Expr Expr::parse(std::string_view source) {
  Expr e;
  e.root_ = Parser(source).parse_all();
  e.source_ = std::string(source);
  e.classify();
  return e;
}

Expr Expr::constant(std::int64_t v) {
  Expr e;
  e.root_ = make(NodeKind::Literal, {}, {}, Value{v});
  e.source_ = std::to_string(v);
  e.classify();
  return e;
}

void Expr::classify() {
  shape_ = is_int_arith(*root_) ? Shape::IntArith : Shape::General;
  if (shape_ == Shape::IntArith) {
    auto program = std::make_shared<IntProgram>();
    program->compile(*root_, 0);
    int_program_ = std::move(program);
  }
  if (root_->kind == NodeKind::Variable) {
    shape_ = Shape::Variable;
    variable_ = &root_->name;
    variable_key_ = root_->key;
  }
  if (const auto* i = std::get_if<std::int64_t>(&root_->literal); i && root_->kind == NodeKind::Literal) {
    shape_ = Shape::Int;
    int_value_ = *i;
  }
}

Value Expr::eval(const EvalContext& ctx) const {
  std::int64_t v = 0;
  if (shape_ == Shape::IntArith && int_program_->run(ctx, v)) return v;
  return eval_node(*root_, ctx);
}

std::int64_t Expr::eval_int_walk(const EvalContext& ctx, std::string_view what) const {
  // The same value and errors as eval_node, without the tree walk and a copy.
  std::optional<Value> var;
  if (shape_ == Shape::Variable) {
    if (const Value* v = ctx.find_stored(root_->name, root_->key))  // no copy, no optional
      if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
    var = ctx.variable(root_->name);
    if (!var) throw RuntimeError("unknown variable '" + root_->name + "'");
    if (const auto* i = std::get_if<std::int64_t>(&*var)) return *i;
  }
  std::int64_t fast = 0;
  if (shape_ == Shape::IntArith && int_program_->run(ctx, fast)) return fast;
  Value v = var ? std::move(*var) : eval_node(*root_, ctx);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw RuntimeError(std::string(what) + " must be an int, '" + source_ + "' is " + type_name(v));
}

bool Expr::eval_bool(const EvalContext& ctx, std::string_view what) const {
  Value v = eval(ctx);
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw RuntimeError(std::string(what) + " must be a bool, '" + source_ + "' is " + type_name(v));
}

std::optional<std::int64_t> Expr::as_constant_int() const {
  if (root_ && root_->kind == NodeKind::Literal) {
    if (const auto* i = std::get_if<std::int64_t>(&root_->literal)) return *i;
  }
  return std::nullopt;
}

std::vector<std::string> Expr::variables() const {
  std::vector<std::string> out;
  if (root_) collect(*root_, NodeKind::Variable, out);
  return out;
}

std::vector<std::string> Expr::functions() const {
  std::vector<std::string> out;
  if (root_) collect(*root_, NodeKind::Call, out);
  return out;
}

Template Template::parse(std::string_view text) {
  Template t;
  std::string lit;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      lit += c;
      ++i;
    } else if (c == '{') {
      std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) throw ExprSyntaxError("unclosed '{' in template", i);
      try {
        t.holes_.push_back(Expr::parse(text.substr(i + 1, close - i - 1)));
      } catch (const ExprSyntaxError& e) {
        throw ExprSyntaxError(e.what(), i + 1 + e.column);
      }
      t.literals_.push_back(std::move(lit));
      lit.clear();
      i = close;
    } else if (c == '}') {
      throw ExprSyntaxError("unmatched '}' in template (write '}}' for a brace)", i);
    } else {
      lit += c;
    }
  }
  t.literals_.push_back(std::move(lit));
  return t;
}

std::string Template::render(const EvalContext& ctx) const {
  std::string out = literals_[0];
  for (std::size_t i = 0; i < holes_.size(); ++i) {
    std::string hole = to_display(holes_[i].eval(ctx));
    check_string_size(out.size() + hole.size() + literals_[i + 1].size(), ctx);
    out += hole;
    out += literals_[i + 1];
  }
  return out;
}

}  // namespace mpsim
