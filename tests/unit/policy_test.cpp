// Textbook scheduling cases with every expected value computed by hand (the
// derivation is in the comment above each expectation). Charts: one letter
// per tick and core, A = pid 2, B = pid 3, ...; '*' switching, '.' idle,
// lower case = the process holds the core while blocked (switch_on_io false).
// Metrics are {first_run, finish, turnaround, response, wait}.
#include <gtest/gtest.h>

#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

const char* const kFcfs = R"("cores": 1, "scheduler": "fcfs")";
const char* const kSjf = R"("cores": 1, "scheduler": "sjf")";
const char* const kSrtf = R"("cores": 1, "scheduler": "srtf")";

std::string rr(int quantum, int cores = 1) {
  return "\"cores\": " + std::to_string(cores) + R"(, "scheduler": {"policy": "rr", "quantum": )" +
         std::to_string(quantum) + "}";
}

std::string prio(bool preemptive, int aging = 0) {
  return std::string(R"("cores": 1, "scheduler": {"policy": "priority", "preemptive": )") +
         (preemptive ? "true" : "false") + ", \"aging\": " + std::to_string(aging) + "}";
}

std::string with_prio(int p) {
  return "\"priority\": " + std::to_string(p);
}

// ---------------------------------------------------------------- FCFS

TEST(Fcfs, ThreeEqualJobs) {
  // OSTEP 7.3: A, B, C of 10 ticks at 0 run back to back in pid order.
  // A 0-10, B 10-20, C 20-30; average turnaround (10+20+30)/3 = 20.
  RunResult r = run_both(jobs_scenario(kFcfs, {cpu("A", 10), cpu("B", 10), cpu("C", 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 10, 10, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{10, 20, 20, 10, 10}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{20, 30, 30, 20, 20}));
  EXPECT_EQ(r.makespan, 30);
  EXPECT_EQ(chart(r, 0), "AAAAAAAAAABBBBBBBBBBCCCCCCCCCC");
  EXPECT_EQ(r.context_switches, 2);  // A->B at 10, B->C at 20
}

TEST(Fcfs, ConvoyEffect) {
  // OSTEP 7.3 (fig. 7.2): A 100, B 10, C 10 at 0. A 0-100, B 100-110,
  // C 110-120; average turnaround (100+110+120)/3 = 110.
  RunResult r = run_both(jobs_scenario(kFcfs, {cpu("A", 100), cpu("B", 10), cpu("C", 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 100, 100, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{100, 110, 110, 100, 100}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{110, 120, 120, 110, 110}));
  EXPECT_EQ(r.makespan, 120);
}

TEST(Fcfs, StaggeredArrivalsAndIdleGap) {
  // A 3@0, B 6@1, C 4@4, D 2@6, E 2@20. A 0-3, B 3-9, C 9-13, D 13-15,
  // idle 15-20, E 20-22. Waits: B 3-1=2, C 9-4=5, D 13-6=7.
  RunResult r = run_both(jobs_scenario(
      kFcfs, {cpu("A", 3), cpu("B", 6, 1), cpu("C", 4, 4), cpu("D", 2, 6), cpu("E", 2, 20)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 3, 3, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{3, 9, 8, 2, 2}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{9, 13, 9, 5, 5}));
  EXPECT_EQ(metrics(r, "D"), (Metrics{13, 15, 9, 7, 7}));
  EXPECT_EQ(metrics(r, "E"), (Metrics{20, 22, 2, 0, 0}));
  EXPECT_EQ(chart(r, 0), "AAABBBBBBCCCCDD.....EE");
  EXPECT_EQ(r.cores[0].busy, 17);  // 3+6+4+2+2
}

// ---------------------------------------------------------------- SJF / SRTF

TEST(Sjf, ShortJobsFirst) {
  // OSTEP 7.4 (fig. 7.3): A 100, B 10, C 10 at 0. B 0-10, C 10-20 (tie with
  // B: earlier ready-queue entry), A 20-120; average turnaround (10+20+120)/3 = 50.
  RunResult r = run_both(jobs_scenario(kSjf, {cpu("A", 100), cpu("B", 10), cpu("C", 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{20, 120, 120, 20, 20}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{0, 10, 10, 0, 0}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{10, 20, 20, 10, 10}));
}

TEST(Sjf, NonPreemptiveWithLateArrivals) {
  // OSTEP 7.5 (fig. 7.4): A 100@0, B 10@10, C 10@10. SJF cannot preempt A:
  // A 0-100, B 100-110, C 110-120; average turnaround (100+100+110)/3 = 103.33.
  RunResult r = run_both(jobs_scenario(kSjf, {cpu("A", 100), cpu("B", 10, 10), cpu("C", 10, 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 100, 100, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{100, 110, 100, 90, 90}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{110, 120, 110, 100, 100}));
}

// Silberschatz's SJF/SRTF set: P1 8@0, P2 4@1, P3 9@2, P4 5@3.
std::vector<Job> silberschatz_sjf() {
  return {cpu("P1", 8), cpu("P2", 4, 1), cpu("P3", 9, 2), cpu("P4", 5, 3)};
}

TEST(Sjf, TextbookSet) {
  // Non-preemptive: P1 0-8; at 8 the shortest is P2 (4) 8-12, then P4 (5)
  // 12-17, P3 (9) 17-26. Waits 0, 7, 15, 9: average 7.75.
  RunResult r = run_both(jobs_scenario(kSjf, silberschatz_sjf()));
  EXPECT_EQ(metrics(r, "P1"), (Metrics{0, 8, 8, 0, 0}));
  EXPECT_EQ(metrics(r, "P2"), (Metrics{8, 12, 11, 7, 7}));
  EXPECT_EQ(metrics(r, "P3"), (Metrics{17, 26, 24, 15, 15}));
  EXPECT_EQ(metrics(r, "P4"), (Metrics{12, 17, 14, 9, 9}));
}

TEST(Srtf, TextbookSet) {
  // P1 0-1; P2 (4) < P1's 7 left: P2 1-5; at 3 P4 (5) > P2's 2 left: no
  // preemption. At 5: P4 (5) < P1 (7) < P3 (9): P4 5-10, P1 10-17, P3 17-26.
  // Waits 9, 0, 15, 2: average 6.5.
  RunResult r = run_both(jobs_scenario(kSrtf, silberschatz_sjf()));
  EXPECT_EQ(metrics(r, "P1"), (Metrics{0, 17, 17, 0, 9}));
  EXPECT_EQ(metrics(r, "P2"), (Metrics{1, 5, 4, 0, 0}));
  EXPECT_EQ(metrics(r, "P3"), (Metrics{17, 26, 24, 15, 15}));
  EXPECT_EQ(metrics(r, "P4"), (Metrics{5, 10, 7, 2, 2}));
  EXPECT_EQ(chart(r, 0), "ABBBBDDDDDAAAAAAACCCCCCCCC");
  EXPECT_EQ(by_name(r, "P1").involuntary_switches, 1);
}

TEST(Srtf, ShortJobsPreemptLongOne) {
  // OSTEP 7.5 (STCF, fig. 7.5): A 100@0, B 10@10, C 10@10. At 10 B (10) < A's
  // 90 left: A 0-10, B 10-20, C 20-30, A 30-120; average turnaround
  // (120+10+20)/3 = 50. Three switches: A->B, B->C, C->A.
  RunResult r = run_both(jobs_scenario(kSrtf, {cpu("A", 100), cpu("B", 10, 10), cpu("C", 10, 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 120, 120, 0, 20}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{10, 20, 10, 0, 0}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{20, 30, 20, 10, 10}));
  EXPECT_EQ(r.context_switches, 3);
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 1);
}

TEST(Srtf, EqualRemainingDoesNotPreempt) {
  // A 6@0, B 4@2: at 2 A has 4 left, B needs 4: not strictly shorter.
  // A 0-6, B 6-10.
  RunResult r = run_both(jobs_scenario(kSrtf, {cpu("A", 6), cpu("B", 4, 2)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{6, 10, 8, 4, 4}));
}

TEST(Sjf, TiesGoToEarlierReadyQueueEntry) {
  // X: compute 1, io 2, compute 3. L: compute 6. Y@2: compute 3.
  // X (1) 0-1, io 1-3; L 1-7 (non-preemptive); Y enters the queue at 2, X
  // at 3, both with a burst of 3: Y first (entry order, although X arrived
  // first and has the smaller pid), Y 7-10, X 10-13.
  RunResult r =
      run_both(jobs_scenario(kSjf, {job("X", R"([{"compute": 1}, {"io": 2}, {"compute": 3}])"),
                                    cpu("L", 6), cpu("Y", 3, 2)}));
  EXPECT_EQ(chart(r, 0), "ABBBBBBCCCAAA");
  EXPECT_EQ(metrics(r, "X"), (Metrics{0, 13, 13, 0, 7}));  // ready 3-10
  EXPECT_EQ(metrics(r, "L"), (Metrics{1, 7, 7, 1, 1}));
  EXPECT_EQ(metrics(r, "Y"), (Metrics{7, 10, 8, 5, 5}));
}

TEST(Sjf, PredictionFollowsTheProgramsBranches) {
  // Both run the same program: compute 2 if n > 1, else compute 50. With
  // n = 0, P's next burst is 50 and Q's (n = 2) is 2: Q 0-2, P 2-52.
  const char* prog = R"([{"if": "n > 1", "then": [{"compute": 2}], "else": [{"compute": 50}]}])";
  RunResult r = run_both(jobs_scenario(
      kSjf, {job("P", prog, 0, R"("args": {"n": 0})"), job("Q", prog, 0, R"("args": {"n": 2})")}));
  EXPECT_EQ(metrics(r, "Q"), (Metrics{0, 2, 2, 0, 0}));
  EXPECT_EQ(metrics(r, "P"), (Metrics{2, 52, 52, 2, 2}));
}

TEST(Sjf, PredictionEntersLoops) {
  // P: repeat 1 { compute 8 }; Q: compute 5. P's next burst is the 8 inside
  // the loop it has not entered yet: Q (5) first, Q 0-5, P 5-13.
  RunResult r = run_both(
      jobs_scenario(kSjf, {job("P", R"([{"repeat": 1, "do": [{"compute": 8}]}])"), cpu("Q", 5)}));
  EXPECT_EQ(chart(r, 0), "BBBBBAAAAAAAA");
  // A loop that runs 0 times is skipped: P2's next burst is the 1 after it.
  RunResult skip = run_both(jobs_scenario(
      kSjf,
      {job("P2", R"([{"repeat": 0, "do": [{"compute": 8}]}, {"compute": 1}])"), cpu("Q", 5)}));
  EXPECT_EQ(chart(skip, 0), "ABBBBB");
}

// ---------------------------------------------------------------- RR

TEST(RoundRobin, QuantumOne) {
  // OSTEP 7.6: A, B, C of 10 at 0, quantum 1: ABCABC... Each finishes in the
  // last round: A at 28, B at 29, C at 30. Wait = turnaround - 10.
  RunResult r = run_both(jobs_scenario(rr(1), {cpu("A", 10), cpu("B", 10), cpu("C", 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 28, 28, 0, 18}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 29, 29, 1, 19}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{2, 30, 30, 2, 20}));
  EXPECT_EQ(chart(r, 0), "ABCABCABCABCABCABCABCABCABCABC");
  EXPECT_EQ(r.context_switches, 29);                   // every tick boundary but the first
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 9);  // slices ending at 1,4,...,25
}

TEST(RoundRobin, QuantumFour) {
  // A 0-4, B 4-8, C 8-12, A 12-16, B 16-20, C 20-24, A 24-26, B 26-28, C 28-30.
  RunResult r = run_both(jobs_scenario(rr(4), {cpu("A", 10), cpu("B", 10), cpu("C", 10)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 26, 26, 0, 16}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{4, 28, 28, 4, 18}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{8, 30, 30, 8, 20}));
  EXPECT_EQ(chart(r, 0), "AAAABBBBCCCCAAAABBBBCCCCAABBCC");
}

TEST(RoundRobin, TextbookQuantumFour) {
  // Silberschatz: P1 24, P2 3, P3 3 at 0, quantum 4. P1 0-4, P2 4-7, P3 7-10,
  // P1 10-30 (alone: its slice is renewed in place). Waits 6, 4, 7.
  RunResult r = run_both(jobs_scenario(rr(4), {cpu("P1", 24), cpu("P2", 3), cpu("P3", 3)}));
  EXPECT_EQ(metrics(r, "P1"), (Metrics{0, 30, 30, 0, 6}));
  EXPECT_EQ(metrics(r, "P2"), (Metrics{4, 7, 7, 4, 4}));
  EXPECT_EQ(metrics(r, "P3"), (Metrics{7, 10, 10, 7, 7}));
  EXPECT_EQ(by_name(r, "P1").involuntary_switches, 1);  // only at 4; 14, 18... renewed
  EXPECT_EQ(r.context_switches, 3);
}

TEST(RoundRobin, ArrivalQueuesBeforeExpiredProcess) {
  // Quantum 2: A 4@0, B 2@2. At 2, B arrives (phase 1) before A's slice
  // expires (phase 3), so B is ahead of A: A 0-2, B 2-4, A 4-6.
  RunResult r = run_both(jobs_scenario(rr(2), {cpu("A", 4), cpu("B", 2, 2)}));
  EXPECT_EQ(chart(r, 0), "AABBAA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 2}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 4, 2, 0, 0}));
}

TEST(RoundRobin, LoneProcessKeepsItsCore) {
  // Nobody else wants the core: the slice is renewed, no switch is counted.
  RunResult r = run_both(jobs_scenario(rr(2), {cpu("A", 9)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 9, 9, 0, 0}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 0);
  EXPECT_EQ(r.context_switches, 0);
}

TEST(RoundRobin, QuantumSpansBurstsOfOneDispatch) {
  // A: compute 1, print, compute 3 (quantum 2). B: compute 2. The slice counts
  // from dispatch, not per compute: A 0-2 (1 + 1 of the second compute),
  // B 2-4, A 4-6.
  RunResult r = run_both(jobs_scenario(
      rr(2), {job("A", R"([{"compute": 1}, {"print": "x"}, {"compute": 3}])"), cpu("B", 2)}));
  EXPECT_EQ(chart(r, 0), "AABBAA");
}

// ---------------------------------------------------------------- priority

// A (priority 3) 5@0, B (1) 3@1, C (2) 2@2.
std::vector<Job> priority_set() {
  return {cpu("A", 5, 0, with_prio(3)), cpu("B", 3, 1, with_prio(1)), cpu("C", 2, 2, with_prio(2))};
}

TEST(Priority, NonPreemptive) {
  // A runs to the end (0-5); at 5 B (1) beats C (2): B 5-8, C 8-10.
  RunResult r = run_both(jobs_scenario(prio(false), priority_set()));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 5, 5, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{5, 8, 7, 4, 4}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{8, 10, 8, 6, 6}));
}

TEST(Priority, Preemptive) {
  // At 1 B (1) takes the core from A (3); at 2 C (2) does not beat B.
  // A 0-1, B 1-4, C 4-6, A 6-10.
  RunResult r = run_both(jobs_scenario(prio(true), priority_set()));
  EXPECT_EQ(chart(r, 0), "ABBBCCAAAA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 10, 10, 0, 5}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 4, 3, 0, 0}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{4, 6, 4, 2, 2}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 1);
}

TEST(Priority, TextbookNonPreemptive) {
  // Silberschatz: P1 10 (3), P2 1 (1), P3 2 (4), P4 1 (5), P5 5 (2), all at 0.
  // P2 0-1, P5 1-6, P1 6-16, P3 16-18, P4 18-19. Average wait 41/5 = 8.2.
  RunResult r = run_both(jobs_scenario(
      prio(false),
      {cpu("P1", 10, 0, with_prio(3)), cpu("P2", 1, 0, with_prio(1)), cpu("P3", 2, 0, with_prio(4)),
       cpu("P4", 1, 0, with_prio(5)), cpu("P5", 5, 0, with_prio(2))}));
  EXPECT_EQ(chart(r, 0), "BEEEEEAAAAAAAAAACCD");
  EXPECT_EQ(by_name(r, "P1").wait, 6);
  EXPECT_EQ(by_name(r, "P2").wait, 0);
  EXPECT_EQ(by_name(r, "P3").wait, 16);
  EXPECT_EQ(by_name(r, "P4").wait, 18);
  EXPECT_EQ(by_name(r, "P5").wait, 1);
}

TEST(Priority, AgingLetsAWaitingProcessPreempt) {
  // Aging 2: B (3) waiting since 0 has effective priority 3 - t/2. It beats
  // running A (0) only when strictly smaller: 3 - 8/2 = -1 at 8 (at 6 it is
  // 0, a tie). B loses its bonus once dispatched, so at 9 A (0, waiting 1
  // tick: 0 - 1/2 = 0) beats B (3) and takes the core back; B finishes after
  // A. A 0-8, B 8-9, A 9-11, B 11-12.
  std::vector<Job> jobs = {cpu("A", 10, 0, with_prio(0)), cpu("B", 2, 0, with_prio(3))};
  RunResult r = run_both(jobs_scenario(prio(true, 2), jobs));
  EXPECT_EQ(chart(r, 0), "AAAAAAAABAAB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 11, 11, 0, 1}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{8, 12, 12, 8, 10}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 1);
  EXPECT_EQ(by_name(r, "B").involuntary_switches, 1);
  // Without aging B waits for A to finish: A 0-10, B 10-12.
  RunResult plain = run_both(jobs_scenario(prio(true), jobs));
  EXPECT_EQ(chart(plain, 0), "AAAAAAAAAABB");
}

TEST(Priority, AgingReordersNonPreemptivePicks) {
  // Aging 1, non-preemptive. A (0) 6@0, B (5) 1@0, C (2) 1@4. At 6 B has
  // waited 6 ticks (5 - 6 = -1), C 2 ticks (2 - 2 = 0): B 6-7, C 7-8.
  // Without aging C (2) beats B (5): C 6-7, B 7-8.
  std::vector<Job> jobs = {cpu("A", 6, 0, with_prio(0)), cpu("B", 1, 0, with_prio(5)),
                           cpu("C", 1, 4, with_prio(2))};
  RunResult aged = run_both(jobs_scenario(prio(false, 1), jobs));
  EXPECT_EQ(metrics(aged, "B"), (Metrics{6, 7, 7, 6, 6}));
  EXPECT_EQ(metrics(aged, "C"), (Metrics{7, 8, 4, 3, 3}));
  RunResult plain = run_both(jobs_scenario(prio(false), jobs));
  EXPECT_EQ(metrics(plain, "C"), (Metrics{6, 7, 3, 2, 2}));
  EXPECT_EQ(metrics(plain, "B"), (Metrics{7, 8, 8, 7, 7}));
}

// ---------------------------------------------------------------- MLFQ

std::string mlfq(const std::string& params) {
  return R"("cores": 1, "scheduler": {"policy": "mlfq", )" + params + "}";
}

TEST(Mlfq, ShortJobArrivesWhileLongJobIsAtTheBottom) {
  // OSTEP 8.2 (figs. 8.2, 8.3): 3 levels, quantum 10 (allotment = one
  // quantum). A 200@0 alone: level 0 0-10, level 1 10-20, level 2 from 20
  // (its slice renewed in place every 10 ticks). B 20@100 enters at level 0:
  // A's slice ends at 100 with B ready, A goes to the tail of level 2. B runs
  // 100-110 at level 0 and 110-120 at level 1 (nobody else at level <= 1:
  // its slice is renewed in place, no switch). A 120-220.
  RunResult r = run_both(
      jobs_scenario(mlfq(R"("levels": 3, "quantum": 10)"), {cpu("A", 200), cpu("B", 20, 100)}));
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 220, 220, 0, 20}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{100, 120, 20, 0, 0}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 1);
  EXPECT_EQ(by_name(r, "B").involuntary_switches, 0);
  EXPECT_EQ(r.context_switches, 2);  // A->B at 100, B->A at 120
}

TEST(Mlfq, HigherLevelArrivalPreemptsAtOnce) {
  // 2 levels, quantum 4. A 10@0 drops to level 1 at 4 (alone: renewed in
  // place). B 2@6 enters level 0 and takes the core at 6, mid-slice.
  // A 0-6, B 6-8, A 8-12.
  RunResult r =
      run_both(jobs_scenario(mlfq(R"("levels": 2, "quantum": 4)"), {cpu("A", 10), cpu("B", 2, 6)}));
  EXPECT_EQ(chart(r, 0), "AAAAAABBAAAA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 12, 12, 0, 2}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{6, 8, 2, 0, 0}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 1);
}

TEST(Mlfq, QuantaPerLevel) {
  // Quanta 1, 2, 4 (allotment = one quantum). A, B 7@0.
  // A 0-1 (L0), B 1-2 (L0), A 2-4 (L1), B 4-6 (L1), A 6-10 (L2, its last
  // 4 ticks), B 10-14 (L2).
  RunResult r = run_both(
      jobs_scenario(mlfq(R"("levels": 3, "quanta": [1, 2, 4])"), {cpu("A", 7), cpu("B", 7)}));
  EXPECT_EQ(chart(r, 0), "ABAABBAAAABBBB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 10, 10, 0, 3}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 14, 14, 1, 7}));
}

TEST(Mlfq, AllotmentCountsAcrossBursts) {
  // 2 levels, quantum 2 = allotment. G: compute 2, io 1, compute 4. H: 6.
  // G 0-2 uses its whole level-0 allotment and blocks before its slice
  // expires; it comes back at 3 already demoted (the allotment is spent, so
  // blocking just before the quantum ends does not keep it at the top).
  // H 2-4 (L0, then L1). Level 1 round robin: G 4-6, H 6-8, G 8-10, H 10-12.
  RunResult r = run_both(
      jobs_scenario(mlfq(R"("levels": 2, "quantum": 2)"),
                    {job("G", R"([{"compute": 2}, {"io": 1}, {"compute": 4}])"), cpu("H", 6)}));
  EXPECT_EQ(chart(r, 0), "AABBAABBAABB");
  EXPECT_EQ(metrics(r, "G"), (Metrics{0, 10, 10, 0, 3}));  // ready 3-4, 6-8
  EXPECT_EQ(metrics(r, "H"), (Metrics{2, 12, 12, 2, 6}));  // ready 0-2, 4-6, 8-10
}

// A 4@0, B 2@2, C 2@4, D 2@6: a stream of short jobs at level 0.
std::vector<Job> starvation_set() {
  return {cpu("A", 4), cpu("B", 2, 2), cpu("C", 2, 4), cpu("D", 2, 6)};
}

TEST(Mlfq, WithoutBoostNewJobsKeepTheLongOneWaiting) {
  // 2 levels, quantum 2. A 0-2 drops to level 1; each new job runs its 2
  // ticks at level 0 first: B 2-4, C 4-6, D 6-8, then A 8-10.
  RunResult r = run_both(jobs_scenario(mlfq(R"("levels": 2, "quantum": 2)"), starvation_set()));
  EXPECT_EQ(chart(r, 0), "AABBCCDDAA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 10, 10, 0, 6}));
  EXPECT_EQ(metrics(r, "D"), (Metrics{6, 8, 2, 0, 0}));
}

TEST(Mlfq, BoostLiftsTheLongJob) {
  // Same with boost 5: at 5 A is back at level 0 (queued), C keeps running
  // (its slice has 1 tick left). At 6 C exits and D arrives behind A:
  // A 6-8, D 8-10.
  RunResult r =
      run_both(jobs_scenario(mlfq(R"("levels": 2, "quantum": 2, "boost": 5)"), starvation_set()));
  EXPECT_EQ(chart(r, 0), "AABBCCAADD");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 4}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 4, 2, 0, 0}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{4, 6, 2, 0, 0}));
  EXPECT_EQ(metrics(r, "D"), (Metrics{8, 10, 4, 2, 2}));
}

// ---------------------------------------------------------------- multi-core

TEST(MultiCore, FcfsFillsCoresInOrder) {
  // 2 cores, four jobs of 4 at 0: core 0 takes A then C, core 1 B then D.
  RunResult r = run_both(jobs_scenario(R"("cores": 2, "scheduler": "fcfs")",
                                       {cpu("A", 4), cpu("B", 4), cpu("C", 4), cpu("D", 4)}));
  EXPECT_EQ(chart(r, 0), "AAAACCCC");
  EXPECT_EQ(chart(r, 1), "BBBBDDDD");
  EXPECT_EQ(metrics(r, "C"), (Metrics{4, 8, 8, 4, 4}));
  EXPECT_EQ(metrics(r, "D"), (Metrics{4, 8, 8, 4, 4}));
  EXPECT_EQ(r.max_parallelism, 2);
  EXPECT_EQ(r.makespan, 8);
}

TEST(MultiCore, AffinityKeepsProcessesOffOtherCores) {
  // RR quantum 2 on 2 cores. A, B 4@0 pinned to core 0; C 4@0 free. Core 1
  // cannot take B, so it takes C. A 0-2, B 2-4, A 4-6, B 6-8 on core 0; C
  // 0-4 on core 1 (its slice renewed: nobody ready may use core 1), which
  // then idles although A and B wait.
  RunResult r =
      run_both(jobs_scenario(rr(2, 2), {cpu("A", 4, 0, R"("affinity": [0])"),
                                        cpu("B", 4, 0, R"("affinity": [0])"), cpu("C", 4)}));
  EXPECT_EQ(chart(r, 0), "AABBAABB");
  EXPECT_EQ(chart(r, 1), "CCCC....");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 2}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 8, 8, 2, 4}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{0, 4, 4, 0, 0}));
  EXPECT_EQ(r.cores[1].busy, 4);
}

TEST(MultiCore, SrtfPreemptsTheLongestRemaining) {
  // 2 cores. Core 0 picks the shortest, Y 6; core 1 takes X 10. Z 3@2: at 2
  // X has 8 left, Y 4; both are longer than 3, Z takes the core of the one
  // with the most left, X's. Z 2-5, X back on core 1 5-13; Y 0-6 on core 0.
  RunResult r = run_both(jobs_scenario(R"("cores": 2, "scheduler": "srtf")",
                                       {cpu("X", 10), cpu("Y", 6), cpu("Z", 3, 2)}));
  EXPECT_EQ(chart(r, 0), "BBBBBB.......");
  EXPECT_EQ(chart(r, 1), "AACCCAAAAAAAA");
  EXPECT_EQ(metrics(r, "X"), (Metrics{0, 13, 13, 0, 3}));
  EXPECT_EQ(metrics(r, "Z"), (Metrics{2, 5, 3, 0, 0}));
}

TEST(MultiCore, PreemptionOnlyWhereThePreemptorMayRun) {
  // Priority, 2 cores. L (1) 10 on core 0, M (5) 10 on core 1. H (0) 2@2 is
  // pinned to core 0: it takes L's core although M is the worse process.
  // L, now ready, beats M (1 < 5): it takes core 1 at the next boundary (3),
  // one pass of phase 4 per boundary (semantics §5).
  // Core 0: L 0-2, H 2-4, then M (ready since 3) 4-11. Core 1: M 0-3, L 3-11.
  RunResult r =
      run_both(jobs_scenario(R"("cores": 2, "scheduler": "priority")",
                             {cpu("L", 10, 0, with_prio(1)), cpu("M", 10, 0, with_prio(5)),
                              cpu("H", 2, 2, R"("priority": 0, "affinity": [0])")}));
  EXPECT_EQ(chart(r, 0), "AACCBBBBBBB");
  EXPECT_EQ(chart(r, 1), "BBBAAAAAAAA");
  EXPECT_EQ(metrics(r, "L"), (Metrics{0, 11, 11, 0, 1}));
  EXPECT_EQ(metrics(r, "M"), (Metrics{0, 11, 11, 0, 1}));
  EXPECT_EQ(metrics(r, "H"), (Metrics{2, 4, 2, 0, 0}));
}

// ---------------------------------------------------------------- context switch cost

TEST(ContextSwitch, CostIsPaidOnEverySwitchButTheFirst) {
  // RR quantum 2, switch cost 1. A, B 4@0. A 0-2 (first dispatch: free),
  // switch 2-3, B 3-5, switch 5-6, A 6-8, switch 8-9, B 9-11.
  // A waits 2-6 (incl. being switched in 5-6) = 4; B waits 0-3 and 5-9 = 7.
  RunResult r =
      run_both(jobs_scenario(rr(2) + R"(, "context_switch": 1)", {cpu("A", 4), cpu("B", 4)}));
  EXPECT_EQ(chart(r, 0), "AA*BB*AA*BB");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 4}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{3, 11, 11, 3, 7}));
  EXPECT_EQ(r.context_switches, 3);
  EXPECT_EQ(r.switch_overhead, 3);
  EXPECT_EQ(r.cores[0].switching, 3);
  EXPECT_EQ(r.cores[0].busy, 8);
}

TEST(ContextSwitch, SameProcessAgainIsFree) {
  // FCFS, cost 2. A: compute 2, io 3, compute 2. B: compute 2.
  // A 0-2, io 2-5; switch 2-4, B 4-6; at 6 A (ready since 5) is a different
  // process than B: switch 6-8, A 8-10. A alone would never pay: see below.
  const char* a_ops = R"([{"compute": 2}, {"io": 3}, {"compute": 2}])";
  RunResult r = run_both(jobs_scenario(R"("cores": 1, "scheduler": "fcfs", "context_switch": 2)",
                                       {job("A", a_ops), cpu("B", 2)}));
  EXPECT_EQ(chart(r, 0), "AA**BB**AA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 10, 10, 0, 3}));  // ready 5-8
  EXPECT_EQ(metrics(r, "B"), (Metrics{4, 6, 6, 4, 4}));
  EXPECT_EQ(r.switch_overhead, 4);
  RunResult alone = run_both(
      jobs_scenario(R"("cores": 1, "scheduler": "fcfs", "context_switch": 2)", {job("A", a_ops)}));
  EXPECT_EQ(chart(alone, 0), "AA...AA");
  EXPECT_EQ(alone.context_switches, 0);
  EXPECT_EQ(alone.switch_overhead, 0);
}

TEST(ContextSwitch, SwitchedInProcessRunsATickBeforeBeingPreempted) {
  // Priority with aging 1, switch cost 1; A, B (both 2) 4@0. A 0-1; at 1 B
  // (2 - 1 = 1) preempts A; switch 1-2. At 2 A (waiting 1 tick: 1) beats B
  // (2, its bonus gone) but B has just been switched in and runs 2-3 first.
  // At 3 A (2 - 2 = 0) preempts: switch 3-4, A 4-5, and so on: each switch
  // buys one tick. A ends at 13 (0, 4, 8, 12), B at 15 (2, 6, 10, 14).
  // Without that tick they would take the core from each other forever.
  RunResult r = run_both(jobs_scenario(
      R"("cores": 1, "scheduler": {"policy": "priority", "aging": 1}, "context_switch": 1)",
      {cpu("A", 4, 0, with_prio(2)), cpu("B", 4, 0, with_prio(2))}));
  EXPECT_EQ(chart(r, 0), "A*B*A*B*A*B*A*B");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 13, 13, 0, 9}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 15, 15, 2, 11}));
  EXPECT_EQ(r.context_switches, 7);
  EXPECT_EQ(r.switch_overhead, 7);
}

