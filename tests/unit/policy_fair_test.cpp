// The fair-share policies, fair and cfs, with every expected value computed
// by hand (the derivation is in the comment above each expectation), run with
// and without event skipping (run_both). Charts and metrics as in
// policy_test.cpp: one letter per tick, A = pid 2; {first_run, finish,
// turnaround, response, wait}. vr = virtual runtime.
#include <gtest/gtest.h>

#include <algorithm>

#include "mpsim/kernel/policy.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

std::string fair(int quantum = 1, int cores = 1) {
  return "\"cores\": " + std::to_string(cores) + R"(, "scheduler": {"policy": "fair", "quantum": )" +
         std::to_string(quantum) + "}";
}

std::string cfs(int latency = 6, int granularity = 1) {
  return R"("cores": 1, "scheduler": {"policy": "cfs", "sched_latency": )" + std::to_string(latency) +
         ", \"min_granularity\": " + std::to_string(granularity) + "}";
}

// ---------------------------------------------------------------- fair

TEST(Fair, EqualSharesOneTickAtATime) {
  // A 3, B 2, C 1 at 0, quantum 1. All vr 0: A, B, C in pid order; each then
  // goes behind the others with the same vr: A B C A B A. Ideal processor
  // sharing gives the same finishes: C after 3 x 1 tick, B at 3 + 2 x 1, A at 6.
  RunResult r = run_both(jobs_scenario(fair(), {cpu("A", 3), cpu("B", 2), cpu("C", 1)}));
  EXPECT_EQ(chart(r, 0), "ABCABA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 3}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{1, 5, 5, 1, 3}));
  EXPECT_EQ(metrics(r, "C"), (Metrics{2, 3, 3, 2, 2}));
  EXPECT_EQ(r.context_switches, 5);
}

TEST(Fair, LateArrivalStartsAtTheSmallestVirtualRuntime) {
  // A 4 at 0, B 2 at 2. A runs 0-2 alone (vr 2). B is placed at
  // max(0, min vr 2) = 2, not 0: it does not get the two ticks it was absent.
  // At 2, A's slice ends and B (vr 2, earlier in the queue) ties it: B, then
  // A (2 < 3), B (3 = 3, B queued first), A. Least-CPU-first without the
  // placement would run B twice in a row (AABBAA).
  RunResult r = run_both(jobs_scenario(fair(), {cpu("A", 4), cpu("B", 2, 2)}));
  EXPECT_EQ(chart(r, 0), "AABABA");
  EXPECT_EQ(metrics(r, "A"), (Metrics{0, 6, 6, 0, 2}));
  EXPECT_EQ(metrics(r, "B"), (Metrics{2, 5, 3, 0, 1}));
}

TEST(Fair, TwoCoresShareThreeProcesses) {
  // A, B, C 4 at 0 on 2 cores: each should get 2/3 of a core, all finishing
  // at 12/2 = 6 under ideal sharing. At each boundary both slices end (core 0
  // first) and the two least-run ones in queue order take the cores:
  // t0 A B | t1 C A | t2 B C | t3 A B | t4 C A (A done at 5) | t5 B C.
  RunResult r = run_both(jobs_scenario(fair(1, 2), {cpu("A", 4), cpu("B", 4), cpu("C", 4)}));
  EXPECT_EQ(chart(r, 0), "ACBACB");
  EXPECT_EQ(chart(r, 1), "BACBAC");
  EXPECT_EQ(by_name(r, "A").finish, 5);
  EXPECT_EQ(by_name(r, "B").finish, 6);
  EXPECT_EQ(by_name(r, "C").finish, 6);
  EXPECT_EQ(r.makespan, 6);
}

TEST(Fair, LongerQuantum) {
  // A 5, B 3 at 0, quantum 2: A 0-2 (vr 2), B 2-4 (vr 2), A 4-6 (A queued
  // first at vr 2), B 6-7 (done, vr 3), A 7-8.
  RunResult r = run_both(jobs_scenario(fair(2), {cpu("A", 5), cpu("B", 3)}));
  EXPECT_EQ(chart(r, 0), "AABBAABA");
  EXPECT_EQ(by_name(r, "B").finish, 7);
  EXPECT_EQ(by_name(r, "A").finish, 8);
}

TEST(Fair, RunsAheadWhileOthersSleepWithoutBankingCredit) {
  // A computes 6; B does io 3 then computes 2. t0 A; at 1 B (vr 0 <= 1) is
  // dispatched, starts its io (blocked 1-4) and A goes on alone, renewing its
  // slice in place (vr 4 at 4). B wakes at 4 and is placed at vr 4, so it
  // alternates with A instead of running twice: B A B A.
  RunResult r = run_both(
      jobs_scenario(fair(), {cpu("A", 6), job("B", R"([{"io": 3}, {"compute": 2}])")}));
  EXPECT_EQ(chart(r, 0), "AAAABABA");
  EXPECT_EQ(by_name(r, "B").finish, 7);
  EXPECT_EQ(by_name(r, "A").finish, 8);
}

// The rounding bound of docs/semantics.md §6: n processes all ready at 0 on
// one core, computing only. Under ideal processor sharing the one of length x
// finishes at sum_j min(x_j, x); under fair (quantum 1) it finishes in the
// round x at the latest, so no later than that and at most n - 1 ticks earlier
// (those of the same round still to come); the makespan (all the work) is equal.
TEST(Fair, WithinRoundingBoundOfProcessorSharing) {
  std::vector<std::vector<Tick>> sets = {{5, 3, 8, 1, 4}, {7, 7, 7}, {1, 9, 2, 9, 3, 6, 6}, {12}};
  for (const auto& sizes : sets) {
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < sizes.size(); ++i)
      jobs.push_back(cpu(std::string(1, static_cast<char>('A' + i)), sizes[i]));
    RunResult r = run_both(jobs_scenario(fair(), jobs));
    Tick total = 0;
    for (Tick x : sizes) total += x;
    EXPECT_EQ(r.makespan, total);
    auto n = static_cast<Tick>(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      Tick ps = 0;
      for (Tick y : sizes) ps += std::min(y, sizes[i]);
      Tick f = by_name(r, std::string(1, static_cast<char>('A' + i))).finish;
      EXPECT_LE(f, ps);
      EXPECT_GE(f, ps - (n - 1));
    }
  }
}

