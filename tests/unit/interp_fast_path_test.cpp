// The interpreter's fast path for compute, io, sleep and repeat amounts that
// are one variable (ProcessContext::int_of, kernel/runtime.hpp): it must give
// the values of the general evaluation, and leave every error -- its text and
// its tick -- to the general path. `cpu * 1` takes the general path, `cpu`
// the fast one.
#include <gtest/gtest.h>

#include <string>

#include "sim_helpers.hpp"

namespace mpsim {
namespace {

using test::by_name;
using test::run;

std::string scenario(const std::string& programs, const std::string& processes) {
  return R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},"programs":{)" +
         programs + R"(},"processes":[)" + processes + "]}";
}

// The errors of a run, one "tick pid: message" a line.
std::string errors(const RunResult& r) {
  std::string all;
  for (const auto& e : r.errors)
    all += std::to_string(e.tick) + " " + std::to_string(e.pid) + ": " + e.message + "\n";
  return all;
}

TEST(InterpFastPath, LoneVariablesGiveTheValuesOfTheGeneralPath) {
  // Five arguments, so that the last two are past the inline variables; two
  // share their first 7 bytes; `cpu` is reassigned by a set before its second use.
  const std::string args =
      R"("args":{"cpu":"3","wait":"4","counter_a":"2","counter_b":"5","spilled":"6"})";
  auto program = [](const std::string& suffix) {
    return R"([{"compute":"cpu)" + suffix + R"("},{"io":"wait)" + suffix + R"("},)" +
           R"({"repeat":"counter_a)" + suffix + R"(","do":[{"compute":"counter_b)" + suffix +
           R"("}]},)" + R"({"sleep":"spilled)" + suffix +
           R"("},{"set":"cpu","value":"7"},{"compute":"cpu)" + suffix + R"("}])";
  };
  RunResult fast =
      run(scenario(R"("p":)" + program(""), R"({"name":"a","program":"p",)" + args + "}"));
  RunResult slow =
      run(scenario(R"("p":)" + program(" * 1"), R"({"name":"a","program":"p",)" + args + "}"));
  const ProcessResult& f = by_name(fast, "a");
  EXPECT_EQ(f.cpu, 3 + 2 * 5 + 7);  // hand-computed
  EXPECT_EQ(f.blocked_io, 4);
  EXPECT_EQ(f.blocked_sleep, 6);
  EXPECT_EQ(f.finish, 3 + 4 + 10 + 6 + 7);
  EXPECT_EQ(errors(fast), "");
  const ProcessResult& s = by_name(slow, "a");
  EXPECT_EQ(s.cpu, f.cpu);
  EXPECT_EQ(s.blocked_io, f.blocked_io);
  EXPECT_EQ(s.blocked_sleep, f.blocked_sleep);
  EXPECT_EQ(s.finish, f.finish);
}

TEST(InterpFastPath, ASetShadowsAnArgumentAndAChildGetsItsOwnValue) {
  // The child's argument `cpu` replaces the copy of its parent's variable.
  RunResult r = run(scenario(
      R"("parent":[{"set":"cpu","value":"cpu + 1"},{"spawn":"child","args":{"cpu":"cpu * 10"},"into":"h"},)"
      R"({"join":"h"},{"compute":"cpu"}],"child":[{"compute":"cpu"}])",
      R"({"name":"p","program":"parent","args":{"cpu":"2"}})"));
  EXPECT_EQ(by_name(r, "p").cpu, 3);
  EXPECT_EQ(by_name(r, "child-3").cpu, 30);
  EXPECT_EQ(errors(r), "");
}

TEST(InterpFastPath, ErrorsAreThoseOfTheGeneralPathAtTheSameTick) {
  RunResult r = run(scenario(
      R"("undefined":[{"compute":"2"},{"io":"nothere"}],)"
      R"("string":[{"compute":"cpu"},{"set":"cpu","value":"'abc'"},{"compute":"cpu"}],)"
      R"("boolean":[{"sleep":"flag"}],)"
      R"("negative":[{"repeat":"neg","do":[{"compute":"1"}]}],)"
      R"("negative_compute":[{"compute":"neg"}])",
      R"({"name":"u","program":"undefined"},{"name":"s","program":"string","args":{"cpu":"3"}},)"
      R"({"name":"b","program":"boolean","args":{"flag":"true"}},{"name":"n","program":"negative","args":{"neg":"-1"}},)"
      R"({"name":"m","program":"negative_compute","args":{"neg":"-2"}})"));
  // fcfs in pid order: u computes 0-2, s 2-5; then each error ends its process at once.
  EXPECT_EQ(
      errors(r),
      "2 2: /programs/undefined/1: unknown variable 'nothere'\n"
      "5 3: /programs/string/2: compute must be an int, 'cpu' is string\n"
      "5 4: /programs/boolean/0: sleep must be an int, 'flag' is bool\n"
      "5 5: /programs/negative/0: repeat needs a non-negative amount, 'neg' is -1\n"
      "5 6: /programs/negative_compute/0: compute needs a non-negative amount, 'neg' is -2\n");
}

}  // namespace
}  // namespace mpsim
