// Process lifecycle (semantics.md §4): pids, zombies, orphans, daemons,
// signals, exit semantics, runtime errors, locks and files. Expected values are
// derived by hand in the comments; every scenario also runs tick by tick and
// must give the same bytes (run_both).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

using ::testing::HasSubstr;

/// A scenario from its parts (JSON members without the outer braces).
std::string scenario(const std::string& machine, const std::string& programs,
                     const std::string& processes, const std::string& more = "") {
  std::string s = R"({"name": "t", "machine": {)" + machine + "}, ";
  if (!more.empty()) s += more + ", ";
  return s + "\"programs\": {" + programs + "}, \"processes\": [" + processes + "]}";
}

const char* const kOneCore = R"("cores": 1, "scheduler": "fcfs")";
const char* const kTwoCores = R"("cores": 2, "scheduler": "fcfs")";
const char* const kThreeCores = R"("cores": 3, "scheduler": "fcfs")";

const ProcessResult& pid(const RunResult& r, Pid p) {
  return r.processes.at(static_cast<std::size_t>(p - 2));
}

// ---------------------------------------------------------------- pids, zombies, orphans

TEST(Lifecycle, PidsFollowCreationOrder) {
  // Initial processes get 2, 3 (parent x2), 4 (q). At 0 pid 2 runs first and
  // creates pid 5, then pid 3 creates 6; both block in join. q 0-1, kid 5
  // 1-2 (reaped by 2 at 2), kid 6 2-3 (reaped by 3 at 3); 2 and 3 end at 3.
  RunResult r = run_both(scenario(
      kOneCore,
      R"("parent": [{"spawn": "kid", "into": "c"}, {"print": "child {c}"}, {"join": "c"}],
         "kid": [{"compute": 1}], "q": [{"compute": 1}])",
      R"({"name": "parent-{index}", "program": "parent", "count": 2}, {"name": "q", "program": "q"})"));
  ASSERT_EQ(r.processes.size(), 5u);
  const char* names[] = {"parent-0", "parent-1", "q", "kid-5", "kid-6"};
  for (Pid p = 2; p <= 6; ++p) {
    EXPECT_EQ(pid(r, p).pid, p);
    EXPECT_EQ(pid(r, p).name, names[p - 2]);
  }
  EXPECT_EQ(pid(r, 5).original_parent, 2);
  EXPECT_EQ(pid(r, 6).original_parent, 3);
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0].text, "child 5");
  EXPECT_EQ(r.prints[1].text, "child 6");
  EXPECT_EQ(pid(r, 5).reaped_by, 2);
  EXPECT_EQ(pid(r, 5).reaped_at, 2);
  EXPECT_EQ(pid(r, 6).reaped_by, 3);
  EXPECT_EQ(pid(r, 6).reaped_at, 3);
  EXPECT_EQ(pid(r, 2).finish, 3);
  EXPECT_EQ(pid(r, 2).blocked_join, 2);  // 0-2 waiting for kid 5, then ready 2-3
  EXPECT_EQ(pid(r, 2).wait, 1);
  EXPECT_EQ(pid(r, 2).reaped_by, kInitPid);
  EXPECT_EQ(r.makespan, 3);
}

TEST(Lifecycle, ZombieUntilItsParentJoins) {
  // 2 cores. The parent spawns kid (3) and computes 0-5; kid runs 0-2 on
  // core 1 and exits while its parent is busy: a zombie 2-5, reaped by the
  // parent's join at 5.
  RunResult r =
      run_both(scenario(kTwoCores,
                        R"("parent": [{"spawn": "kid", "into": "c"}, {"compute": 5}, {"join": "c"}],
         "kid": [{"compute": 2}])",
                        R"({"name": "parent", "program": "parent"})"));
  const ProcessResult& kid = pid(r, 3);
  EXPECT_EQ(kid.finish, 2);
  EXPECT_EQ(kid.exit_code, 0);
  EXPECT_EQ(state_at(r, 3, 1), ProcState::Running);
  EXPECT_EQ(state_at(r, 3, 2), ProcState::Zombie);
  EXPECT_EQ(state_at(r, 3, 4), ProcState::Zombie);
  EXPECT_EQ(state_at(r, 3, 5), ProcState::Reaped);
  EXPECT_EQ(kid.reaped_at, 5);
  EXPECT_EQ(kid.reaped_by, 2);
  EXPECT_EQ(pid(r, 2).blocked_join, 0);  // the child had already exited
  EXPECT_EQ(pid(r, 2).finish, 5);
}

