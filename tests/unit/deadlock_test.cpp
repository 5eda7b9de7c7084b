// Deadlocks: found, explained, and drawn as a wait-for graph.
#include <gtest/gtest.h>

#include "mpsim/analysis/deadlock.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

// AB/BA: one takes a then b, two takes b then a; both compute 2 ticks in
// between on 2 cores, so at tick 2 each waits for the other's lock.
TEST(Deadlock, TwoLocksInOppositeOrder) {
  RunResult r = run(R"({"machine": {"cores": 2, "scheduler": "fcfs"}, "locks": ["a", "b"],
    "programs": {"p1": [{"acquire": "a"}, {"compute": 2}, {"acquire": "b"}, {"release": "b"}, {"release": "a"}],
                 "p2": [{"acquire": "b"}, {"compute": 2}, {"acquire": "a"}, {"release": "a"}, {"release": "b"}]},
    "processes": [{"name": "one", "program": "p1"}, {"name": "two", "program": "p2"}]})");
  ASSERT_TRUE(r.deadlock);
  EXPECT_EQ(r.makespan, 2);
  DeadlockReport rep = analyse_deadlock(r);
  ASSERT_EQ(rep.explanations.size(), 2u);
  EXPECT_EQ(rep.explanations[0], "one waits for lock `b`, held by two, which is itself blocked waiting for lock `a`");
  EXPECT_EQ(rep.explanations[1], "two waits for lock `a`, held by one, which is itself blocked waiting for lock `b`");
  ASSERT_EQ(rep.cycles.size(), 1u);
  EXPECT_EQ(rep.cycles[0], (std::vector<std::string>{"one", "lock b", "two", "lock a"}));
  EXPECT_NE(rep.dot.find("[label=\"held by\"]"), std::string::npos);
}

TEST(Deadlock, ReacquiringAHeldLockBlocksForever) {
  RunResult r = run(R"({"locks": ["m"], "programs": {"p": [{"acquire": "m"}, {"acquire": "m"}]},
    "processes": [{"name": "self", "program": "p"}]})");
  ASSERT_TRUE(r.deadlock);
  DeadlockReport rep = analyse_deadlock(r);
  EXPECT_EQ(rep.explanations[0], "self waits for lock `m`, which it holds itself: lock m is not recursive");
  ASSERT_EQ(rep.cycles.size(), 1u);  // self -> lock m -> self
}

// The seed's warning: a holder that exits without releasing.
TEST(Deadlock, HolderThatDied) {
  RunResult r = run(R"({"machine": {"cores": 1, "scheduler": "fcfs"}, "locks": ["mutex"],
    "programs": {"p": [{"acquire": "mutex"}, {"compute": 3}]},
    "processes": [{"name": "buyer-{index}", "program": "p", "count": 2}]})");
  ASSERT_TRUE(r.deadlock);
  DeadlockReport rep = analyse_deadlock(r);
  ASSERT_EQ(rep.explanations.size(), 1u);
  EXPECT_EQ(rep.explanations[0], "buyer-1 waits for lock `mutex`, held by buyer-0, which exited at tick 3 without releasing it");
  EXPECT_TRUE(rep.cycles.empty());
}

// A join cycle cannot be built: a process may only join its own children,
// and a child cannot join its parent (join of a non-child is a runtime error),
// so waits through joins always point down the tree. The closest thing, a
// parent joining a child stuck on a lock the parent holds, is a cycle through
// the lock.
TEST(Deadlock, JoinWaitsOnlyPointDownTheTree) {
  RunResult r = run(R"({"locks": ["m"],
    "programs": {"main": [{"acquire": "m"}, {"spawn": "child", "into": "c"}, {"join": "c"}, {"release": "m"}],
                 "child": [{"acquire": "m"}, {"release": "m"}]},
    "processes": [{"name": "main", "program": "main"}]})");
  ASSERT_TRUE(r.deadlock);
  DeadlockReport rep = analyse_deadlock(r);
  EXPECT_EQ(rep.explanations[0], "main waits to join child-3 (pid 3), which is itself blocked waiting for lock `m`");
  EXPECT_EQ(rep.explanations[1], "child-3 waits for lock `m`, held by main, which is itself blocked waiting for child 3");
  ASSERT_EQ(rep.cycles.size(), 1u);
  EXPECT_EQ(rep.cycles[0], (std::vector<std::string>{"main", "child-3", "lock m"}));

  RunResult bad = run(R"({"programs": {"main": [{"spawn": "child"}, {"compute": 5}],
                                       "child": [{"join": "ppid"}]},
    "processes": [{"name": "main", "program": "main"}]})");
  EXPECT_FALSE(bad.deadlock);
  EXPECT_EQ(by_name(bad, "child-3").exit_code, 1);
  EXPECT_EQ(by_name(bad, "child-3").error, "/programs/child/0: join: process 2 (main) is not a child of child-3");
}

TEST(ProcessTree, ShowsAdoptionAndFate) {
  RunResult r = run(R"({"programs": {"main": [{"spawn": "child"}], "child": [{"sleep": 2}]},
    "processes": [{"name": "main", "program": "main"}]})");
  std::string dot = process_tree_dot(r);
  EXPECT_NE(dot.find("label=\"3 child-3\\nexit 0\\nreaped by 1 at 2, zombie for 0\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("[style=dashed, label=\"adopted\"]"), std::string::npos) << dot;
}

}  // namespace
}  // namespace mpsim::test
