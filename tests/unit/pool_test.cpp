// Process pools (semantics.md §13): exact, hand-computed ticks for which
// worker takes which task, when results, callbacks and waiters happen,
// maxtasksperchild, failures, terminate, and the load-time checks. Every run
// goes with and without event skipping (run_both).
#include "mpsim/analysis/deadlock.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

using Lines = std::vector<std::string>;

Lines texts(const RunResult& r) {
  Lines out;
  for (const auto& p : r.prints) out.push_back(std::to_string(p.tick) + " " + p.text);
  return out;
}

// A scenario with one pool `pool`, the given programs and one process `main`.
std::string pool_scenario(int cores, const std::string& pool, const std::string& programs) {
  return R"({"machine": {"cores": )" + std::to_string(cores) + R"(, "scheduler": "fcfs"},
             "pools": {"pool": )" +
         pool + R"(},
             "programs": {)" +
         programs + R"(},
             "processes": [{"name": "main", "program": "main"}]})";
}

const TaskResult& task(const RunResult& r, std::int64_t id) {
  return r.tasks.at(static_cast<std::size_t>(id - 1));
}

TEST(Pool, ApplyWaitsForTheResult) {
  // 0: main creates worker 3, submits task 1 (no worker idle yet: queued) and
  // blocks; worker 3 takes it from the queue and computes 0-2, returns 9 at 2,
  // which wakes main; main prints at 2 and ends, and its daemonic worker with it.
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "square": [{"compute": 2}, {"return": "x * x"}],
      "main": [{"create_pool": "pool"},
               {"apply": "pool", "program": "square", "args": {"x": 3}, "into": "r"},
               {"print": "{r}"}])"));
  EXPECT_EQ(texts(r), (Lines{"2 9"}));
  ASSERT_EQ(r.tasks.size(), 1u);
  const TaskResult& t = task(r, 1);
  EXPECT_EQ(t.submitted, 0);
  EXPECT_EQ(t.started, 0);
  EXPECT_EQ(t.finished, 2);
  EXPECT_EQ(t.worker, 3);
  EXPECT_EQ(t.result, "9");
  EXPECT_EQ(t.kind, "apply");
  const ProcessResult& w = by_name(r, "pool-worker-1");
  EXPECT_EQ(w.pid, 3);
  EXPECT_EQ(w.parent, 2);
  EXPECT_TRUE(w.daemon);
  EXPECT_EQ(w.exit_code, -15);  // terminated when main ended (POSIX exit semantics: daemons die)
  ASSERT_EQ(r.pools.size(), 1u);
  EXPECT_EQ(r.pools[0].created, 0);
  EXPECT_EQ(r.pools[0].ended, 2);
  EXPECT_EQ(r.pools[0].busy, 2);
  EXPECT_DOUBLE_EQ(r.pools[0].utilisation(r.makespan), 1.0);
  EXPECT_EQ(r.makespan, 2);
}

