// lottery and stride (proportional share), with every expected value derived
// by hand in the comment above it. Charts: one letter per tick, A = pid 2.
// Lottery winners come from Python's random module, which the generator
// reproduces: the numbers quoted are what Python 3 prints for the same seed.
#include <gtest/gtest.h>

#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

std::string tix(int n) {
  return "\"tickets\": " + std::to_string(n);
}

TEST(Lottery, OstepReadmeExample) {
  // OSTEP cpu-sched-lottery/README.md, `lottery.py -j 2 -s 0 -c`: job 0 of
  // length 8 with 75 tickets, job 1 of length 4 with 25. lottery.py spends
  // four random() values making the jobs (skip 4); then its draws are
  // 511275 404934 783799 303313 476597 583382 (% 100: 75 34 99 13 97 82 ->
  // 1 0 1 0 1 1; job 1 done at 6), 908113 504687 281838 755804 618369 250506
  // (% 75 -> 0 each time; job 0 done at 12): the README's schedule exactly.
  const char* m =
      R"("cores": 1, "scheduler": {"policy": "lottery", "seed": 0, "skip": 4, "ostep": true})";
  RunResult r = run_both(jobs_scenario(m, {cpu("A", 8, 0, tix(75)), cpu("B", 4, 0, tix(25))}));
  EXPECT_EQ(chart(r, 0), "BABABBAAAAAA");
  EXPECT_EQ(by_name(r, "B").finish, 6);
  EXPECT_EQ(by_name(r, "A").finish, 12);
}

TEST(Lottery, LoneProcessStillDrawsLikeLotteryPy) {
  // Same jobs but job 1 arrives only at 3: ticks 0-2 are job 0's alone, and
  // lottery.py-like draws are still spent on them (511275 404934 783799). At 3
  // both are ready: 303313 % 100 = 13 -> A; 476597 -> 97 -> B; 583382 -> 82
  // -> B; 908113 -> 13 -> A; 504687 -> 87 -> B; 281838 -> 38 -> A;
  // 755804 -> 4 -> A (ticks 3-9: A A B B A B A A... as charted below).
  const char* m =
      R"("cores": 1, "scheduler": {"policy": "lottery", "seed": 0, "skip": 4, "ostep": true})";
  RunResult r = run_both(jobs_scenario(m, {cpu("A", 8, 0, tix(75)), cpu("B", 4, 3, tix(25))}));
  EXPECT_EQ(chart(r, 0).substr(0, 10), "AAAABBABAA");
}

TEST(Lottery, DefaultDrawIsRandrange) {
  // Tickets A 10 (winning 0-9), B 20 (10-29), C 30 (30-59), walked in pid
  // order. Python: random.seed(3); [randrange(60) for _ in range(8)] =
  // [15, 37, 34, 8, 23, 58, 38, 30] -> B C C A B C C C.
  const char* m = R"("cores": 1, "scheduler": {"policy": "lottery", "seed": 3})";
  RunResult r = run_both(jobs_scenario(
      m, {cpu("A", 20, 0, tix(10)), cpu("B", 20, 0, tix(20)), cpu("C", 20, 0, tix(30))}));
  EXPECT_EQ(chart(r, 0).substr(0, 8), "BCCABCCC");
  // The whole run, by the same rule in Python (each tick: randrange of the
  // unfinished processes' tickets, walked in pid order), with 29 changes of
  // the running process, each a context switch.
  EXPECT_EQ(chart(r, 0), "BCCABCCCCCACACCCBCBBCCCCCCBCCAABABBBBBABBAABBAABABBABAAAAAAA");
  EXPECT_EQ(r.context_switches, 29);
}

TEST(Lottery, DescribeAndQuantum) {
  const char* m = R"("cores": 1, "scheduler": {"policy": "lottery", "quantum": 3, "seed": 3})";
  RunResult r = run_both(jobs_scenario(
      m, {cpu("A", 6, 0, tix(10)), cpu("B", 6, 0, tix(20)), cpu("C", 6, 0, tix(30))}));
  // Each winner now runs 3 ticks. Python: random.seed(3);
  // [randrange(60) for _ in range(3)] = [15, 37, 34] -> B (0-2), C (3-5),
  // C (6-8, C done at 9); then A 10 + B 20 = 30 tickets: the next
  // randrange(30) values are 4, 11 -> A (9-11), B (12-14, B done at 15);
  // then A alone (one more draw) runs 15-17.
  EXPECT_EQ(chart(r, 0), "BBBCCCCCCAAABBBAAA");
  EXPECT_EQ(r.machine.scheduler.policy, "lottery");
}

TEST(Stride, OstepFigure) {
  // OSTEP 9.6: tickets A 100, B 50, C 250 -> strides 100, 200, 40 (big
  // 10000). Pass values (A, B, C) before each pick: (0,0,0) A, (100,0,0) B,
  // (100,200,0) C, (100,200,40) C, (100,200,80) C, (100,200,120) A,
  // (200,200,120) C, (200,200,160) C, then (200,200,200): a tie, broken by
  // entry into the ready queue: B (queued at 2) before A (6) and C (8): B;
  // then A (200) beats C (200, queued later), pass of B now 400.
  const char* m = R"("cores": 1, "scheduler": {"policy": "stride"})";
  RunResult r = run_both(jobs_scenario(
      m, {cpu("A", 20, 0, tix(100)), cpu("B", 20, 0, tix(50)), cpu("C", 20, 0, tix(250))}));
  EXPECT_EQ(chart(r, 0).substr(0, 10), "ABCCCACCBA");
}

