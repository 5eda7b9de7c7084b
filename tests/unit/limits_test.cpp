// The simulator's limits (docs/reliability.md): each stops a scenario that
// would exhaust the machine with an exact message, and the run goes on or
// ends marked as stopped. Hand-computed expectations.
#include <gtest/gtest.h>

#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

std::string scenario(const std::string& programs,
                     const std::string& processes = R"({"name": "main", "program": "main"})") {
  return R"({"name": "limits", "machine": {"cores": 1, "scheduler": "fcfs"}, "programs": {)" +
         programs + R"(}, "processes": [)" + processes + "]}";
}

TEST(Limits, DefaultsAreDocumented) {
  RunOptions o;
  EXPECT_EQ(o.max_ticks, 1000000000);
  EXPECT_EQ(o.max_processes, 1000000);
  EXPECT_EQ(o.max_zero_time_ops, 100000);
  EXPECT_EQ(o.max_output_lines, 1000000);
  EXPECT_EQ(o.max_string_bytes, 1048576);
}

TEST(Limits, TickLimitStopsAnEndlessComputeLoopAtTheLimitSkippingOrNot) {
  // compute 3 forever: boundaries at 0, 3, 6, 9; skipping would jump to 12,
  // but the run stops at tick 10 exactly, as tick by tick, mid-compute.
  std::string s = scenario(R"("main": [{"while": "true", "do": [{"compute": 3}]}])");
  for (bool skip : {true, false}) {
    RunOptions o;
    o.max_ticks = 10;
    o.event_skipping = skip;
    RunResult r = run(s, o);
    EXPECT_EQ(r.stopped, "simulated-time limit of 10 ticks reached (--max-ticks)");
    EXPECT_EQ(r.makespan, 10);
    EXPECT_FALSE(r.deadlock);
    ASSERT_EQ(r.processes.size(), 1u);
    EXPECT_EQ(r.processes[0].finish, -1);  // still alive when stopped
    EXPECT_EQ(r.processes[0].cpu, 10);
  }
}

TEST(Limits, ARunThatEndsBeforeTheLimitIsNotStopped) {
  RunOptions o;
  o.max_ticks = 5;
  RunResult r = run(scenario(R"("main": [{"compute": 5}])"), o);
  EXPECT_EQ(r.stopped, "");
  EXPECT_EQ(r.makespan, 5);
}

TEST(Limits, ProcessLimitFailsTheSpawnBeyondIt) {
  // main + 3 children = 4 processes; the 4th spawn would be the 5th process.
  RunOptions o;
  o.max_processes = 4;
  RunResult r = run(
      scenario(R"("main": [{"repeat": 10, "do": [{"spawn": "kid"}]}], "kid": [{"compute": 1}])"),
      o);
  ASSERT_EQ(r.processes.size(), 4u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].pid, 2);
  EXPECT_EQ(r.errors[0].tick, 0);
  EXPECT_EQ(r.errors[0].message,
            "/programs/main/0/do/0: process limit of 4 reached (--max-processes)");
  EXPECT_EQ(by_name(r, "main").exit_code, 1);
}

TEST(Limits, AForkBombIsStoppedByTheProcessLimit) {
  // Every process spawns two more of itself, forever: the limit ends it.
  RunOptions o;
  o.max_processes = 100;
  RunResult r = run(scenario(R"("bomb": [{"spawn": "bomb"}, {"spawn": "bomb"}, {"compute": 1}])",
                             R"({"name": "bomb", "program": "bomb"})"),
                    o);
  EXPECT_EQ(r.processes.size(), 100u);
  EXPECT_FALSE(r.errors.empty());
  for (const auto& e : r.errors)
    EXPECT_NE(e.message.find("process limit of 100 reached"), std::string::npos);
}

TEST(Limits, OutputLimitFailsThePrintBeyondIt) {
  RunOptions o;
  o.max_output_lines = 3;
  RunResult r = run(
      scenario(R"("main": [{"repeat": 5, "do": [{"print": "line {now}"}, {"compute": 1}]}])"), o);
  ASSERT_EQ(r.prints.size(), 3u);
  EXPECT_EQ(r.prints[2].text, "line 2");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].tick, 3);
  EXPECT_EQ(r.errors[0].message,
            "/programs/main/0/do/0: output limit of 3 lines reached (--max-output-lines)");
}

TEST(Limits, StringLimitStopsADoublingStringAtItsFirstStepOverTheLimit) {
  // 'x' doubled: 2, 4, ..., 1024 bytes fit; the step to 2048 does not.
  RunOptions o;
  o.max_string_bytes = 1024;
  RunResult r = run(scenario(R"("main": [{"set": "s", "value": "'x'"},
                                          {"while": "true", "do": [{"set": "s", "value": "s + s"}, {"compute": 1}]}])"),
                    o);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].tick, 10);
  EXPECT_EQ(r.errors[0].message,
            "/programs/main/1/do/0: a string of 2048 bytes is longer than the limit of 1024 bytes "
            "(--max-string-bytes)");
}

TEST(Limits, StringLimitAppliesToTemplates) {
  RunOptions o;
  o.max_string_bytes = 10;
  RunResult r =
      run(scenario(R"("main": [{"set": "s", "value": "'abcdef'"}, {"print": "{s}{s}"}])"), o);
  EXPECT_TRUE(r.prints.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/programs/main/1: a string of 12 bytes is longer than the limit of 10 bytes "
            "(--max-string-bytes)");
}

}  // namespace
}  // namespace mpsim::test