TEST(Pool, LongestIdleWorkerFirstThenFifoQueue) {
  // 0: workers 3 and 4 start, find no task and wait idle, 3 first. 1: main
  // submits three tasks: 1 -> worker 3, 2 -> worker 4 (longest idle first), 3
  // queued. 3: both finish; worker 3 (core 0 continues first) takes task 3 at
  // once, 3-5. Busy 2+2+2 = 6 worker-ticks of 2 x 5.
  RunResult r = run_both(pool_scenario(3, R"({"processes": 2})", R"(
      "job": [{"compute": 2}, {"return": "pid"}],
      "main": [{"create_pool": "pool"}, {"sleep": 1},
               {"apply_async": "pool", "program": "job", "into": "h1"},
               {"apply_async": "pool", "program": "job", "into": "h2"},
               {"apply_async": "pool", "program": "job", "into": "h3"},
               {"get_result": "h3", "into": "x"},
               {"print": "{h1} {h2} {h3} {x}"}])"));
  EXPECT_EQ(texts(r), (Lines{"5 1 2 3 3"}));
  EXPECT_EQ(task(r, 1).worker, 3);
  EXPECT_EQ(task(r, 2).worker, 4);
  EXPECT_EQ(task(r, 3).worker, 3);
  EXPECT_EQ(task(r, 1).started, 1);
  EXPECT_EQ(task(r, 3).submitted, 1);
  EXPECT_EQ(task(r, 3).started, 3);
  EXPECT_EQ(task(r, 3).finished, 5);
  EXPECT_EQ(r.pools[0].busy, 6);
  EXPECT_DOUBLE_EQ(r.pools[0].utilisation(r.makespan), 0.6);
}

TEST(Pool, CallbackRunsInTheSubmitterWhenTheTaskReturns) {
  // main computes 0-5 on core 0 while worker 3 runs the task 0-3 on core 1:
  // the callback prints at 3, as main, without taking main's core or time.
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "job": [{"compute": 3}, {"return": 7}],
      "cb": [{"print": "callback {result} in {pid}"}],
      "main": [{"create_pool": "pool"},
               {"apply_async": "pool", "program": "job", "into": "h", "callback": "cb"},
               {"compute": 5}, {"print": "done, result = {result}"}])"));
  EXPECT_EQ(texts(r), (Lines{"3 callback 7 in 2", "5 done, result = 7"}));
  EXPECT_EQ(by_name(r, "main").cpu, 5);
  EXPECT_EQ(r.prints[0].pid, 2);
}

TEST(Pool, MapResultsInItemOrderImapUnorderedInFinishingOrder) {
  // Items take 3, 2, 1 ticks. 0: worker 3 takes item 0 (0-3), worker 4 item 1
  // (0-2), then item 2 (2-3). Finishing order: item 1 at 2, item 0 and item 2
  // at 3 (core 0's worker first).
  const std::string programs = R"(
      "work": [{"compute": "3 - item"}, {"return": "item * 10"}],
      "main": [{"create_pool": "pool"},
               {"KIND": "pool", "program": "work", "items": 3, "into": "it"},
               {"repeat": 3, "do": [{"next": "it", "into": "x"}, {"print": "{x}"}]},
               {"next": "it", "into": "x", "ok": "more"}, {"print": "more {more}"},
               {"map": "pool", "program": "work", "items": 3, "into": "m"},
               {"print": "map {m_0} {m_1} {m_2}"}])";
  auto with = [&](const std::string& kind) {
    std::string p = programs;
    p.replace(p.find("KIND"), 4, kind);
    return run_both(pool_scenario(3, R"({"processes": 2})", p));
  };
  RunResult un = with("imap_unordered");
  EXPECT_EQ(texts(un), (Lines{"2 10", "3 0", "3 20", "3 more false", "6 map 0 10 20"}));
  RunResult ordered = with("imap");
  EXPECT_EQ(texts(ordered), (Lines{"3 0", "3 10", "3 20", "3 more false", "6 map 0 10 20"}));
  EXPECT_EQ(task(un, 3).worker, 4);
  EXPECT_EQ(task(un, 3).started, 2);
}

TEST(Pool, WorkerKeepsVariablesAndIsReplacedAfterMaxTasks) {
  // One worker, maxtasksperchild 1. Worker 3 runs item 0 (0-1), exits with
  // code 0 and is reaped by main at 1; worker 4 is forked at 1 and runs item 1
  // (1-2); worker 5 replaces it at 2.
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1, "maxtasksperchild": 1})", R"(
      "job": [{"compute": 1}, {"return": "pid"}],
      "main": [{"create_pool": "pool"},
               {"map": "pool", "program": "job", "items": 2, "into": "r"},
               {"print": "{r_0} {r_1}"}])"));
  EXPECT_EQ(texts(r), (Lines{"2 3 4"}));
  const ProcessResult& w1 = by_name(r, "pool-worker-1");
  EXPECT_EQ(w1.exit_code, 0);
  EXPECT_EQ(w1.finish, 1);
  EXPECT_EQ(w1.reaped_by, 2);
  EXPECT_EQ(w1.reaped_at, 1);
  EXPECT_EQ(by_name(r, "pool-worker-2").arrival, 1);
  EXPECT_EQ(r.pools[0].workers, (std::vector<Pid>{3, 4, 5}));
}