// ---------------------------------------------------------------- cfs

TEST(Cfs, EqualWeightsRunWholeSlices) {
  // A, B 6 at 0, nice 0, latency 6: W = 2048, slice 6 * 1024 / 2048 = 3.
  // New processes are placed at min_vruntime (0) and do not preempt. A 0-3
  // (vr 3 ticks), B (vr 0 <= 3) 3-6, A 6-9, B 9-12.
  RunResult r = run_both(jobs_scenario(cfs(), {cpu("A", 6), cpu("B", 6)}));
  EXPECT_EQ(chart(r, 0), "AAABBBAAABBB");
  EXPECT_EQ(by_name(r, "A").finish, 9);
  EXPECT_EQ(by_name(r, "B").finish, 12);
}

TEST(Cfs, NiceWeightsShareInProportion) {
  // A nice 0 (weight 1024, +65536 vr per tick), B nice 3 (1024 * 0.8^3 =
  // 524.3 -> 524, +67108864 / 524 = 128070 per tick). W = 1548: slices
  // A 6 * 1024 / 1548 = 3, B 6 * 524 / 1548 = 2.
  // A 0-3 (vr 196608); B 3-5 (256140); A (196608 <= 256140) 5-8 (393216);
  // B 8-10 (512280); A 10-13, done (9 ticks); B alone 13-18 (4 + 5 ticks).
  RunResult r = run_both(
      jobs_scenario(cfs(), {cpu("A", 9, 0, "\"nice\": 0"), cpu("B", 9, 0, "\"nice\": 3")}));
  EXPECT_EQ(chart(r, 0), "AAABBAAABBAAABBBBB");
  EXPECT_EQ(by_name(r, "A").finish, 13);
  EXPECT_EQ(by_name(r, "B").finish, 18);
}

// A computes 20; B is dispatched at 3 (A's slice end), starts an io of 2 and
// computes 2 when it wakes at 5. A runs alone 3-5 and is at vr 5 ticks
// (327680) at 5; B is placed at max(0, 327680 - 6 * 65536 / 2) = 131072.
TEST(Cfs, WakeUpPreemptsByMoreThanTheGranularity) {
  // Granularity 1: 131072 + 65536 < 327680, so B takes the core at 5 (A's
  // slice, 3 with W = 2048, still had a tick left) and runs 5-7.
  RunResult r = run_both(jobs_scenario(
      cfs(6, 1), {cpu("A", 20), job("B", R"([{"io": 2}, {"compute": 2}])")}));
  EXPECT_EQ(chart(r, 0), "AAAAABBAAAAAAAAAAAAAAA");
  EXPECT_EQ(metrics(r, "B"), (Metrics{3, 7, 7, 3, 3}));
  EXPECT_EQ(by_name(r, "A").involuntary_switches, 2);  // slice end at 3, preempted at 5
  EXPECT_EQ(r.context_switches, 4);                    // A>B, B>A at 3; A>B at 5; B>A at 7
}

TEST(Cfs, WakeUpWithinTheGranularityWaitsForTheSliceEnd) {
  // Granularity 3: 131072 + 196608 = 327680 is not below A's 327680, so B
  // waits; A's slice (max(3, 3) = 3 from 3) ends at 6, where B (smaller vr)
  // gets the core: B 6-8.
  RunResult r = run_both(jobs_scenario(
      cfs(6, 3), {cpu("A", 20), job("B", R"([{"io": 2}, {"compute": 2}])")}));
  EXPECT_EQ(chart(r, 0), "AAAAAABBAAAAAAAAAAAAAA");
  EXPECT_EQ(by_name(r, "B").finish, 8);
}

TEST(FairShare, Descriptions) {
  auto describe = [](const std::string& machine) {
    Scenario s = load(jobs_scenario(machine, {cpu("A", 1)}));
    return find_policy(s.machine.scheduler.policy)->make(s.machine)->describe();
  };
  EXPECT_EQ(describe(fair()), "fair");
  EXPECT_EQ(describe(fair(2)), "fair (quantum 2)");
  EXPECT_EQ(describe(cfs()), "cfs (latency 6, granularity 1)");
  EXPECT_EQ(describe(cfs(8, 2)), "cfs (latency 8, granularity 2)");
}

}  // namespace
}  // namespace mpsim::test