TEST(Lifecycle, OrphanIsAdoptedByInit) {
  // 2 cores. The parent spawns kid and ends after computing 0-2; kid (core 1)
  // prints its ppid at 0 (2) and after computing 0-5 (1: adopted at 2).
  RunResult r = run_both(scenario(kTwoCores,
                                  R"("parent": [{"spawn": "kid"}, {"compute": 2}],
         "kid": [{"print": "ppid {ppid}"}, {"compute": 5}, {"print": "ppid {ppid}"}])",
                                  R"({"name": "parent", "program": "parent"})"));
  const ProcessResult& kid = pid(r, 3);
  EXPECT_EQ(kid.orphaned_at, 2);
  EXPECT_EQ(kid.parent, kInitPid);
  EXPECT_EQ(kid.original_parent, 2);
  EXPECT_EQ(kid.finish, 5);
  EXPECT_EQ(kid.reaped_by, kInitPid);
  EXPECT_EQ(kid.reaped_at, 5);
  EXPECT_TRUE(has_event(r, EventKind::Orphan, 3, 2));
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0].text, "ppid 2");
  EXPECT_EQ(r.prints[1].text, "ppid 1");
  EXPECT_EQ(r.prints[1].tick, 5);
}

TEST(Lifecycle, ZombieChildOfAnExitingParentIsReapedByInit) {
  // 2 cores. kid 0-1 exits while the parent computes 0-3 and never joins: a
  // zombie 1-3; when the parent exits at 3 init reaps it.
  RunResult r = run_both(scenario(kTwoCores,
                                  R"("parent": [{"spawn": "kid"}, {"compute": 3}],
                                     "kid": [{"compute": 1}])",
                                  R"({"name": "parent", "program": "parent"})"));
  EXPECT_EQ(pid(r, 3).finish, 1);
  EXPECT_EQ(pid(r, 3).reaped_at, 3);
  EXPECT_EQ(pid(r, 3).reaped_by, kInitPid);
  EXPECT_EQ(pid(r, 3).orphaned_at, -1);  // it was a zombie, not a live orphan
}

// ---------------------------------------------------------------- daemons

TEST(Lifecycle, DaemonDiesWithItsParent) {
  // 2 cores. d (daemon) computes on core 1 from 0; the parent ends at 3 and
  // d is terminated then (-15) after 3 ticks of cpu, reaped by init at once.
  RunResult r =
      run_both(scenario(kTwoCores,
                        R"("parent": [{"spawn": "d", "into": "h", "daemon": true}, {"compute": 3}],
         "d": [{"compute": 10}])",
                        R"({"name": "parent", "program": "parent"})"));
  const ProcessResult& d = pid(r, 3);
  EXPECT_TRUE(d.daemon);
  EXPECT_EQ(d.exit_code, -15);
  EXPECT_EQ(d.finish, 3);
  EXPECT_EQ(d.cpu, 3);
  EXPECT_EQ(d.reaped_by, kInitPid);
  EXPECT_EQ(d.reaped_at, 3);
  EXPECT_TRUE(has_event(r, EventKind::DaemonKill, 3, 2));
  EXPECT_EQ(pid(r, 2).exit_code, 0);
  EXPECT_EQ(r.makespan, 3);
}

TEST(Lifecycle, SetDaemonBeforeStartMakesADaemon) {
  // create, set_daemon, start: the kid is a daemon and dies with its parent at 2.
  RunResult r = run_both(scenario(
      kTwoCores,
      R"("parent": [{"create": "k", "into": "c"}, {"set_daemon": "c"}, {"start": "c"}, {"compute": 2}],
         "k": [{"compute": 10}])",
      R"({"name": "parent", "program": "parent"})"));
  EXPECT_TRUE(pid(r, 3).daemon);
  EXPECT_EQ(pid(r, 3).exit_code, -15);
  EXPECT_EQ(pid(r, 3).finish, 2);
}

