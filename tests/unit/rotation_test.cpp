// Slice batching (semantics.md §5): hand-computed rr runs on one core,
// checked against the values worked out below, against the tick loop alone
// and tick by tick (the same bytes, event log, timeline and trace included).
#include <gtest/gtest.h>

#include "mpsim/report/report.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

// Runs `json` with batching (round skipping off, so that every slice change
// outside the tick loop is a batched one), without it and tick by tick.
// `base` sets the other options (the runaway-loop limit).
RunResult run_batched(const std::string& json, RunOptions base = {}) {
  Scenario s = load(json);
  base.round_skipping = false;
  RunOptions no_batch = base;
  no_batch.slice_batching = false;
  RunOptions tick_by_tick = base;
  tick_by_tick.event_skipping = false;
  RunResult on = simulate(s, base);
  RunResult off = simulate(s, no_batch);
  RunResult step = simulate(s, tick_by_tick);
  for (const RunResult* other : {&off, &step}) {
    EXPECT_EQ(first_difference(format_json(on, true), format_json(*other, true)), "");
    EXPECT_EQ(format_timeline(on), format_timeline(*other));
    EXPECT_EQ(format_trace(on), format_trace(*other));
  }
  EXPECT_EQ(off.batched_slices, 0);
  EXPECT_EQ(step.batched_slices, 0);
  EXPECT_EQ(off.batched_wakeups + step.batched_wakeups, 0);
  EXPECT_EQ(off.batched_dispatches + step.batched_dispatches, 0);
  return on;
}

// a computes 7, b 5, c 3 ticks, rr quantum 2, switch cost 1. a runs 0-2
// (the first dispatch costs nothing), then every slice follows a 1-tick
// switch: b 3-5, c 6-8, a 9-11, b 12-14, c 15-16 (its compute ends: exit
// at 16), a 17-19, b 20-21 (exit at 21), a 22-23 (exit at 23). The slice
// changes at 8, 11, 14 and 19 are plain; at 2 and 5 the next in line runs
// for the first time, which the batch also does (the switch begins as any
// other; when it completes, the program runs up to its compute); 16 and 21
// follow an exit: 6 are batched.
TEST(SliceBatching, ThreeJobsWithSwitchCost) {
  RunResult r = run_batched(jobs_scenario(
      R"("cores": 1, "context_switch": 1, "scheduler": {"policy": "rr", "quantum": 2})",
      {cpu("a", 7), cpu("b", 5), cpu("c", 3)}));
  EXPECT_EQ(r.batched_slices, 6);
  EXPECT_EQ(r.makespan, 23);
  EXPECT_EQ(r.context_switches, 8);
  EXPECT_EQ(r.switch_overhead, 8);
  EXPECT_EQ(r.cores[0].busy, 15);
  EXPECT_EQ(r.cores[0].switching, 8);
  const Tick finish[] = {23, 21, 16}, wait[] = {16, 16, 13}, first[] = {0, 3, 6};
  const std::int64_t preempted[] = {3, 2, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    const ProcessResult& p = r.processes[i];
    EXPECT_EQ(p.finish, finish[i]) << i;
    EXPECT_EQ(p.wait, wait[i]) << i;
    EXPECT_EQ(p.first_run, first[i]) << i;
    EXPECT_EQ(p.involuntary_switches, preempted[i]) << i;
  }
}

// a computes 9; b computes 2, does io 3, computes 4; quantum 3, no switch
// cost. a 0-3; at 3 b runs for the first time: batched (without a switch
// cost b runs up to its compute at once); b 3-5 (io until 8); a 5-8; at 8 b
// wakes and a's slice ends (a timer at a slice's end: the tick loop's);
// b 8-11; at 11 b's slice ends with a in its compute: batched; a 11-14
// (exit), b 14-15 (exit).
TEST(SliceBatching, StopsAtTimersAndComputeEnds) {
  RunResult r = run_batched(
      jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 3})",
                    {cpu("a", 9), job("b", R"([{"compute": 2}, {"io": 3}, {"compute": 4}])")}));
  EXPECT_EQ(r.batched_slices, 2);
  EXPECT_EQ(r.makespan, 15);
  EXPECT_EQ(r.context_switches, 5);
  const ProcessResult& a = r.processes[0];
  const ProcessResult& b = r.processes[1];
  EXPECT_EQ(a.finish, 14);
  EXPECT_EQ(a.wait, 5);
  EXPECT_EQ(a.involuntary_switches, 2);
  EXPECT_EQ(b.finish, 15);
  EXPECT_EQ(b.wait, 6);
  EXPECT_EQ(b.blocked_io, 3);
  EXPECT_EQ(b.involuntary_switches, 1);
  EXPECT_EQ(b.voluntary_switches, 1);
}

