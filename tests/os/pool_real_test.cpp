// Process pools in real mode (semantics.md §13, docs/real-os.md#pools): the
// workers are forked daemonic children of the creator, tasks and results go
// through the run's shared memory. Each test also checks (the fixture) that
// no process, run folder or /dev/shm entry is left behind.
#include <regex>

#include "real_mode.hpp"

namespace {

using namespace mpsim_os_test;

std::string pool_path(const std::string& name) {
  return std::string(MPSIM_SOURCE_DIR) + "/scenarios/pool/" + name;
}

std::vector<std::string> texts(const json& r) {
  std::vector<std::string> out;
  for (const auto& l : r["output"]) out.push_back(l["text"]);
  return out;
}

std::vector<std::string> results(const json& r) {
  std::vector<std::string> out;
  for (const auto& t : r["tasks"])
    out.push_back(t.value("result", t.value("error", std::string("?"))));
  return out;
}

TEST_F(RealMode, PoolSyncVsAsyncRunsEveryTaskAndItsCallbacks) {
  Outcome o = run_json(seed("pool_sync_vs_async.json"), {"--oversubscribe", "--tick-us", "2000"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(results(o.result), (std::vector<std::string>{"1", "4", "9", "1", "4", "9"}));
  std::vector<std::string> out = texts(o.result);
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(out[0], "sync: apply waits for each result");
  EXPECT_TRUE(std::regex_match(out[11], std::regex("async phase: [0-9]+ ticks, results 1 4 9")))
      << out[11];
  int callbacks = 0;
  for (const auto& l : out) callbacks += l.find("callback: a result arrived") != std::string::npos;
  EXPECT_EQ(callbacks, 3);
  const json& pl = o.result["pools"][0];
  EXPECT_EQ(pl["workers"], json::array({3, 4}));
  EXPECT_EQ(pl["tasks"], 6);
  EXPECT_EQ(pl["failed"], 0);
  EXPECT_EQ(pl["creator"], 2);
  for (int pid : {3, 4}) EXPECT_EQ(proc(o.result, pid)["exit_code"], 0);
  // apply waits for each task: the three synchronous tasks never overlap.
  const json& t = o.result["tasks"];
  EXPECT_LE(t[0]["finished"].get<int>(), t[1]["started"].get<int>());
  EXPECT_LE(t[1]["finished"].get<int>(), t[2]["started"].get<int>());
}

TEST_F(RealMode, PoolMapImapAndImapUnorderedGiveEveryResult) {
  Outcome o =
      run_json(pool_path("map_vs_imap_unordered.json"), {"--oversubscribe", "--tick-us", "2000"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::vector<std::string> out = texts(o.result);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_TRUE(std::regex_match(out[0], std::regex("map at tick [0-9]+: 0 10 20 30"))) << out[0];
  for (int i = 0; i < 4; ++i)  // imap: item order
    EXPECT_TRUE(std::regex_match(
        out[1 + i], std::regex("imap next at tick [0-9]+: " + std::to_string(10 * i))));
  std::multiset<std::string> unordered;  // imap_unordered: finishing order, every result once
  for (int i = 5; i < 9; ++i) unordered.insert(out[i].substr(out[i].rfind(' ') + 1));
  EXPECT_EQ(unordered, (std::multiset<std::string>{"0", "10", "20", "30"}));
  EXPECT_EQ(out[9], "another next: ok = false");
  EXPECT_EQ(o.result["tasks"].size(), 12u);
}

TEST_F(RealMode, PoolMaxtasksperchildReplacesEachWorkerAfterTwoTasks) {
  Outcome o = run_json(pool_path("maxtasksperchild.json"), {"--tick-us", "2000"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json& pl = o.result["pools"][0];
  EXPECT_EQ(pl["workers"],
            json::array({3, 4, 5, 6, 7, 8}));  // two replaced twice, one not yet used
  EXPECT_EQ(pl["tasks"], 9);
  EXPECT_EQ(pl["failed"], 1);
  std::map<int, int> served;
  for (const auto& t : o.result["tasks"]) ++served[t["worker"].get<int>()];
  for (const auto& [w, n] : served) EXPECT_LE(n, 2) << "worker " << w;
  // The six map tasks: each worker counts its own tasks (variables persist
  // from task to task, the initializer sets 0), so its k-th task says k.
  std::map<int, int> count;
  for (int i = 0; i < 6; ++i) {
    int w = o.result["tasks"][i]["worker"];
    EXPECT_EQ(o.result["tasks"][i]["result"],
              "pid " + std::to_string(w) + " task " + std::to_string(++count[w]));
  }
  EXPECT_EQ(o.result["tasks"][7]["ok"], false);
  EXPECT_EQ(o.result["tasks"][7]["error"], "/programs/checked/1: assertion failed: item != 1");
  std::vector<std::string> out = texts(o.result);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1],
            "error_callback: task 8 (checked, item 1) failed: /programs/checked/1: assertion "
            "failed: item != 1");
  for (int pid = 3; pid <= 8; ++pid) EXPECT_EQ(proc(o.result, pid)["exit_code"], 0) << pid;
}

TEST_F(RealMode, TerminatePoolFailsQueuedAndRunningTasksWithoutCallbacks) {
  std::string path = write_scenario("terminate.json", R"({
    "machine": { "cores": 2, "scheduler": "fcfs" },
    "pools": { "p": { "processes": 2 } },
    "programs": {
      "long": [ {"sleep": 500}, {"return": 1} ],
      "said": [ {"print": "callback {result}"} ],
      "main": [
        {"create_pool": "p"},
        {"map_async": "p", "program": "long", "items": 4, "into": "h", "callback": "said"},
        {"sleep": 20},
        {"ready": "h", "into": "r"},
        {"terminate_pool": "p"},
        {"join_pool": "p"},
        {"get_result": "h", "into": "x", "ok": "ok"},
        {"print": "ready {r}, ok {ok}"}
      ]
    },
    "processes": [ {"name": "main", "program": "main"} ]
  })");
  Outcome o = run_json(path, {"--tick-us", "1000"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(texts(o.result), (std::vector<std::string>{"ready false, ok false"}));
  std::vector<std::string> errors;
  for (const auto& t : o.result["tasks"]) {
    EXPECT_EQ(t["ok"], false);
    errors.push_back(t["error"]);
  }
  EXPECT_EQ(errors, (std::vector<std::string>{"the pool was terminated while the task ran",
                                              "the pool was terminated while the task ran",
                                              "the pool was terminated before the task started",
                                              "the pool was terminated before the task started"}));
  EXPECT_EQ(proc(o.result, 3)["exit_code"], -15);
  EXPECT_EQ(proc(o.result, 4)["exit_code"], -15);
  EXPECT_EQ(o.result["pools"][0]["failed"], 4);
  EXPECT_LT(o.seconds, 3.0);  // the 500-tick tasks did not run to their end
}

TEST_F(RealMode, PoolFailedApplyEndsTheSubmitterAndTheCreatorsEndTakesItsWorkers) {
  std::string path = write_scenario("fail.json", R"({
    "machine": { "cores": 2, "scheduler": "fcfs" },
    "pools": { "p": { "processes": 2 } },
    "programs": {
      "bad": [ {"compute": 1}, {"assert": "x > 5"}, {"return": "x"} ],
      "main": [
        {"create_pool": "p"},
        {"apply": "p", "program": "bad", "args": {"x": 9}, "into": "a"},
        {"print": "a = {a}"},
        {"apply": "p", "program": "bad", "args": {"x": 1}, "into": "b"},
        {"print": "not reached"}
      ]
    },
    "processes": [ {"name": "main", "program": "main"} ]
  })");
  Outcome o = run_json(path, {"--tick-us", "1000"});
  EXPECT_EQ(texts(o.result), (std::vector<std::string>{"a = 9"})) << o.err;
  EXPECT_EQ(proc(o.result, 2)["exit_code"], 1);
  std::string error = o.result["errors"][0]["message"];
  EXPECT_NE(error.find("task 2 (bad) failed: /programs/bad/1: assertion failed: x > 5"),
            std::string::npos)
      << error;
  // The workers were daemons of main: they ended with it and nothing is left.
  for (int pid : {3, 4}) EXPECT_NE(proc(o.result, pid)["state"], "running");
}

}  // namespace

namespace {

using namespace mpsim_os_test;

TEST_F(RealMode, PoolWorkerKilledFailsItsTaskAndIsReplaced) {
  std::string path = write_scenario("killed.json", R"({
    "machine": { "cores": 2, "scheduler": "fcfs" },
    "pools": { "p": { "processes": 1 } },
    "programs": {
      "long": [ {"sleep": 500}, {"return": 1} ],
      "short": [ {"compute": 1}, {"return": "x * 2"} ],
      "main": [
        {"create_pool": "p"},
        {"apply_async": "p", "program": "long", "into": "h"},
        {"sleep": 20},
        {"kill": "3"},
        {"get_result": "h", "into": "a", "ok": "ok"},
        {"apply": "p", "program": "short", "args": {"x": 21}, "into": "b"},
        {"print": "ok {ok}, b {b}"},
        {"close_pool": "p"},
        {"join_pool": "p"}
      ]
    },
    "processes": [ {"name": "main", "program": "main"} ]
  })");
  Outcome o = run_json(path, {"--tick-us", "1000"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.result["output"][0]["text"], "ok false, b 42");
  const json& t = o.result["tasks"];
  EXPECT_EQ(t[0]["error"], "worker 3 ended (exit code -9) while running the task");
  EXPECT_EQ(t[1]["worker"], 4);
  EXPECT_EQ(o.result["pools"][0]["workers"], json::array({3, 4}));
  EXPECT_EQ(proc(o.result, 3)["exit_code"], -9);
  EXPECT_EQ(proc(o.result, 4)["exit_code"], 0);
  EXPECT_LT(o.seconds, 3.0);
}

}  // namespace