TEST(Stride, LateArrivalStartsAtTheCurrentPass) {
  // A (tickets 100, stride 100) alone for ticks 0-3: its pass is 400 at 4,
  // the highest pass reached so far. B (tickets 100) arrives at 4 and starts
  // at pass 400, not 0 (it would otherwise run 4 ticks in a row). A tie with
  // running A, which is not strictly preferred: A is requeued behind B. B
  // runs 4 (500), A 5 (500), then each tie goes to the one queued earlier:
  // B 6, A 7, B 8, A 9, B 10 (its 4th tick, done at 11), A 11 (done at 12).
  const char* m = R"("cores": 1, "scheduler": {"policy": "stride"})";
  RunResult r = run_both(jobs_scenario(m, {cpu("A", 8, 0, tix(100)), cpu("B", 4, 4, tix(100))}));
  EXPECT_EQ(chart(r, 0), "AAAABABABABA");
}

TEST(Stride, TicketsAreInheritedAndChecked) {
  Scenario s = load(jobs_scenario(R"("scheduler": "stride")", {cpu("A", 1, 0, tix(7))}));
  EXPECT_EQ(s.processes[0].tickets, 7);
  EXPECT_EQ(load_errors(jobs_scenario(R"("scheduler": "stride")", {cpu("A", 1, 0, tix(0))})),
            "test.json: /processes/0/tickets: expected an integer from 1 to 1000000, found 0\n");
}

// A parent (200 tickets) spawns a child (inheriting 200) that computes 6 and
// joins it; X (400 tickets) computes 12. Stride, big 1200.
std::string transfer_scenario(bool transfer) {
  return std::string(
             R"({"name": "t", "machine": {"cores": 1, "scheduler": {"policy": "stride", "big": 1200, )") +
         "\"transfer\": " + (transfer ? "true" : "false") + R"(}},
    "programs": {"P": [{"spawn": "work", "into": "c"}, {"join": "c"}], "work": [{"compute": 6}],
                 "X": [{"compute": 12}]},
    "processes": [{"name": "P", "program": "P", "tickets": 200}, {"name": "X", "program": "X", "tickets": 400}]})";
}

TEST(Stride, TicketTransferToAJoinedChild) {
  // P runs at 0 for no time (spawn, then join blocks). With transfer, the
  // child C (pid 4) holds 200 + 200 = 400 tickets, stride 3, as X: X (queued
  // at 0) runs tick 0 (pass 3), C tick 1 (3), then each tie goes to the one
  // queued earlier: X, C, X, C... C's 6th tick is 11 (done at 12). P wakes
  // at 12 with pass max(0, 18) = 18, the pass of waiting X (queued at 11,
  // before P): X runs 12 (21), P 13 (exits at once), X 13-17 (done at 18).
  RunResult r = run_both(transfer_scenario(true));
  EXPECT_EQ(chart(r, 0), "BCBCBCBCBCBCBBBBBB");
  EXPECT_EQ(by_name(r, "P").finish, 13);
}

TEST(Stride, NoTransferWithoutTheOption) {
  // Without transfer C has 200 tickets, stride 6, against X's 3: X at 0 (3),
  // C at 1 (6), X at 2 (6), tie at 3: C queued at 2 before X: C (12), X 4
  // (9), X 5 (12), tie at 6: C (queued at 4) (18), X 7, 8 (18), C 9 (24)...
  // X gets two ticks for each of C's while both are ready.
  RunResult r = run_both(transfer_scenario(false));
  EXPECT_EQ(chart(r, 0).substr(0, 10), "BCBCBBCBBC");
}

TEST(Lottery, TicketTransferToAJoinedChild) {
  // P (100 tickets) spawns C (inherits 100) and joins it at 0; X (100)
  // arrives at 1. Draws, seed 0 (Python: random.seed(0), then randrange of
  // each total): at 0 P alone (randrange(100)), then C alone (randrange(200)
  // with transfer, C holding 100 + P's 100; randrange(100) without); from 1
  // X (pid 3, tickets 0-99) and C: randrange(300) (or 200) five times. Python
  // gives C C B C C C with transfer and C C B B C C without.
  auto scenario = [](bool transfer) {
    return std::string(
               R"({"name": "t", "machine": {"cores": 1, "scheduler": {"policy": "lottery", )") +
           "\"transfer\": " + (transfer ? "true" : "false") + R"(}},
      "programs": {"P": [{"spawn": "work", "into": "c"}, {"join": "c"}], "work": [{"compute": 6}],
                   "X": [{"compute": 6}]},
      "processes": [{"name": "P", "program": "P"}, {"name": "X", "program": "X", "arrival": 1}]})";
  };
  EXPECT_EQ(chart(run_both(scenario(true)), 0).substr(0, 6), "CCBCCC");
  EXPECT_EQ(chart(run_both(scenario(false)), 0).substr(0, 6), "CCBBCC");
}

}  // namespace
}  // namespace mpsim::test