TEST(ContextSwitch, OverheadCountsOnlyTicksSpent) {
  // 2 cores, FCFS, cost 2. P (core 0) spawns daemon D and computes 0-1; Q
  // (core 1) ends at once, so core 1 last ran Q and starts switching to D at
  // 0. P exits at 1 and D dies with it, mid-switch: 1 tick of overhead, not 2.
  RunResult r =
      run_both(R"({"name": "t", "machine": {"cores": 2, "scheduler": "fcfs", "context_switch": 2},
      "programs": {"P": [{"spawn": "D", "daemon": true}, {"compute": 1}], "Q": [], "D": [{"compute": 5}]},
      "processes": [{"name": "P", "program": "P"}, {"name": "Q", "program": "Q"}]})");
  const ProcessResult& d = r.processes.at(2);  // pid 4
  EXPECT_EQ(d.exit_code, -15);
  EXPECT_EQ(d.first_run, -1);
  EXPECT_EQ(d.wait, 1);
  EXPECT_EQ(r.context_switches, 1);
  EXPECT_EQ(r.cores[1].switching, 1);
  EXPECT_EQ(r.switch_overhead, 1);
  EXPECT_EQ(r.makespan, 1);
}

// ---------------------------------------------------------------- IO

TEST(Io, OneChannelServesRequestsInFifoOrder) {
  // Three processes: io 3, compute 1. FCFS, 1 core, io_channels 1. At 0 all
  // three issue their io at once (zero-time dispatches); the device serves
  // A 0-3, B 3-6, C 6-9 and each computes right after: A 3-4, B 6-7, C 9-10.
  const char* ops = R"([{"io": 3}, {"compute": 1}])";
  std::vector<Job> jobs = {job("A", ops), job("B", ops), job("C", ops)};
  RunResult r =
      run_both(jobs_scenario(R"("cores": 1, "scheduler": "fcfs", "io_channels": 1)", jobs));
  EXPECT_EQ(chart(r, 0), "...A..B..C");
  EXPECT_EQ(by_name(r, "A").blocked_io, 3);
  EXPECT_EQ(by_name(r, "B").blocked_io, 6);  // 3 queued + 3 served
  EXPECT_EQ(by_name(r, "C").blocked_io, 9);
  EXPECT_EQ(r.io_busy, 9);
  // Unlimited channels: all three served 0-3, then A 3-4, B 4-5, C 5-6.
  RunResult par = run_both(jobs_scenario(kFcfs, jobs));
  EXPECT_EQ(chart(par, 0), "...ABC");
  EXPECT_EQ(par.io_busy, 3);
}