// a computes 12; b computes 1, does io 2, computes 3; quantum 4, no switch
// cost. a 0-4; b 4-5 (its first run, batched), io until 7; a 5-9: b's io
// ends at 7, inside a's slice, and the batch wakes it (phases 2-5 of that
// boundary have nothing to do); at 9 b first runs up to its compute, in the
// batch again: b 9-12 (exit), a 12-16 (exit).
TEST(SliceBatching, WakesIoEndsInsideASlice) {
  RunResult r = run_batched(
      jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 4})",
                    {cpu("a", 12), job("b", R"([{"compute": 1}, {"io": 2}, {"compute": 3}])")}));
  EXPECT_EQ(r.batched_wakeups, 1);
  EXPECT_EQ(r.batched_slices, 2);
  EXPECT_EQ(r.makespan, 16);
  EXPECT_EQ(r.context_switches, 4);
  const ProcessResult& a = r.processes[0];
  const ProcessResult& b = r.processes[1];
  EXPECT_EQ(a.finish, 16);
  EXPECT_EQ(a.wait, 4);
  EXPECT_EQ(a.involuntary_switches, 2);
  EXPECT_EQ(b.finish, 12);
  EXPECT_EQ(b.wait, 6);
  EXPECT_EQ(b.blocked_io, 2);
  EXPECT_EQ(b.voluntary_switches, 1);
}

// A sleep's end inside a slice is another kind of timer: the batch stops
// at its boundary and the tick loop runs it from phase 1. a computes 14;
// b computes 1, sleeps 2, computes 1; quantum 5. a 0-5; b 5-6 (asleep until
// 8); a 6-11, with b ready from 8; b 11-12 (exit); a 12-16 (exit).
TEST(SliceBatching, StopsAtOtherTimersInsideASlice) {
  RunResult r = run_batched(
      jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 5})",
                    {cpu("a", 14), job("b", R"([{"compute": 1}, {"sleep": 2}, {"compute": 1}])")}));
  EXPECT_EQ(r.batched_wakeups, 0);
  EXPECT_EQ(r.makespan, 16);
  EXPECT_EQ(r.processes[0].finish, 16);
  EXPECT_EQ(r.processes[0].wait, 2);
  EXPECT_EQ(r.processes[1].finish, 12);
  EXPECT_EQ(r.processes[1].wait, 8);
}

// A lone process (compute 15, io 3, compute 2; quantum 10): nobody waits
// for the core at a slice's end, so nothing is batched; advance() renews
// its slice in place and the tick loop does the rest.
TEST(SliceBatching, ALoneProcessIsLeftToTheTickLoop) {
  RunResult r = run_batched(
      jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 10})",
                    {job("a", R"([{"compute": 15}, {"io": 3}, {"compute": 2}])")}));
  EXPECT_EQ(r.batched_slices + r.batched_wakeups, 0);
  EXPECT_EQ(r.max_parallelism, 1);
  EXPECT_EQ(r.makespan, 20);
  EXPECT_EQ(r.processes[0].cpu, 17);
}