TEST(Lifecycle, SetDaemonAfterStartIsARuntimeError) {
  // The parent fails at 0 (exit code 1) on set_daemon; the run goes on: the
  // kid (not a daemon: the call failed) is orphaned at 0 and runs 0-3.
  RunResult r = run_both(scenario(
      kOneCore,
      R"("parent": [{"create": "k", "into": "c"}, {"start": "c"}, {"set_daemon": "c"}, {"compute": 5}],
         "k": [{"compute": 3}])",
      R"({"name": "parent", "program": "parent"})"));
  const ProcessResult& parent = pid(r, 2);
  EXPECT_EQ(parent.exit_code, 1);
  EXPECT_EQ(parent.finish, 0);
  EXPECT_EQ(parent.cpu, 0);
  const std::string msg =
      "/programs/parent/2: set_daemon after start: k-3 is already running (a daemon must be set "
      "before start)";
  EXPECT_EQ(parent.error, msg);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].tick, 0);
  EXPECT_EQ(r.errors[0].pid, 2);
  EXPECT_EQ(r.errors[0].message, msg);
  EXPECT_FALSE(pid(r, 3).daemon);
  EXPECT_EQ(pid(r, 3).orphaned_at, 0);
  EXPECT_EQ(pid(r, 3).exit_code, 0);
  EXPECT_EQ(pid(r, 3).finish, 3);
}

TEST(Lifecycle, DaemonMayNotCreateChildren) {
  // d (daemon, core 1) fails on its spawn at 0; no pid 4 is created.
  RunResult r = run_both(scenario(kTwoCores,
                                  R"("parent": [{"spawn": "d", "daemon": true}, {"compute": 5}],
         "d": [{"spawn": "k"}], "k": [{"compute": 1}])",
                                  R"({"name": "parent", "program": "parent"})"));
  ASSERT_EQ(r.processes.size(), 2u);
  EXPECT_EQ(pid(r, 3).exit_code, 1);
  EXPECT_EQ(pid(r, 3).error,
            "/programs/d/0: a daemon process may not create children (daemonic processes are not "
            "allowed to have children)");
  EXPECT_EQ(pid(r, 2).exit_code, 0);
  EXPECT_EQ(pid(r, 2).finish, 5);
}

// ---------------------------------------------------------------- start, join

TEST(Lifecycle, StartTwiceIsARuntimeError) {
  RunResult r =
      run_both(scenario(kOneCore,
                        R"("parent": [{"create": "k", "into": "c"}, {"start": "c"}, {"start": "c"}],
         "k": [{"compute": 1}])",
                        R"({"name": "parent", "program": "parent"})"));
  EXPECT_EQ(pid(r, 2).exit_code, 1);
  EXPECT_EQ(pid(r, 2).error,
            "/programs/parent/2: cannot start a process twice: k-3 was already started");
  EXPECT_EQ(pid(r, 3).finish, 1);  // started once: it runs 0-1
}

TEST(Lifecycle, JoinOfANonChildIsARuntimeError) {
  // A (pid 2) joins B (pid 3), a sibling: A fails at 0, B runs 0-2.
  RunResult r =
      run_both(scenario(kOneCore, R"("a": [{"join": "3"}], "b": [{"compute": 2}])",
                        R"({"name": "A", "program": "a"}, {"name": "B", "program": "b"})"));
  EXPECT_EQ(pid(r, 2).exit_code, 1);
  EXPECT_EQ(pid(r, 2).error, "/programs/a/0: join: process 3 (B) is not a child of A");
  EXPECT_EQ(pid(r, 3).exit_code, 0);
  EXPECT_EQ(pid(r, 3).finish, 2);
}

TEST(Lifecycle, JoinTimeoutGivesUpWithoutReaping) {
  // 2 cores. The parent spawns k (10 ticks) and joins with timeout 4: blocked
  // 0-4 (k runs on core 0, the parent's core, since the parent left it). At
  // 4 it resumes on core 1, prints that k is alive and ends: k is orphaned
  // at 4 and reaped by init when it exits at 10.
  RunResult r =
      run_both(scenario(kTwoCores,
                        R"("parent": [{"spawn": "k", "into": "c"}, {"join": "c", "timeout": 4},
                    {"print": "alive {is_alive(c)}"}],
         "k": [{"compute": 10}])",
                        R"({"name": "parent", "program": "parent"})"));
  EXPECT_EQ(pid(r, 2).blocked_join, 4);
  EXPECT_EQ(pid(r, 2).finish, 4);
  ASSERT_EQ(r.prints.size(), 1u);
  EXPECT_EQ(r.prints[0].text, "alive true");
  EXPECT_EQ(r.prints[0].tick, 4);
  EXPECT_EQ(pid(r, 3).orphaned_at, 4);
  EXPECT_EQ(pid(r, 3).reaped_by, kInitPid);
  EXPECT_EQ(pid(r, 3).reaped_at, 10);
}