TEST(Io, CompletionPreemptRunsTheWokenProcessAtOnce) {
  // FCFS. A: compute 1, io 2, compute 2. B: compute 6. A 0-1, io 1-3, B from 1.
  // enqueue: A waits for B to finish: B 1-7, A 7-9.
  // preempt: at 3 A takes the core: A 3-5, B 5-9 (its last 4 ticks).
  std::vector<Job> jobs = {job("A", R"([{"compute": 1}, {"io": 2}, {"compute": 2}])"), cpu("B", 6)};
  RunResult enq = run_both(jobs_scenario(kFcfs, jobs));
  EXPECT_EQ(chart(enq, 0), "ABBBBBBAA");
  EXPECT_EQ(metrics(enq, "A"), (Metrics{0, 9, 9, 0, 4}));
  RunResult pre = run_both(
      jobs_scenario(R"("cores": 1, "scheduler": "fcfs", "io_completion": "preempt")", jobs));
  EXPECT_EQ(chart(pre, 0), "ABBAABBBB");
  EXPECT_EQ(metrics(pre, "A"), (Metrics{0, 5, 5, 0, 0}));
  EXPECT_EQ(metrics(pre, "B"), (Metrics{1, 9, 9, 1, 3}));  // ready 0-1, 3-5
  EXPECT_EQ(by_name(pre, "B").involuntary_switches, 1);
}