TEST(Pool, VariablesPersistInAWorkerBetweenTasks) {
  RunResult r = run_both(pool_scenario(1, R"({"processes": 1, "initializer": "setup"})", R"(
      "setup": [{"set": "served", "value": 100}],
      "job": [{"set": "served", "value": "served + 1"}, {"return": "served"}],
      "main": [{"create_pool": "pool"},
               {"map": "pool", "program": "job", "items": 3, "into": "r"},
               {"print": "{r_0} {r_1} {r_2}"}])"));
  EXPECT_EQ(texts(r), (Lines{"0 101 102 103"}));
}

TEST(Pool, AFailedTaskEndsOnlyTheTask) {
  // Task 1 fails its assert at 1; get_result with ok gives false and the error
  // callback ran first; the same worker then runs task 2 (1-2).
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "check": [{"compute": 1}, {"assert": "x > 0"}, {"return": "x"}],
      "oops": [{"print": "error_callback: {error}"}],
      "main": [{"create_pool": "pool"},
               {"apply_async": "pool", "program": "check", "args": {"x": 0}, "into": "h", "error_callback": "oops"},
               {"get_result": "h", "into": "v", "ok": "ok"},
               {"print": "ok {ok}"},
               {"apply": "pool", "program": "check", "args": {"x": 5}, "into": "v"},
               {"print": "v {v}"}])"));
  EXPECT_EQ(
      texts(r),
      (Lines{"1 error_callback: task 1 (check) failed: /programs/check/1: assertion failed: x > 0",
             "1 ok false", "2 v 5"}));
  EXPECT_FALSE(task(r, 1).ok);
  EXPECT_EQ(task(r, 2).worker, 3);
  EXPECT_EQ(r.pools[0].failed, 1);
  EXPECT_TRUE(r.errors.empty());
}

TEST(Pool, ApplyOfAFailedTaskIsAnErrorInTheSubmitter) {
  RunResult r = run_both(pool_scenario(1, R"({"processes": 1})", R"(
      "bad": [{"exit": 3}],
      "main": [{"create_pool": "pool"}, {"apply": "pool", "program": "bad"}])"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].pid, 2);
  EXPECT_EQ(r.errors[0].message,
            "/programs/main/1: task 1 (bad) failed: /programs/bad/0: exit in a pool task (the "
            "worker would die and "
            "the task be lost)");
}

TEST(Pool, TerminateFailsQueuedAndRunningTasks) {
  // 0-2: worker 3 runs task 1 while task 2 waits; at 2 main terminates the
  // pool: task 2 never started, task 1 and worker 3 (-15) end; join reaps it.
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "long": [{"compute": 10}],
      "main": [{"create_pool": "pool"},
               {"apply_async": "pool", "program": "long", "into": "h1"},
               {"apply_async": "pool", "program": "long", "into": "h2"},
               {"compute": 2}, {"terminate_pool": "pool"},
               {"get_result": "h1", "into": "a", "ok": "o1"}, {"get_result": "h2", "into": "b", "ok": "o2"},
               {"join_pool": "pool"}, {"print": "{o1} {o2}"}])"));
  EXPECT_EQ(texts(r), (Lines{"2 false false"}));
  EXPECT_EQ(task(r, 1).error, "the pool was terminated while the task ran");
  EXPECT_EQ(task(r, 2).error, "the pool was terminated before the task started");
  EXPECT_EQ(task(r, 2).started, -1);
  const ProcessResult& w = by_name(r, "pool-worker-1");
  EXPECT_EQ(w.exit_code, -15);
  EXPECT_EQ(w.reaped_by, 2);
  EXPECT_EQ(r.pools[0].ended, 2);
  EXPECT_EQ(r.pools[0].busy, 2);
}

TEST(Pool, CloseLetsQueuedTasksFinishAndJoinReapsTheWorkers) {
  // Two tasks 0-2 and 2-4 on one worker; close at 0; the worker retires at 4
  // (exit 0) and join_pool, waiting since 0, reaps it at 4.
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "job": [{"compute": 2}],
      "main": [{"create_pool": "pool"},
               {"map_async": "pool", "program": "job", "items": 2, "into": "h"},
               {"close_pool": "pool"}, {"join_pool": "pool"}, {"ready": "h", "into": "done"},
               {"print": "joined, ready {done}"}])"));
  EXPECT_EQ(texts(r), (Lines{"4 joined, ready true"}));
  const ProcessResult& w = by_name(r, "pool-worker-1");
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_EQ(w.reaped_at, 4);
  EXPECT_EQ(by_name(r, "main").blocked_join, 4);
}