TEST(Lifecycle, JoinTimeoutLongerThanTheChild) {
  // k exits at 3, before the timeout of 10: the join reaps it at 3.
  RunResult r = run_both(scenario(
      kTwoCores,
      R"("parent": [{"spawn": "k", "into": "c"}, {"join": "c", "timeout": 10}, {"print": "done {now}"}],
         "k": [{"compute": 3}])",
      R"({"name": "parent", "program": "parent"})"));
  EXPECT_EQ(pid(r, 2).blocked_join, 3);
  EXPECT_EQ(pid(r, 3).reaped_by, 2);
  EXPECT_EQ(pid(r, 3).reaped_at, 3);
  ASSERT_EQ(r.prints.size(), 1u);
  EXPECT_EQ(r.prints[0].text, "done 3");
  EXPECT_EQ(r.makespan, 3);
}

// ---------------------------------------------------------------- signals

// 3 cores. The parent spawns mid (3) and computes 0-2; mid spawns a daemon
// leaf (4) and computes; leaf computes 0-5. At 2 the parent signals mid with
// `op`, joins it and prints its exit code.
std::string signal_scenario(const std::string& op) {
  return scenario(kThreeCores,
                  R"("parent": [{"spawn": "mid", "into": "m"}, {"compute": 2}, {")" + op +
                      R"(": "m"}, {"join": "m"}, {"print": "code {exitcode(m)}"}],
                     "mid": [{"spawn": "leaf", "into": "l", "daemon": true}, {"compute": 10}],
                     "leaf": [{"compute": 5}])",
                  R"({"name": "parent", "program": "parent"})");
}

void expect_signalled(const RunResult& r, int code) {
  const ProcessResult& mid = pid(r, 3);
  EXPECT_EQ(mid.exit_code, code);
  EXPECT_EQ(mid.finish, 2);
  EXPECT_EQ(mid.cpu, 2);
  EXPECT_EQ(mid.reaped_by, 2);
  EXPECT_EQ(mid.reaped_at, 2);
  EXPECT_TRUE(has_event(r, EventKind::Signal, 3, 2));  // sent by its parent, pid 2
  bool signo_logged = false;
  for (const Event& e : r.events)
    signo_logged |= e.kind == EventKind::Signal && e.pid == 3 && e.a == -code;
  EXPECT_TRUE(signo_logged);
  // No exit handling: the daemon leaf is orphaned, not terminated.
  const ProcessResult& leaf = pid(r, 4);
  EXPECT_EQ(leaf.orphaned_at, 2);
  EXPECT_EQ(leaf.parent, kInitPid);
  EXPECT_EQ(leaf.exit_code, 0);
  EXPECT_EQ(leaf.finish, 5);
  ASSERT_EQ(r.prints.size(), 1u);
  EXPECT_EQ(r.prints[0].text, "code " + std::to_string(code));
}

TEST(Lifecycle, TerminateExitsWithMinus15AndOrphansChildren) {
  expect_signalled(run_both(signal_scenario("terminate")), -15);
}

TEST(Lifecycle, KillExitsWithMinus9AndOrphansChildren) {
  expect_signalled(run_both(signal_scenario("kill")), -9);
}

// ---------------------------------------------------------------- exit semantics

// 3 cores. The parent spawns daemon d (100 ticks) and worker w (5 ticks),
// computes 0-2 and reaches the end of its program at 2.
std::string exit_scenario(const std::string& semantics) {
  return scenario(
      std::string(kThreeCores) + R"(, "exit_semantics": ")" + semantics + "\"",
      R"("parent": [{"spawn": "d", "into": "a", "daemon": true}, {"spawn": "w", "into": "b"},
                                {"compute": 2}],
                     "d": [{"compute": 100}], "w": [{"compute": 5}])",
      R"({"name": "parent", "program": "parent"})");
}