TEST(Io, CompletionPreemptAlsoWithPriorities) {
  // Non-preemptive priority. W (5): compute 1, io 2, compute 1. Q (3): 5@1.
  // W 0-1 (alone), io 1-3; Q 1-3. At 3 W's io ends and, with io_completion
  // preempt, W is queued ahead of everyone and takes the core although Q has
  // the better priority: W 3-4, Q 4-7.
  std::vector<Job> jobs = {
      job("W", R"([{"compute": 1}, {"io": 2}, {"compute": 1}])", 0, with_prio(5)),
      cpu("Q", 5, 1, with_prio(3))};
  RunResult pre = run_both(jobs_scenario(
      R"("cores": 1, "scheduler": {"policy": "priority", "preemptive": false}, "io_completion": "preempt")",
      jobs));
  EXPECT_EQ(chart(pre, 0), "ABBABBB");
  EXPECT_EQ(metrics(pre, "W"), (Metrics{0, 4, 4, 0, 0}));
  EXPECT_EQ(by_name(pre, "Q").involuntary_switches, 1);
}

double utilisation(const RunResult& r, CoreId c) {
  return static_cast<double>(r.cores.at(static_cast<std::size_t>(c)).busy) /
         static_cast<double>(r.makespan);
}

// IO-heavy mix: A, B each compute 2, io 4, compute 2 (FCFS, 1 core).
std::vector<Job> io_mix() {
  const char* ops = R"([{"compute": 2}, {"io": 4}, {"compute": 2}])";
  return {job("A", ops), job("B", ops)};
}

