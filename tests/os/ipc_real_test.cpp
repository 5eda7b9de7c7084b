// Shared values and arrays in real mode (semantics.md §14): they are the run's
// shared files, and NAME.lock its process-shared rlock; pipe ends are its
// shared-memory queues with close and end of file.
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

TEST_F(RealMode, PipeCarriesEveryMessageInOrderThenEndOfFile) {
  Outcome o = run_json(ipc_path("pipe_producer_consumer.json"), {"--tick-us", "300"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::vector<std::string> consumer;
  for (const auto& l : o.result["output"])
    if (l["pid"] == 3) consumer.push_back(l["text"]);
  EXPECT_EQ(consumer,
            (std::vector<std::string>{"poll at start: false", "poll with timeout 5: true",
                                      "consumed 1", "consumed 2", "consumed 3", "consumed 4",
                                      "consumed 5", "end of file; sum = 15"}));
  EXPECT_EQ(o.result["objects"][0]["object"], "pipe end jobs.r");
  EXPECT_GT(proc(o.result, 2)["blocked"]["queue"].get<int>(), 0);  // the pipe filled up
}

TEST_F(RealMode, PipeDeadlockIsExplainedAsInTheSimulator) {
  Outcome o = run_json(ipc_path("pipe_deadlock.json"), {"--tick-us", "300"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const json& d = o.result["deadlock"];
  ASSERT_EQ(d["blocked"].size(), 2u);
  EXPECT_EQ(d["blocked"][0]["waits_for"], "a message at pipe end `talk.a`, which is empty");
}

TEST_F(RealMode, CloseWakesABlockedReceiverWithEndOfFile) {
  std::string path = write_scenario("eof.json", R"({
    "machine": { "cores": 2, "scheduler": "fcfs" },
    "pipes": { "t": {} },
    "programs": {
      "reader": [ { "recv": "t.b", "into": "m", "ok": "open" }, { "print": "open {open}" },
                  { "recv": "t.b", "into": "m" } ],
      "closer": [ { "compute": 2 }, { "close": "t.a" } ]
    },
    "processes": [ { "name": "reader", "program": "reader" }, { "name": "closer", "program": "closer" } ]
  })");
  Outcome o = run_json(path, {"--tick-us", "300"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(o.result["output"].size(), 1u);
  EXPECT_EQ(o.result["output"][0]["text"], "open false");
  EXPECT_EQ(proc(o.result, 2)["exit_code"], 1);
  ASSERT_EQ(o.result["errors"].size(), 1u);
  EXPECT_NE(o.result["errors"][0]["message"].get<std::string>().find("Python raises EOFError"),
            std::string::npos);
}

}  // namespace