TEST(Lifecycle, PythonExitTerminatesDaemonsThenJoinsChildren) {
  // At 2 the parent terminates d (-15) and reaps it itself, then joins w:
  // blocked 2-5; w exits at 5 and is reaped by the parent, which exits at 5.
  RunResult r = run_both(exit_scenario("python"));
  EXPECT_EQ(pid(r, 2).finish, 5);
  EXPECT_EQ(pid(r, 2).blocked_join, 3);
  EXPECT_EQ(pid(r, 3).exit_code, -15);
  EXPECT_EQ(pid(r, 3).finish, 2);
  EXPECT_EQ(pid(r, 3).reaped_by, 2);
  EXPECT_EQ(pid(r, 3).reaped_at, 2);
  EXPECT_EQ(pid(r, 4).finish, 5);
  EXPECT_EQ(pid(r, 4).reaped_by, 2);
  EXPECT_EQ(pid(r, 4).reaped_at, 5);
  EXPECT_EQ(pid(r, 4).orphaned_at, -1);
}

TEST(Lifecycle, PosixExitKillsDaemonsAndOrphansChildren) {
  // At 2 the parent exits: d is terminated and reaped by init at 2, w is
  // orphaned at 2 and reaped by init at 5.
  RunResult r = run_both(exit_scenario("posix"));
  EXPECT_EQ(pid(r, 2).finish, 2);
  EXPECT_EQ(pid(r, 3).exit_code, -15);
  EXPECT_EQ(pid(r, 3).reaped_by, kInitPid);
  EXPECT_EQ(pid(r, 3).reaped_at, 2);
  EXPECT_EQ(pid(r, 4).orphaned_at, 2);
  EXPECT_EQ(pid(r, 4).reaped_by, kInitPid);
  EXPECT_EQ(pid(r, 4).reaped_at, 5);
}

TEST(Lifecycle, ExitCode) {
  RunResult r = run_both(scenario(kOneCore, R"("a": [{"compute": 1}, {"exit": 3}, {"compute": 9}])",
                                  R"({"name": "A", "program": "a"})"));
  EXPECT_EQ(pid(r, 2).exit_code, 3);
  EXPECT_EQ(pid(r, 2).finish, 1);
  EXPECT_EQ(pid(r, 2).cpu, 1);
}

// ---------------------------------------------------------------- isolation, errors

TEST(Lifecycle, ChildrenGetACopyOfTheVariables) {
  // The seed's isolation lesson: the child sets its x to 0, the parent's
  // stays 1000.
  RunResult r = run_both(scenario(
      kOneCore,
      R"("parent": [{"set": "x", "value": 1000}, {"spawn": "child", "into": "c"}, {"join": "c"},
                    {"print": "parent x={x}"}],
         "child": [{"print": "child sees x={x}"}, {"set": "x", "value": 0}, {"print": "child x={x}"}])",
      R"({"name": "parent", "program": "parent"})"));
  ASSERT_EQ(r.prints.size(), 3u);
  EXPECT_EQ(r.prints[0].text, "child sees x=1000");
  EXPECT_EQ(r.prints[1].text, "child x=0");
  EXPECT_EQ(r.prints[2].text, "parent x=1000");
  EXPECT_EQ(r.prints[2].pid, 2);
}

TEST(Lifecycle, DivisionByZeroEndsOnlyThatProcess) {
  // A computes 0-1 and fails at 1; B runs 1-4 and prints.
  RunResult r = run_both(
      scenario(kOneCore,
               R"("a": [{"compute": 1}, {"set": "y", "value": "1 / 0"}, {"print": "unreachable"}],
         "b": [{"compute": 3}, {"print": "B done"}])",
               R"({"name": "A", "program": "a"}, {"name": "B", "program": "b"})"));
  EXPECT_EQ(pid(r, 2).exit_code, 1);
  EXPECT_EQ(pid(r, 2).finish, 1);
  EXPECT_THAT(pid(r, 2).error, HasSubstr("/programs/a/1: "));
  EXPECT_THAT(pid(r, 2).error, HasSubstr("division by zero"));
  ASSERT_EQ(r.prints.size(), 1u);
  EXPECT_EQ(r.prints[0].text, "B done");
  EXPECT_EQ(r.prints[0].tick, 4);
  EXPECT_EQ(pid(r, 3).exit_code, 0);
}