// A process that blocks in its operations frees the core: the batch
// dispatches the head of the queue itself. a computes 3, does io 4,
// computes 2; b computes 6; quantum 2, no switch cost. a 0-2; b 2-4 (its
// first run: a batched slice); a 4-5: its compute ends, it starts its io
// (until 9) and leaves the core, and b, at the head, gets it (a batched
// dispatch); b 5-9 (alone from 7, its slice renewed in place); at 9 a wakes
// and b exits; a 9-11 (exit). Switches at 2, 4, 5 and 9.
TEST(SliceBatching, DispatchesToACoreFreedByOperations) {
  RunResult r = run_batched(
      jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 2})",
                    {job("a", R"([{"compute": 3}, {"io": 4}, {"compute": 2}])"), cpu("b", 6)}));
  EXPECT_EQ(r.batched_slices, 2);
  EXPECT_EQ(r.batched_dispatches, 1);
  EXPECT_EQ(r.makespan, 11);
  EXPECT_EQ(r.context_switches, 4);
  const ProcessResult& a = r.processes[0];
  const ProcessResult& b = r.processes[1];
  EXPECT_EQ(a.finish, 11);
  EXPECT_EQ(a.wait, 2);
  EXPECT_EQ(a.cpu, 5);
  EXPECT_EQ(a.blocked_io, 4);
  EXPECT_EQ(a.involuntary_switches, 1);
  EXPECT_EQ(a.voluntary_switches, 1);
  EXPECT_EQ(b.finish, 9);
  EXPECT_EQ(b.first_run, 2);
  EXPECT_EQ(b.wait, 3);
  EXPECT_EQ(b.involuntary_switches, 1);
}

// The same with a switch cost of 1: the freed core begins a switch. a 0-2;
// switch 2-3, b 3-5; switch 5-6, a 6-7 (io until 11); switch 7-8 (batched
// dispatch), b 8-12 (alone from 10; a wakes at 11); b exits at 12 and the
// batch dispatches a again: switch 12-13, a 13-15 (exit). a waits 2-6 and
// 11-13, b 0-3 and 5-8 (a switch-in counts as waiting).
TEST(SliceBatching, DispatchesToAFreedCoreWithASwitchCost) {
  RunResult r = run_batched(jobs_scenario(
      R"("cores": 1, "context_switch": 1, "scheduler": {"policy": "rr", "quantum": 2})",
      {job("a", R"([{"compute": 3}, {"io": 4}, {"compute": 2}])"), cpu("b", 6)}));
  EXPECT_EQ(r.batched_slices, 2);
  EXPECT_EQ(r.batched_dispatches, 2);
  EXPECT_EQ(r.makespan, 15);
  EXPECT_EQ(r.context_switches, 4);
  EXPECT_EQ(r.switch_overhead, 4);
  EXPECT_EQ(r.cores[0].busy, 11);
  const ProcessResult& a = r.processes[0];
  const ProcessResult& b = r.processes[1];
  EXPECT_EQ(a.finish, 15);
  EXPECT_EQ(a.wait, 6);
  EXPECT_EQ(a.cpu, 5);
  EXPECT_EQ(a.blocked_io, 4);
  EXPECT_EQ(b.finish, 12);
  EXPECT_EQ(b.wait, 6);
  EXPECT_EQ(b.cpu, 6);
}

// Two processes that yield to each other forever once their computes end
// hand the core back and forth inside the batch, all at tick 6 (a 0-2, b
// 2-4, a 4-5, b 5-6). The runaway-loop count of a boundary is kept across
// those dispatches, so both are stopped there as without batching: b
// first (at 6 it runs its operations first).
TEST(SliceBatching, YieldingToEachOtherStillReachesTheRunawayLimit) {
  const char* prog = R"([{"compute": 3}, {"while": "true", "do": ["yield"]}])";
  RunResult r =
      run_batched(jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 2})",
                                {job("a", prog), job("b", prog)}),
                  RunOptions{.max_zero_time_ops = 1000});
  EXPECT_GT(r.batched_dispatches, 0);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].pid, 3);
  for (const ProcessResult& p : r.processes) {
    EXPECT_EQ(p.finish, 6) << p.name;
    EXPECT_EQ(p.exit_code, 1) << p.name;
    EXPECT_NE(p.error.find("runaway loop: more than 1000 zero-time operations"), std::string::npos)
        << p.error;
  }
}

// Two cores: batching stays out (a slice change on one core may coincide
// with an event on the other); the result is the tick loop's.
TEST(SliceBatching, OneCoreOnly) {
  RunResult r =
      run_batched(jobs_scenario(R"("cores": 2, "scheduler": {"policy": "rr", "quantum": 2})",
                                {cpu("a", 20), cpu("b", 20), cpu("c", 20)}));
  EXPECT_EQ(r.batched_slices, 0);
  EXPECT_EQ(r.cores[0].busy + r.cores[1].busy, 60);
}

}  // namespace
}  // namespace mpsim::test
