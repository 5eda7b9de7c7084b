// mpsim py's pool reports as the model's PoolResult/TaskResult records
// (sim/python/pool_metrics.cpp, docs/python.md#pool-metrics).
#include <gtest/gtest.h>

#include "python/pool_metrics.hpp"

namespace mpsim {
namespace {

nlohmann::json task(const char* kind, int handle, int item, nlohmann::json started,
                    nlohmann::json finished, nlohmann::json worker, bool ok, const char* error) {
  return {{"kind", kind},       {"handle", handle},        {"item", item},
          {"program", "work"},  {"submitter", 2},          {"submitted", 0},
          {"started", started}, {"finished", finished},    {"worker", worker},
          {"ok", ok},           {"result", ok ? "9" : ""}, {"error", error}};
}

TEST(PyPoolMetrics, NumbersTasksAndHandlesOverTheRunAndTotalsEachPool) {
  python::detail::PoolMetrics m;
  m.add({{"processes", 2},
         {"maxtasksperchild", 0},
         {"created", 0},
         {"workers", {3, 4}},
         {"tasks",
          {task("apply", 1, 0, 0, 100, 3, true, ""), task("map", 2, 0, 100, 150, 4, true, ""),
           task("map", 2, 1, 100, 200, 3, false, "ValueError: bad")}}},
        "a", 2);
  // A second pool, terminated before its only task started.
  m.add({{"processes", 1},
         {"maxtasksperchild", 2},
         {"created", 10},
         {"workers", {6}},
         {"tasks", {task("imap", 1, 0, nullptr, nullptr, nullptr, false, "")}}},
        "b", 2);
  RunResult r;
  r.makespan = 300;
  for (Pid pid = 2; pid <= 6; ++pid) {
    ProcessResult p;
    p.pid = pid;
    p.finish = pid == 3 ? 250 : pid == 4 ? 260 : -1;  // pid 6 (pool b) still runs
    r.processes.push_back(p);
  }
  m.finish(r);

  ASSERT_EQ(r.pools.size(), 2u);
  EXPECT_EQ(r.pools[0].name, "a");
  EXPECT_EQ(r.pools[0].creator, 2);
  EXPECT_EQ(r.pools[0].ended, 260);  // its last worker's exit
  EXPECT_EQ(r.pools[0].busy, 250);   // 100 + 50 + 100
  EXPECT_EQ(r.pools[0].tasks, 3);
  EXPECT_EQ(r.pools[0].failed, 1);
  EXPECT_DOUBLE_EQ(r.pools[0].utilisation(r.makespan), 250.0 / (2 * 260));
  EXPECT_EQ(r.pools[1].maxtasksperchild, 2);
  EXPECT_EQ(r.pools[1].ended, -1);
  EXPECT_EQ(r.pools[1].busy, 0);
  EXPECT_EQ(r.pools[1].failed, 0);  // never finished: not a failure

  ASSERT_EQ(r.tasks.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(r.tasks[i].id, static_cast<std::int64_t>(i) + 1);
  EXPECT_EQ(r.tasks[2].job, 2);
  EXPECT_EQ(r.tasks[2].item, 1);
  EXPECT_EQ(r.tasks[2].error, "ValueError: bad");
  EXPECT_EQ(r.tasks[3].pool, "b");
  EXPECT_EQ(r.tasks[3].job, 3);  // pool a had 2 submissions
  EXPECT_EQ(r.tasks[3].kind, "imap");
  EXPECT_EQ(r.tasks[3].started, -1);
  EXPECT_EQ(r.tasks[3].worker, kNoPid);
}

}  // namespace
}  // namespace mpsim