TEST(Lifecycle, RunawayZeroTimeLoopIsStopped) {
  // A loops forever without consuming a tick: stopped at 0 with exit code 1;
  // B then runs 0-2.
  RunResult r = run_both(scenario(
      kOneCore,
      R"("a": [{"while": "true", "do": [{"set": "i", "value": 1}]}], "b": [{"compute": 2}])",
      R"({"name": "A", "program": "a"}, {"name": "B", "program": "b"})"));
  EXPECT_EQ(pid(r, 2).exit_code, 1);
  EXPECT_EQ(pid(r, 2).finish, 0);
  EXPECT_THAT(pid(r, 2).error,
              HasSubstr("runaway loop: more than 100000 zero-time operations at one tick"));
  EXPECT_EQ(pid(r, 3).finish, 2);
  EXPECT_FALSE(r.deadlock);
}

TEST(Lifecycle, YieldingToEachOtherForeverIsARunawayLoop) {
  // Both loop on yield: each yield hands the core to the other at tick 0 and
  // no tick is ever consumed. The zero-time operations a process runs at one
  // boundary are counted across its dispatches, so A is stopped first; B,
  // alone, then runs its loop without yielding and is stopped too. (A limit
  // of 1000 instead of 100000 keeps the event log small.)
  const char* loop = R"([{"while": "true", "do": ["yield"]}])";
  RunResult r =
      run_both(scenario(kOneCore, std::string("\"a\": ") + loop + ", \"b\": " + loop,
                        R"({"name": "A", "program": "a"}, {"name": "B", "program": "b"})"),
               RunOptions{.max_zero_time_ops = 1000});
  for (Pid p : {2, 3}) {
    EXPECT_EQ(pid(r, p).exit_code, 1);
    EXPECT_EQ(pid(r, p).finish, 0);
    EXPECT_THAT(pid(r, p).error, HasSubstr("runaway loop: more than 1000 zero-time operations"));
  }
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].pid, 2);
  EXPECT_EQ(r.makespan, 0);
}

// ---------------------------------------------------------------- locks and files

TEST(Locks, HandOverIsFifoByWaitingOrder) {
  // 3 cores; each: acquire m, compute 2, release m. A (2) @0, B (3) @1,
  // C (4) @0. A takes m at 0; C waits from 0, B from 1. At 2 A releases: m
  // goes to C (first waiter, although B has the smaller pid); C 2-4; B 4-6.
  const char* user = R"("user": [{"acquire": "m"}, {"compute": 2}, {"release": "m"}])";
  RunResult r = run_both(scenario(kThreeCores, user,
                                  R"({"name": "A", "program": "user"},
                                     {"name": "B", "program": "user", "arrival": 1},
                                     {"name": "C", "program": "user"})",
                                  R"("locks": ["m"])"));
  EXPECT_EQ(pid(r, 2).finish, 2);
  EXPECT_EQ(pid(r, 4).finish, 4);
  EXPECT_EQ(pid(r, 3).finish, 6);
  EXPECT_EQ(pid(r, 4).blocked_lock, 2);
  EXPECT_EQ(pid(r, 3).blocked_lock, 3);
  EXPECT_EQ(r.max_parallelism, 1);
}

TEST(Locks, HandOverReachesAnEarlierFreeCore) {
  // 2 cores. Z (pinned to core 1) takes m at 0 and sleeps 0-2; W arrives at
  // 1 on core 0 and waits for m. At 2 core 0 finds nobody to run (Z may not
  // run there) before core 1 dispatches Z, whose release hands m to W: core
  // 0 must still take W at 2 (phase 5 goes round until no free core can
  // take a ready process). W 2-3 on core 0, Z 2-5 on core 1.
  RunResult r = run_both(scenario(
      kTwoCores,
      R"("z": [{"acquire": "m"}, {"sleep": 2}, {"release": "m"}, {"compute": 3}],
         "w": [{"acquire": "m"}, {"compute": 1}])",
      R"({"name": "Z", "program": "z", "affinity": [1]}, {"name": "W", "program": "w", "arrival": 1})",
      R"("locks": ["m"])"));
  EXPECT_EQ(chart(r, 0), "..B..");
  EXPECT_EQ(chart(r, 1), "..AAA");
  EXPECT_EQ(metrics(r, "W"), (Metrics{1, 3, 2, 0, 0}));
  EXPECT_EQ(pid(r, 3).blocked_lock, 1);
  EXPECT_EQ(pid(r, 2).finish, 5);
}

