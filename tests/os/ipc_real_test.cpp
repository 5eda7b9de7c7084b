// Shared values and arrays in real mode (semantics.md §13): they are the run's
// shared files, and NAME.lock its process-shared rlock. Pipes are refused.
#include "real_mode.hpp"

namespace {

using namespace mpsim_os_test;

std::string ipc_path(const std::string& name) {
  return std::string(MPSIM_SOURCE_DIR) + "/scenarios/ipc/" + name;
}

TEST_F(RealMode, ValueUnderItsLockKeepsEveryIncrement) {
  Outcome o = run_json(ipc_path("counter_lock.json"), {"--tick-us", "300"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.result["files"]["counter"]["value"], 10);
  ASSERT_EQ(o.result["output"].size(), 1u);
  EXPECT_EQ(o.result["output"][0]["text"], "counter = 10 (10 increments made)");
  EXPECT_EQ(o.result["objects"][0]["object"], "rlock counter.lock");
  EXPECT_EQ(o.result["objects"][0]["uses"], 20);  // 10 acquires, 10 releases
}

TEST_F(RealMode, ArrayElementsWrittenByWorkersAreReadByTheParent) {
  Outcome o = run_json(ipc_path("array_fill.json"), {"--tick-us", "300"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json& sq = o.result["files"]["squares"];
  EXPECT_EQ(sq["0"], 0);
  EXPECT_EQ(sq["1"], 1);
  EXPECT_EQ(sq["2"], 4);
  EXPECT_EQ(sq["3"], 9);
}

TEST_F(RealMode, PipesAreRefusedWithTheirPaths) {
  Outcome o = run({"run", "--backend", "real", ipc_path("pipe_deadlock.json")});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("operation recv (/programs/left/0) is not implemented in real mode yet"),
            std::string::npos)
      << o.err;
}

}  // namespace
