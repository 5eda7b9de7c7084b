// mlfq's "ostep" variant: each rule of OSTEP's mlfq.py (docs/semantics.md,
// "mlfq: the ostep variant") on two jobs, every expected value derived by
// hand from those rules (the derivation is above each expectation), and the
// default variant's schedule of the same jobs where they differ. Charts: one
// letter per tick, A = pid 2, B = pid 3, '.' idle. Metrics are {first_run,
// finish, turnaround, response, wait}. A job "run R, io every F" of mlfq.py is
// compute F, io, compute F, ..., with no io after its last compute.
#include <gtest/gtest.h>

#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

std::string mlfq(const std::string& params) {
  return R"("cores": 1, "scheduler": {"policy": "mlfq", )" + params + "}";
}
std::string ostep(const std::string& params) {
  return mlfq(params + R"(, "variant": "ostep")");
}

TEST(MlfqOstep, ExpiredQuantumIsRequeuedBeforeIoCompletions) {
  // 1 level, quantum 3. A: compute 1, io 3, compute 1. B: compute 6.
  // A 0-1, io until 4. B 1-4 uses its whole quantum. At 4 B (quantum ended)
  // is queued first, then A (back from io): B 4-7, A 7-8.
  std::vector<Job> jobs = {job("A", R"([{"compute": 1}, {"io": 3}, {"compute": 1}])"), cpu("B", 6)};
  RunResult r = run_both(jobs_scenario(ostep(R"("levels": 1, "quantum": 3)"), jobs));
  EXPECT_EQ(chart(r, 0), "ABBBBBBA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 3}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 7, 7, 1, 1}));
  // Default: A's wake-up comes first at 4, B goes behind it: A 4-5, B 5-8.
  RunResult d = run_both(jobs_scenario(mlfq(R"("levels": 1, "quantum": 3)"), jobs));
  EXPECT_EQ(chart(d, 0), "ABBBABBB");
  EXPECT_EQ(metrics(d, "A"), (Metrics{0, 5, 5, 0, 0}));
}

TEST(MlfqOstep, QuantumIsKeptAcrossIo) {
  // 1 level, quantum 4, allotment 2 quanta. A: compute 3, io 1, compute 3.
  // B: compute 8.
  // A 0-3 (1 tick of its quantum left), io until 4. B 3-7 (A queued behind
  // it at 4). A 7-8: its quantum ends after the 1 tick it had left; it goes
  // behind B. B 8-12 ends, A 12-14.
  std::vector<Job> jobs = {job("A", R"([{"compute": 3}, {"io": 1}, {"compute": 3}])"), cpu("B", 8)};
  RunResult r =
      run_both(jobs_scenario(ostep(R"("levels": 1, "quantum": 4, "allotment": 8)"), jobs));
  EXPECT_EQ(chart(r, 0), "AAABBBBABBBBAA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 14, 14, 0, 7}));  // ready 4-7, 8-12
  EXPECT_EQ(metrics(r, "B"), (Metrics{3, 12, 12, 3, 4}));  // ready 0-3, 7-8
  // Default: a fresh slice at 7 (and 5 ticks of allotment left), so A's 3
  // ticks run at once: A 7-10, B 10-14.
  RunResult d = run_both(jobs_scenario(mlfq(R"("levels": 1, "quantum": 4, "allotment": 8)"), jobs));
  EXPECT_EQ(chart(d, 0), "AAABBBBAAABBBB");
}

TEST(MlfqOstep, AllotmentCountsWholeQuantaAndAQuantumEndingAtAnIo) {
  // 2 levels, quantum 2, allotment 2 quanta (4 ticks). A: run 7, io 1 every
  // 3. B: compute 9. A 0-2 (first quantum: 1 left of the allotment), B 2-4
  // (same), A 4-5, io at 5 with 1 tick of its quantum left; back at 6 behind
  // B. B 5-7: its second quantum, so it moves down. A 7-8: its second
  // quantum ends, down too. Level 1: B 8-10 (a quantum, 1 left), A 10-12:
  // the quantum ends with A's io at 12 and still counts (1 left); back at 13
  // behind B. B 12-14: its allotment is spent but level 1 is the bottom, so
  // it stays with a fresh one, behind A. A 14-15 ends, B 15-16 ends.
  std::vector<Job> jobs = {
      job("A", R"([{"compute": 3}, {"io": 1}, {"compute": 3}, {"io": 1}, {"compute": 1}])"),
      cpu("B", 9)};
  RunResult r =
      run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 2, "allotment": 4)"), jobs));
  EXPECT_EQ(chart(r, 0), "AABBABBABBAABBAB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 15, 15, 0, 6}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 16, 16, 2, 7}));
}

TEST(MlfqOstep, BoostSetsTheQuantumToTheTopAllotmentAndKeepsTheAllotment) {
  // 2 levels, quantum 4, allotment 1 quantum, boost 6. A, B: compute 10.
  // A 0-4, down to level 1. B 4-6 at level 0. Boost at 6: B (running) and A
  // both at level 0, B first (level 0's queue before level 1's), each with
  // 1 tick of quantum (mlfq.py sets ticksLeft to the top allotment, 1) and
  // the allotment it had (1 quantum). B 6-7: the quantum ends, down. A 7-8:
  // down. Level 1: B 8-12, its quantum ends (requeued behind A, before the
  // boost at 12). Boost at 12: A 12-13, B 13-14 (1 tick each, then down).
  // A 14-18 ends. Boost at 18: B 18-19 (down), B 19-20 ends.
  std::vector<Job> jobs = {cpu("A", 10), cpu("B", 10)};
  RunResult r = run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 4, "boost": 6)"), jobs));
  EXPECT_EQ(chart(r, 0), "AAAABBBABBBBABAAAABB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 18, 18, 0, 8}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{4, 20, 20, 4, 10}));
  // Default: at 6 B keeps its quantum (2 ticks left) and has a fresh
  // allotment of 4: B 6-8. A 8-12 at level 0 (boosted, fresh), B 12-16 ...
  RunResult d = run_both(jobs_scenario(mlfq(R"("levels": 2, "quantum": 4, "boost": 6)"), jobs));
  EXPECT_NE(chart(d, 0), chart(r, 0));
}

TEST(MlfqOstep, BoostQueuesTheLowestLevelFirstAndMayPreemptTheRunningOne) {
  // 3 levels, quantum 2, boost 9. A: compute 10 at 0, B: compute 6 at 6.
  // A alone 0-6 (level 0, 1, then 2). B 6-8 at level 0, then 8-9 at level 1.
  // Boost at 9: the queue becomes level 2's (A), then level 1's (B, running):
  // A takes the core. Each has 1 tick of quantum: A 9-10 and B 10-11, each
  // down to level 1. A 11-13 (down), B 13-15 ends, A 15-16 ends.
  std::vector<Job> jobs = {cpu("A", 10), cpu("B", 6, 6)};
  RunResult r = run_both(jobs_scenario(ostep(R"("levels": 3, "quantum": 2, "boost": 9)"), jobs));
  EXPECT_EQ(chart(r, 0), "AAAAAABBBABAABBA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 16, 16, 0, 6}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{6, 15, 9, 0, 3}));
  EXPECT_EQ(by_name(r, "B").involuntary_switches, 2);  // preempted at 9, quantum at 11
}

TEST(MlfqOstep, BoostComesBeforeThatTicksIoCompletion) {
  // 2 levels, quantum 2, boost 7. A: compute 1, io 6, compute 1. B: 8.
  // A 0-1, io until 7. B 1-3 (down), 3-5 and 5-7 at level 1 (the bottom).
  // At 7: B's quantum has ended, so B is queued first; the boost lifts it;
  // then A, back from io, is queued behind it. B 7-8 (its 1 tick of
  // quantum after a boost: down), A 8-9 ends, B 9-10 ends.
  std::vector<Job> jobs = {job("A", R"([{"compute": 1}, {"io": 6}, {"compute": 1}])"), cpu("B", 8)};
  RunResult r = run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 2, "boost": 7)"), jobs));
  EXPECT_EQ(chart(r, 0), "ABBBBBBBAB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 9, 9, 0, 1}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 10, 10, 1, 2}));
  // Default: at 7 A's wake-up comes first, and B goes behind it: A 7-8.
  RunResult d = run_both(jobs_scenario(mlfq(R"("levels": 2, "quantum": 2, "boost": 7)"), jobs));
  EXPECT_EQ(chart(d, 0), "ABBBBBBABB");
  EXPECT_EQ(metrics(d, "A"), (Metrics{0, 8, 8, 0, 0}));
}

TEST(MlfqOstep, IoResetsKeepsAnIoBoundJobAtTheTop) {
  // "io_resets" (-S). 2 levels, quantum 3. A: run 8, io 1 every 2. B: 8.
  // A 0-2, io until 3; each io gives it a fresh quantum at level 0, so it
  // never moves down. B 2-5 (down at 5; A queued behind it at 3). A 5-7, io
  // until 8. B 7-8 at level 1; A back at 8 preempts it: A 8-10, io until 11.
  // B 10-11, A 11-13 ends, B 13-16 ends.
  std::vector<Job> jobs = {
      job("A",
          R"([{"compute": 2}, {"io": 1}, {"compute": 2}, {"io": 1}, {"compute": 2}, {"io": 1}, {"compute": 2}])"),
      cpu("B", 8)};
  RunResult r =
      run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 3, "io_resets": true)"), jobs));
  EXPECT_EQ(chart(r, 0), "AABBBAABAABAABBB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 13, 13, 0, 2}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 16, 16, 2, 8}));
  // Without it A keeps its quantum across its io: it moves down at 6 after
  // 3 ticks (0-2, 5-6), and B, ahead of it at level 1, ends at 12; A ends at
  // 17 (its last io 14-15 with nothing else to run).
  RunResult plain = run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 3)"), jobs));
  EXPECT_EQ(chart(plain, 0), "AABBBABBBABBAA.AA");
  EXPECT_EQ(metrics(plain, "A"), (Metrics{0, 17, 17, 0, 6}));  // ready 3-5, 6-9, 11-12
  EXPECT_EQ(metrics(plain, "B"), (Metrics{2, 12, 12, 2, 4}));
}

TEST(MlfqOstep, IoToFrontPreemptsTheRunningJobOfItsLevel) {
  // "io_to_front" (-I). 1 level, quantum 4. A: run 3, io 2 after each tick.
  // B: compute 8. A 0-1, io until 3. B 1-3; at 3 A goes to the front of the
  // queue, ahead of B: A 3-4 (io until 6), B keeps its quantum (2 left):
  // B 4-6, its quantum ends; at 6 B is requeued, then A goes to its front:
  // A 6-7 ends. B 7-11 ends.
  std::vector<Job> jobs = {
      job("A", R"([{"compute": 1}, {"io": 2}, {"compute": 1}, {"io": 2}, {"compute": 1}])"),
      cpu("B", 8)};
  RunResult r =
      run_both(jobs_scenario(ostep(R"("levels": 1, "quantum": 4, "io_to_front": true)"), jobs));
  EXPECT_EQ(chart(r, 0), "ABBABBABBBB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 7, 7, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 11, 11, 1, 3}));
  EXPECT_EQ(by_name(r, "B").involuntary_switches, 2);  // at 3 (A in front) and 6 (quantum)
  // Without it A waits behind B: B 1-5, A 5-6, B 6-10, A 10-11.
  RunResult plain = run_both(jobs_scenario(ostep(R"("levels": 1, "quantum": 4)"), jobs));
  EXPECT_EQ(chart(plain, 0), "ABBBBABBBBA");
}

// Beyond mlfq.py (docs/semantics.md says what the variant decides there).

TEST(MlfqOstep, YieldGoesToTheTailAndTheQuantumItEndedCounts) {
  // 2 levels, quantum 2. A: compute 2, yield, compute 3. B: compute 3.
  // A 0-2 ends its quantum and yields at 2: one level down, tail of level 1.
  // B 2-4 (down). Level 1 [A, B]: A 4-6, B 6-7 ends, A 7-8 ends.
  std::vector<Job> jobs = {job("A", R"([{"compute": 2}, "yield", {"compute": 3}])"), cpu("B", 3)};
  RunResult r = run_both(jobs_scenario(ostep(R"("levels": 2, "quantum": 2)"), jobs));
  EXPECT_EQ(chart(r, 0), "AABBAABA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 3}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 7, 7, 2, 4}));
}

TEST(MlfqOstep, TwoCoresRunTheFirstProcessesOfTheLists) {
  // 2 cores, 1 level, quantum 2, io_to_front. A: compute 1, io 1, compute 2.
  // B, C: compute 4. Cores 0, 1 take A, B at 0; A blocks at 1 and core 0
  // takes C. At 2 B's quantum ends (requeued), A comes back to the front:
  // [A, B]; core 1 is free and takes A; C (queued at 0, ahead of B) keeps
  // core 0. At 3 C's and A's quanta end (requeued in core order, behind B):
  // [B, C, A]: core 0 takes B, core 1 C; both end at 5. A 5-6 on core 0.
  std::vector<Job> jobs = {job("A", R"([{"compute": 1}, {"io": 1}, {"compute": 2}])"), cpu("B", 4),
                           cpu("C", 4)};
  RunResult r = run_both(jobs_scenario(
      R"("cores": 2, "scheduler": {"policy": "mlfq", "variant": "ostep", "levels": 1, "quantum": 2, "io_to_front": true})",
      jobs));
  EXPECT_EQ(chart(r, 0), "ACCBBA");
  EXPECT_EQ(chart(r, 1), "BBACC.");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 2}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{1, 5, 5, 1, 1}));
}

}  // namespace
}  // namespace mpsim::test