TEST(Locks, ReleaseOfALockNotHeldIsAnError) {
  RunResult r = run_both(scenario(kOneCore, R"("a": [{"release": "m"}])",
                                  R"({"name": "A", "program": "a"})", R"("locks": ["m"])"));
  EXPECT_EQ(pid(r, 2).exit_code, 1);
  EXPECT_EQ(pid(r, 2).error, "/programs/a/0: release of lock `m`, which A does not hold");
}

TEST(Locks, ReacquiringAHeldLockDeadlocks) {
  // A holds m and waits for it again at 0 (locks are not recursive); B runs
  // 0-3. At 3 nothing can ever change: deadlock, A stuck on the lock.
  RunResult r = run_both(scenario(
      kOneCore,
      R"("a": [{"acquire": "m"}, {"acquire": "m"}, {"print": "never"}], "b": [{"compute": 3}])",
      R"({"name": "A", "program": "a"}, {"name": "B", "program": "b"})", R"("locks": ["m"])"));
  EXPECT_TRUE(r.deadlock);
  EXPECT_EQ(r.makespan, 3);
  ASSERT_EQ(r.stuck.size(), 1u);
  EXPECT_EQ(r.stuck[0].pid, 2);
  EXPECT_EQ(r.stuck[0].reason, BlockReason::Lock);
  EXPECT_EQ(pid(r, 2).state, ProcState::Blocked);
  EXPECT_EQ(pid(r, 2).blocked_lock, 3);
  EXPECT_EQ(pid(r, 2).finish, -1);
  EXPECT_TRUE(r.prints.empty());
}

// Two buyers read data.ticket (1), wait 10 ticks of io, then buy if they saw
// a ticket. `guard` wraps the whole purchase in the lock when true.
std::string ticket_scenario(bool guard) {
  std::string body =
      R"({"read": "data.ticket", "into": "t"}, {"io": 10},
         {"if": "t > 0", "then": [{"write": "data.ticket", "value": "t - 1"},
                                  {"print": "user {i} bought a ticket"}],
                         "else": [{"print": "no ticket left"}]})";
  if (guard) body = R"({"acquire": "m"}, )" + body + R"(, {"release": "m"})";
  return scenario(
      kOneCore, "\"buyer\": [" + body + "]",
      R"({"name": "buyer-{index}", "program": "buyer", "count": 2, "args": {"i": "index"}})",
      R"("files": {"data": {"ticket": 1}}, "locks": ["m"])");
}

TEST(Files, RaceWithoutALockSellsTheTicketTwice) {
  // Both read 1 at 0 (before either writes), both write 0 at 10 and buy.
  RunResult r = run_both(ticket_scenario(false));
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0].text, "user 0 bought a ticket");
  EXPECT_EQ(r.prints[1].text, "user 1 bought a ticket");
  EXPECT_EQ(r.prints[1].tick, 10);
  EXPECT_EQ(r.files.at("data").at("ticket"), Value{std::int64_t{0}});
}

TEST(Files, LockMakesTheReadAndWriteAtomic) {
  // buyer-0 holds m 0-10 and buys; buyer-1 gets m at 10, reads 0, io 10-20,
  // finds no ticket at 20.
  RunResult r = run_both(ticket_scenario(true));
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0].text, "user 0 bought a ticket");
  EXPECT_EQ(r.prints[0].tick, 10);
  EXPECT_EQ(r.prints[1].text, "no ticket left");
  EXPECT_EQ(r.prints[1].tick, 20);
  EXPECT_EQ(r.files.at("data").at("ticket"), Value{std::int64_t{0}});
  EXPECT_EQ(pid(r, 3).blocked_lock, 10);
}

}  // namespace
}  // namespace mpsim::test