TEST(Io, SwitchOnIoOverlapsComputeWithIo) {
  // A 0-2, io 2-6; B 2-4, io 4-8; idle 4-6; A 6-8; B 8-10.
  // Busy 8 of 10 ticks; some IO in flight 2-8.
  RunResult r = run_both(jobs_scenario(kFcfs, io_mix()));
  EXPECT_EQ(chart(r, 0), "AABB..AABB");
  EXPECT_EQ(r.makespan, 10);
  EXPECT_EQ(r.cores[0].busy, 8);
  EXPECT_DOUBLE_EQ(utilisation(r, 0), 0.8);
  EXPECT_EQ(r.cores[0].held, 0);
  EXPECT_EQ(r.io_busy, 6);
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 10, 10, 2, 2}));
}

TEST(Io, UniprogrammingKeepsTheCoreDuringIo) {
  // switch_on_io false: A 0-2, holds the core 2-6, A 6-8; B 8-10, holds
  // 10-14, B 14-16. Busy 8 of 16 ticks (50% instead of 80%).
  RunResult r =
      run_both(jobs_scenario(std::string(kFcfs) + R"(, "switch_on_io": false)", io_mix()));
  EXPECT_EQ(chart(r, 0), "AAaaaaAABBbbbbBB");
  EXPECT_EQ(r.makespan, 16);
  EXPECT_EQ(r.cores[0].busy, 8);
  EXPECT_DOUBLE_EQ(utilisation(r, 0), 0.5);
  EXPECT_EQ(r.cores[0].held, 8);
  EXPECT_EQ(r.io_busy, 8);
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 8, 8, 0, 0}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{8, 16, 16, 8, 8}));
  EXPECT_EQ(r.context_switches, 1);
}

}  // namespace
}  // namespace mpsim::test