TEST(Pool, GetResultTimesOut) {
  RunResult r = run_both(pool_scenario(2, R"({"processes": 1})", R"(
      "job": [{"compute": 5}, {"return": 1}],
      "main": [{"create_pool": "pool"},
               {"apply_async": "pool", "program": "job", "into": "h"},
               {"get_result": "h", "into": "v", "timeout": 2, "ok": "ok"}, {"print": "first {ok}"},
               {"get_result": "h", "into": "v", "timeout": 10, "ok": "ok"}, {"print": "second {ok} {v}"}])"));
  EXPECT_EQ(texts(r), (Lines{"2 first false", "5 second true 1"}));
  EXPECT_EQ(by_name(r, "main").blocked_event, 5);
}

TEST(Pool, MisuseIsARuntimeError) {
  auto error_of = [](const std::string& main) {
    RunResult r =
        run(pool_scenario(1, R"({"processes": 1})", R"("job": [{"compute": 1}], "main": )" + main));
    return r.errors.empty() ? std::string() : r.errors[0].message;
  };
  EXPECT_EQ(
      error_of(R"([{"apply": "pool", "program": "job"}])"),
      "/programs/main/0: pool `pool` is not created yet (run {\"create_pool\": \"pool\"} first)");
  EXPECT_EQ(error_of(R"([{"create_pool": "pool"}, {"join_pool": "pool"}])"),
            "/programs/main/1: join_pool on pool `pool` before close_pool or terminate_pool "
            "(Python raises "
            "ValueError: Pool is still running)");
  EXPECT_EQ(
      error_of(
          R"([{"create_pool": "pool"}, {"close_pool": "pool"}, {"apply": "pool", "program": "job"}])"),
      "/programs/main/2: apply on pool `pool` after close_pool or terminate_pool (Python raises "
      "ValueError: "
      "Pool not running)");
  EXPECT_EQ(error_of(R"([{"create_pool": "pool"}, {"create_pool": "pool"}])"),
            "/programs/main/1: pool `pool` was already created at tick 0");
  EXPECT_EQ(error_of(R"([{"create_pool": "pool"}, {"get_result": "7", "into": "x"}])"),
            "/programs/main/1: get_result: no pool submission has handle 7");
}

TEST(Pool, AStuckWaitIsExplained) {
  // The task waits for an event nobody sets: main waits for its result forever.
  RunResult r = run(pool_scenario(1, R"({"processes": 1})", R"(
      "job": [{"wait": "never"}],
      "main": [{"create_pool": "pool"}, {"apply": "pool", "program": "job"}])")
                        .insert(1, R"("events": ["never"], )"));
  ASSERT_TRUE(r.deadlock);
  ASSERT_EQ(r.stuck.size(), 2u);
  EXPECT_EQ(r.stuck[0].pid, 2);
  EXPECT_EQ(r.stuck[0].waits_for,
            "the result of apply handle 1 on pool `pool` (0 of 1 tasks done)");
}

TEST(Pool, LoadTimeChecks) {
  std::string e = load_errors(pool_scenario(1, R"({"processes": 1})", R"(
      "job": [{"compute": 1}],
      "cb": [{"compute": 1}],
      "main": [{"create_pool": "poool"},
               {"apply_async": "pool", "program": "job", "into": "h", "callback": "cb"}])"));
  EXPECT_NE(e.find("/programs/main/0/create_pool: unknown pool \"poool\" (did you mean \"pool\"?)"),
            std::string::npos)
      << e;
  EXPECT_EQ(load_errors(pool_scenario(1, R"({"processes": 0})", R"("main": [])")),
            "test.json: /pools/pool/processes: expected an integer from 1 to 256, found 0\n");
}

}  // namespace
}  // namespace mpsim::test
