#include <gtest/gtest.h>

#include "mpsim/model/expr.hpp"

namespace mpsim {
namespace {

class Vars : public EvalContext {
 public:
  std::optional<Value> variable(std::string_view n) const override {
    if (n == "x") return Value{std::int64_t{7}};
    if (n == "s") return Value{std::string("ab")};
    return std::nullopt;
  }
  Value call(std::string_view, const std::vector<Value>&) const override {
    throw RuntimeError("no calls");
  }
};

Value eval(const std::string& src) {
  return Expr::parse(src).eval(Vars{});
}

TEST(Expr, ArithmeticFollowsPrecedence) {
  EXPECT_EQ(eval("1 + 2 * 3"), Value{std::int64_t{7}});
  EXPECT_EQ(eval("(1 + 2) * 3"), Value{std::int64_t{9}});
  EXPECT_EQ(eval("x % 4 - -1"), Value{std::int64_t{4}});
  EXPECT_EQ(eval("7 / 2"), Value{std::int64_t{3}});
}

TEST(Expr, ComparisonsAndLogic) {
  EXPECT_EQ(eval("x > 3 && !(x == 8) || false"), Value{true});
  EXPECT_EQ(eval("'b' > 'a'"), Value{true});
}

TEST(Expr, StringsConcatenate) {
  EXPECT_EQ(eval("s + '-' + x"), Value{std::string("ab-7")});
}

TEST(Expr, RuntimeErrorsAreReported) {
  EXPECT_THROW(eval("1 / 0"), RuntimeError);
  EXPECT_THROW(eval("9223372036854775807 + 1"), RuntimeError);
  EXPECT_THROW(eval("y"), RuntimeError);
  EXPECT_THROW(eval("1 && true"), RuntimeError);
}

// Integer arithmetic runs as a postfix program (expr.cpp, IntProgram); what
// it cannot compute falls back to the tree walk, with the same values and errors.
TEST(Expr, IntegerArithmeticGivesTheTreeWalksValuesAndErrors) {
  // 745579 * 7919 = 5904240101 = 5904 * 1000003 + 222389; 222389 = 2201 * 101 + 88.
  EXPECT_EQ(eval("100 + (x * x + 745530) % 1000003 * 7919 % 1000003 % 101"),
            Value{std::int64_t{188}});
  EXPECT_EQ(eval("-x - -x * 2 / 3 % 5"), Value{std::int64_t{-7 - -7 * 2 / 3 % 5}});
  EXPECT_EQ(eval("-9223372036854775807 - 1"), Value{INT64_MIN});
  EXPECT_EQ(eval("s + 1"), Value{std::string("ab1")});  // not an int: the walk concatenates
  EXPECT_EQ(eval("x + s"), Value{std::string("7ab")});
  auto message = [](const std::string& src) {
    try {
      (void)eval(src);
    } catch (const RuntimeError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Each failure in the middle of a program, with the walk's message.
  for (const char* src : {"1 + x / (x - 7)", "x % 0 + 1", "-(-9223372036854775807 - 1) + 1",
                          "(-9223372036854775807 - 1) / -1", "9223372036854775807 * 2 - x", "y + 1",
                          "1 - (-9223372036854775807 - 1)"}) {
    std::string walked = message(src);
    EXPECT_NE(walked, "no error") << src;
    EXPECT_EQ(message(std::string("(") + src + ")"), walked) << src;
  }
  EXPECT_EQ(message("x % 0 + 1"), message("x % 0"));
  // Deeper than the program's small stack (32 values).
  std::string deep = "1";
  for (int i = 0; i < 90; ++i) deep = "x + (" + deep + ")";
  EXPECT_EQ(eval(deep), Value{std::int64_t{1 + 90 * 7}});
}

// Parentheses, call arguments and unary operators may nest 100 levels; the
// 101st is a syntax error at the column where it opens, not a stack overflow.
TEST(Expr, NestingIsBoundedAtAHundredLevels) {
  auto nested = [](int n, const std::string& open, const std::string& close) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += "1";
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  EXPECT_EQ(eval(nested(100, "(", ")")), Value{std::int64_t{1}});
  EXPECT_EQ(eval(nested(100, "-", "")), Value{std::int64_t{1}});
  for (const auto& [open, close] : std::vector<std::pair<std::string, std::string>>{
           {"(", ")"}, {"-", ""}, {"!", ""}, {"abs(", ")"}, {"(-", ")"}}) {
    try {
      Expr::parse(nested(101, open, close));
      ADD_FAILURE() << open << " nested 101 times parsed";
    } catch (const ExprSyntaxError& e) {
      EXPECT_STREQ(e.what(),
                   "nested deeper than 100 levels (parentheses, calls and unary operators)");
    }
  }
  try {
    Expr::parse(nested(101, "(", ")"));
  } catch (const ExprSyntaxError& e) {
    EXPECT_EQ(e.column, 101u);  // just past the 101st '('
  }
}

TEST(Expr, SyntaxErrorsGiveColumn) {
  try {
    (void)Expr::parse("1 + ");
    FAIL();
  } catch (const ExprSyntaxError& e) {
    EXPECT_EQ(e.column, 4u);
  }
}

TEST(Template, InterpolatesAndEscapes) {
  EXPECT_EQ(Template::parse("x={x} {{literal}}").render(Vars{}), "x=7 {literal}");
}

}  // namespace
}  // namespace mpsim
