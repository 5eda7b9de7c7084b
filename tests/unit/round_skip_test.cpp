// Round skipping (semantics.md §5): hand-computed runs that skip, checked
// against the values worked out below and against slice-by-slice runs.
#include <gtest/gtest.h>

#include "mpsim/report/report.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

// Runs `json` with round skipping on, off and tick by tick; all three must
// give the same bytes (event log included). Returns the skipping run.
RunResult run_rounds(const std::string& json) {
  Scenario s = load(json);
  RunResult on = simulate(s);
  RunResult off = simulate(s, RunOptions{.round_skipping = false});
  RunResult step = simulate(s, RunOptions{.event_skipping = false});
  EXPECT_EQ(first_difference(format_json(on, true), format_json(off, true)), "");
  EXPECT_EQ(first_difference(format_json(on, true), format_json(step, true)), "");
  EXPECT_EQ(off.round_skipped_ticks, 0);
  return on;
}

// Three processes of 1000 ticks, rr quantum 2, switch cost 1, one core. The
// first dispatch costs nothing (the core ran nobody before); then every slice
// is preceded by a 1-tick switch, and all three finish in the last round:
// 1500 slices of 2 ticks and 1499 switches, so the makespan is 3000 + 1499.
// The n-th slice ends at 3n - 1: a (slice 1498) at 4493, b at 4496, c at 4499.
TEST(RoundSkip, RoundRobinThreeEqualJobs) {
  RunResult r = run_rounds(jobs_scenario(
      R"("cores": 1, "context_switch": 1, "scheduler": {"policy": "rr", "quantum": 2})",
      {cpu("a", 1000), cpu("b", 1000), cpu("c", 1000)}));
  EXPECT_EQ(r.makespan, 4499);
  EXPECT_EQ(r.context_switches, 1499);
  EXPECT_EQ(r.switch_overhead, 1499);
  EXPECT_EQ(r.cores[0].busy, 3000);
  EXPECT_EQ(r.cores[0].switching, 1499);
  const Tick finish[] = {4493, 4496, 4499};
  for (int i = 0; i < 3; ++i) {
    const ProcessResult& p = r.processes[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.finish, finish[i]);
    EXPECT_EQ(p.cpu, 1000);
    EXPECT_EQ(p.wait, finish[i] - 1000);
    EXPECT_EQ(p.involuntary_switches, 499);  // every slice but its last
  }
  // One round is 9 ticks; the skip stops a round short of the first exit
  // and the rest goes slice by slice: nearly all of the run was replayed.
  EXPECT_GT(r.round_skipped_ticks, 4400);
  EXPECT_EQ(static_cast<std::int64_t>(r.events.size()), r.scheduling_events);
}

// The same under fair (quantum 1, no switch cost) on two cores with three
// processes: the period is three ticks (each process runs two of them), and
// an io burst of the third process ends it early.
TEST(RoundSkip, FairTwoCoresMatchesSliceBySlice) {
  RunResult r =
      run_rounds(jobs_scenario(R"("cores": 2, "scheduler": {"policy": "fair", "quantum": 1})",
                               {cpu("a", 600), cpu("b", 600),
                                job("c", R"([{"compute": 300}, {"io": 50}, {"compute": 300}])")}));
  EXPECT_EQ(r.cores[0].busy + r.cores[1].busy, 1800);
  EXPECT_GT(r.round_skipped_ticks, 0);
}

// cfs with equal weights and a late arrival: vruntimes all grow alike.
TEST(RoundSkip, CfsMatchesSliceBySlice) {
  RunResult r = run_rounds(jobs_scenario(
      R"("cores": 1, "context_switch": 2, "scheduler": {"policy": "cfs", "sched_latency": 6, "min_granularity": 1})",
      {cpu("a", 3000), cpu("b", 3000), cpu("late", 500, 700)}));
  EXPECT_EQ(r.cores[0].busy, 6500);
  EXPECT_GT(r.round_skipped_ticks, 0);
}

// Different nice values: vruntimes grow at rates 65536 and 199728 a tick,
// so the exact period is thousands of slices long, beyond the bound of one
// slice per process: nothing is skipped, and the run is the same.
TEST(RoundSkip, CfsNiceIsNotPeriodicSoonEnough) {
  RunResult r = run_rounds(jobs_scenario(
      R"("cores": 1, "scheduler": {"policy": "cfs", "sched_latency": 6, "min_granularity": 1})",
      {cpu("n0", 3000), cpu("n5", 3000, 0, R"("nice": 5)")}));
  EXPECT_EQ(r.cores[0].busy, 6000);
  EXPECT_EQ(r.round_skipped_ticks, 0);
}

// What --timeline, --trace and --gantt show comes from the event log, in
// which skipped rounds are written out: the views are the same either way.
TEST(RoundSkip, TimelineTraceAndGanttShowSkippedRounds) {
  Scenario s = load(jobs_scenario(
      R"("cores": 2, "context_switch": 1, "scheduler": {"policy": "rr", "quantum": 3})",
      {cpu("a", 400), cpu("b", 300), cpu("c", 500, 20)}));
  RunResult on = simulate(s);
  RunResult off = simulate(s, RunOptions{.round_skipping = false});
  ASSERT_GT(on.round_skipped_ticks, 0);
  EXPECT_EQ(first_difference(format_timeline(on), format_timeline(off)), "");
  EXPECT_EQ(format_trace(on), format_trace(off));
  EXPECT_EQ(format_gantt_svg({&on}, {"t"}), format_gantt_svg({&off}, {"t"}));
}

// The switch: RunOptions::round_skipping false simulates every slice.
TEST(RoundSkip, SwitchTurnsItOff) {
  Scenario s = load(jobs_scenario(R"("cores": 1, "scheduler": {"policy": "rr", "quantum": 1})",
                                  {cpu("a", 5000), cpu("b", 5000)}));
  EXPECT_GT(simulate(s).round_skipped_ticks, 9000);
  EXPECT_EQ(simulate(s, RunOptions{.round_skipping = false}).round_skipped_ticks, 0);
  EXPECT_EQ(simulate(s, RunOptions{.event_skipping = false}).round_skipped_ticks, 0);
}

}  // namespace
}  // namespace mpsim::test
