// Synchronisation objects (semantics.md §7): exact timelines for blocking,
// FIFO wake-up order, timeouts and errors. Every case runs with and without
// event skipping (run_both).
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/races.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

const char* const kOne = R"("cores": 1, "scheduler": "fcfs")";
const char* const kTwo = R"("cores": 2, "scheduler": "fcfs")";
const char* const kThree = R"("cores": 3, "scheduler": "fcfs")";

std::vector<std::string> texts(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.prints) out.push_back(std::to_string(p.tick) + " " + p.text);
  return out;
}

using Lines = std::vector<std::string>;

// ---------------------------------------------------------------- rlocks

TEST(RLock, OwnerMayAcquireAgainAndMustReleaseAsOften) {
  // A takes r twice at 0 and computes 0-2 on core 0; B (arrival 1, core 1)
  // waits for r. At 2 A's first release leaves r held, the second hands it to
  // B, which runs 2-3 on core 0 (phase 5 goes in core order).
  RunResult r = run_both(jobs_scenario(
      kTwo,
      {job("A", R"([{"acquire": "r"}, {"acquire": "r"}, {"compute": 2}, {"release": "r"}, {"release": "r"}])"),
       job("B", R"([{"acquire": "r"}, {"compute": 1}, {"release": "r"}])", 1)},
      R"("rlocks": ["r"])"));
  EXPECT_EQ(chart(r, 0), "AAB");
  EXPECT_EQ(by_name(r, "B").blocked_lock, 1);
  EXPECT_EQ(by_name(r, "B").finish, 3);
  EXPECT_FALSE(r.deadlock);
}

TEST(RLock, ReleasingMoreOftenThanAcquiredIsAnError) {
  RunResult r = run_both(jobs_scenario(
      kOne, {job("A", R"([{"acquire": "r"}, {"release": "r"}, {"release": "r"}, {"print": "never"}])")},
      R"("rlocks": ["r"])"));
  EXPECT_EQ(by_name(r, "A").exit_code, 1);
  EXPECT_EQ(by_name(r, "A").error, "/programs/A/2: release of rlock `r`, which A does not hold");
  EXPECT_TRUE(r.prints.empty());
}

// ---------------------------------------------------------------- semaphores

TEST(Semaphore, CountsUnitsAndHandsAFreedOneToTheFirstWaiter) {
  // value 2, three users on three cores at 0: A and B get a unit, C waits.
  // At 2 A's release hands its unit to C (C runs 2-4 on core 0); B's release
  // raises the value back to 1.
  const char* use = R"([{"acquire": "s"}, {"compute": 2}, {"release": "s"}])";
  RunResult r = run_both(jobs_scenario(kThree, {job("A", use), job("B", use), job("C", use)},
                                       R"("semaphores": {"s": {"value": 2}})"));
  EXPECT_EQ(chart(r, 0), "AACC");
  EXPECT_EQ(chart(r, 1), "BB..");
  EXPECT_EQ(chart(r, 2), "....");
  EXPECT_EQ(by_name(r, "C").blocked_semaphore, 2);
  EXPECT_EQ(r.max_parallelism, 2);
  EXPECT_EQ(r.makespan, 4);
}

TEST(Semaphore, UnboundedReleaseRaisesTheValue) {
  RunResult r = run_both(jobs_scenario(
      kOne, {job("A", R"([{"release": "s"}, {"acquire": "s"}, {"acquire": "s"}, {"print": "two units"}])")},
      R"("semaphores": {"s": {"value": 1}})"));
  EXPECT_EQ(texts(r), (Lines{"0 two units"}));
}

TEST(Semaphore, BoundedReleaseAboveTheInitialValueIsAnError) {
  RunResult r = run_both(jobs_scenario(kOne, {job("A", R"([{"release": "s"}])")},
                                       R"("semaphores": {"s": {"value": 1, "bounded": true}})"));
  EXPECT_EQ(by_name(r, "A").error,
            "/programs/A/0: semaphore `s` released too many times (bounded at 1; Python raises ValueError)");
}

TEST(Semaphore, AcquireWithTimeoutGivesUp) {
  // value 0: the acquire waits 0-3, then gives up with ok = false.
  RunResult r = run_both(jobs_scenario(
      kOne, {job("A", R"([{"acquire": "s", "timeout": 3, "into": "ok"}, {"print": "{ok}"}])")},
      R"("semaphores": {"s": {"value": 0}})"));
  EXPECT_EQ(texts(r), (Lines{"3 false"}));
  EXPECT_EQ(by_name(r, "A").blocked_semaphore, 3);
  EXPECT_FALSE(r.deadlock);
}

TEST(Semaphore, ZeroTimeoutTriesWithoutBlocking) {
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("A", R"([{"acquire": "s", "timeout": 0, "into": "a"}, {"acquire": "s", "timeout": 0, "into": "b"},
                   {"print": "{a} {b}"}])")},
      R"("semaphores": {"s": {"value": 1}})"));
  EXPECT_EQ(texts(r), (Lines{"0 true false"}));
}

// ---------------------------------------------------------------- events

TEST(Event, SetWakesEveryWaiterInOrder) {
  // W1 and W2 wait at 0; S computes 0-3 and sets e. Both wake at 3 in the
  // order they began waiting; S exits first (it is still on the core).
  const char* waiter = R"([{"wait": "e", "into": "ok"}, {"print": "{name} {ok}"}])";
  RunResult r = run_both(jobs_scenario(
      kOne, {job("W1", waiter), job("W2", waiter), job("S", R"([{"compute": 3}, {"set_event": "e"}, {"print": "set"}])")},
      R"("events": ["e"])"));
  EXPECT_EQ(texts(r), (Lines{"3 set", "3 W1 true", "3 W2 true"}));
  EXPECT_EQ(by_name(r, "W1").blocked_event, 3);
  EXPECT_EQ(by_name(r, "W2").blocked_event, 3);
}

TEST(Event, WaitOnASetEventReturnsAtOnceAndClearResets) {
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("A", R"([{"set_event": "e"}, {"wait": "e", "into": "a"}, {"is_set": "e", "into": "b"},
                   {"clear_event": "e"}, {"is_set": "e", "into": "c"},
                   {"wait": "e", "timeout": 2, "into": "d"}, {"print": "{a} {b} {c} {d}"}])")},
      R"("events": ["e"])"));
  EXPECT_EQ(texts(r), (Lines{"2 true true false false"}));
  EXPECT_EQ(by_name(r, "A").blocked_event, 2);
}

// ---------------------------------------------------------------- barriers

TEST(Barrier, TheLastArrivalReleasesEveryoneAndTheBarrierIsReused) {
  // Three workers on three cores compute 1, 2 and 3 ticks and meet at b; the
  // last (P2, at 3) passes at once, P0 and P1 are dispatched after it. The
  // second round meets again at 4: phase 2 goes in core order, so P0 and P1
  // arrive first this time and P2, on core 2, is again the one that trips it.
  const char* worker = R"([{"compute": "index + 1"}, {"wait": "b", "into": "i"}, {"print": "{name} {i}"},
                           {"compute": 1}, {"wait": "b", "into": "j"}, {"print": "{name} again {j}"}])";
  RunResult s = run_both(R"({"name": "t", "machine": {)" + std::string(kThree) + R"(},
      "barriers": {"b": {"parties": 3}},
      "programs": {"w": )" + std::string(worker) + R"(},
      "processes": [{"name": "P{index}", "program": "w", "count": 3}]})");
  EXPECT_EQ(texts(s), (Lines{"3 P2 2", "3 P0 0", "3 P1 1", "4 P2 again 2", "4 P0 again 0", "4 P1 again 1"}));
  EXPECT_EQ(by_name(s, "P0").blocked_barrier, 2);
  EXPECT_EQ(by_name(s, "P1").blocked_barrier, 1);
  EXPECT_EQ(by_name(s, "P2").blocked_barrier, 0);
}

TEST(Barrier, TooFewPartiesIsADeadlock) {
  RunResult r = run_both(jobs_scenario(kTwo, {job("A", R"([{"wait": "b"}])"), job("B", R"([{"compute": 2}, {"wait": "b"}])")},
                                       R"("barriers": {"b": {"parties": 3}})"));
  EXPECT_TRUE(r.deadlock);
  EXPECT_EQ(r.makespan, 2);
  ASSERT_EQ(r.stuck.size(), 2u);
  EXPECT_EQ(r.stuck[0].reason, BlockReason::Barrier);
  EXPECT_EQ(r.stuck[0].waits_for, "barrier `b` (2 of 3 parties arrived)");
  EXPECT_EQ(analyse_deadlock(r).explanations[0], "A waits for barrier `b` (2 of 3 parties arrived); no process can arrive: every live process is blocked");
}

// ---------------------------------------------------------------- conditions

TEST(Condition, WaitReleasesTheLockAndReturnsHoldingItAgain) {
  // C takes m, finds n == 0 and waits (m is free again). P computes 0-3,
  // takes m, writes n, notifies and keeps m while computing 3-5: C moves to
  // m's queue and gets m at 5, when P releases it.
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("C", R"([{"acquire": "m"}, {"read": "data.n", "into": "n"},
                   {"while": "n == 0", "do": [{"wait": "c"}, {"read": "data.n", "into": "n"}]},
                   {"print": "got {n}"}, {"release": "m"}])"),
       job("P", R"([{"compute": 3}, {"acquire": "m"}, {"write": "data.n", "value": 5}, {"notify": "c"},
                   {"compute": 2}, {"release": "m"}])")},
      R"("files": {"data": {"n": 0}}, "locks": ["m"], "conditions": {"c": {"lock": "m"}})"));
  EXPECT_EQ(texts(r), (Lines{"5 got 5"}));
  EXPECT_EQ(by_name(r, "C").blocked_condition, 5);
  EXPECT_EQ(by_name(r, "C").blocked_lock, 0);
  EXPECT_EQ(find_races(r).total, 0u);
}

TEST(Condition, NotifyWakesOneNotifyAllWakesTheRestInOrder) {
  // W1-W3 wait at 0. At 1 N notifies one (W1 queues for m and gets it when N
  // releases); N computes 1-2, then queues for m behind W1 only. W1 prints
  // and hands m to N, whose notify_all queues W2 and W3 behind nobody: N
  // prints before them. Had the first notify woken all three, W2 would
  // print before N.
  const char* waiter = R"([{"acquire": "m"}, {"wait": "c"}, {"print": "{name}"}, {"release": "m"}])";
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("W1", waiter), job("W2", waiter), job("W3", waiter),
       job("N", R"([{"compute": 1}, {"acquire": "m"}, {"notify": "c"}, {"release": "m"}, {"compute": 1},
                   {"acquire": "m"}, {"notify_all": "c"}, {"release": "m"}, {"print": "N done"}])")},
      R"("locks": ["m"], "conditions": {"c": {"lock": "m"}})"));
  EXPECT_EQ(texts(r), (Lines{"2 W1", "2 N done", "2 W2", "2 W3"}));
}

TEST(Condition, TimeoutStillWaitsForTheLock) {
  // C waits with timeout 2 at 0; H holds m 0-5. At 2 the timeout fires but
  // C must get m back first: it returns false at 5.
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("C", R"([{"acquire": "m"}, {"wait": "c", "timeout": 2, "into": "ok"}, {"print": "{ok}"}, {"release": "m"}])"),
       job("H", R"([{"acquire": "m"}, {"compute": 5}, {"release": "m"}])")},
      R"("locks": ["m"], "conditions": {"c": {"lock": "m"}})"));
  EXPECT_EQ(texts(r), (Lines{"5 false"}));
  EXPECT_EQ(by_name(r, "C").blocked_condition, 5);
}

TEST(Condition, AnRLockGetsItsDepthBack) {
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("C", R"([{"acquire": "r"}, {"acquire": "r"}, {"wait": "c", "timeout": 1}, {"release": "r"},
                   {"release": "r"}, {"print": "released twice"}])")},
      R"("rlocks": ["r"], "conditions": {"c": {"lock": "r"}})"));
  EXPECT_EQ(texts(r), (Lines{"1 released twice"}));
  EXPECT_EQ(by_name(r, "C").exit_code, 0);
}

TEST(Condition, WaitOrNotifyWithoutTheLockIsAnError) {
  RunResult r = run_both(jobs_scenario(kOne, {job("A", R"([{"wait": "c"}])"), job("B", R"([{"notify": "c"}])")},
                                       R"("locks": ["m"], "conditions": {"c": {"lock": "m"}})"));
  EXPECT_EQ(by_name(r, "A").error,
            "/programs/A/0: wait on condition `c` needs its lock `m`, which A does not hold "
            "(Python: cannot wait on un-acquired lock)");
  EXPECT_EQ(by_name(r, "B").error,
            "/programs/B/0: notify on condition `c` needs its lock `m`, which B does not hold "
            "(Python: cannot notify on un-acquired lock)");
}

// ---------------------------------------------------------------- queues

TEST(Queue, BoundedQueueBlocksPutsAndHandsMessagesOverInOrder) {
  // capacity 1. P puts 1, then blocks putting 2. C computes 0-5, gets 1 (so
  // 2 enters the queue and P is ready), gets 2, blocks on the third get. P
  // runs at 5: its third put goes straight to C.
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("P", R"([{"put": "q", "value": 1}, {"put": "q", "value": 2}, {"put": "q", "value": 3}, {"print": "done"}])"),
       job("C", R"([{"compute": 5}, {"get": "q", "into": "a"}, {"get": "q", "into": "b"}, {"get": "q", "into": "c"},
                   {"qsize": "q", "into": "n"}, {"print": "{a}{b}{c} left {n}"}])")},
      R"("queues": {"q": {"capacity": 1}})"));
  EXPECT_EQ(texts(r), (Lines{"5 done", "5 123 left 0"}));
  EXPECT_EQ(by_name(r, "P").blocked_queue, 5);
  EXPECT_EQ(by_name(r, "C").blocked_queue, 0);
}

TEST(Queue, GetTimeoutWithOkOrAsAnError) {
  RunResult r = run_both(jobs_scenario(
      kTwo,
      {job("A", R"([{"get": "q", "timeout": 2, "ok": "ok", "into": "m"}, {"print": "{ok}"}])"),
       job("B", R"([{"get": "q", "timeout": 3}])")},
      R"("queues": {"q": {}})"));
  EXPECT_EQ(texts(r), (Lines{"2 false"}));
  EXPECT_EQ(by_name(r, "B").error,
            "/programs/B/0: get on queue `q` timed out (Python raises queue.Empty; give \"ok\" to test for it "
            "instead)");
  EXPECT_EQ(by_name(r, "B").finish, 3);
}

TEST(Queue, PutAndGetOrderTheAccessesAroundThem) {
  // W writes data.x then sends a message; R receives it, then reads data.x:
  // happens-before orders the two accesses, so no race.
  std::string s = jobs_scenario(
      kTwo,
      {job("W", R"([{"compute": 2}, {"write": "data.x", "value": 1}, {"put": "q", "value": "'go'"}])"),
       job("R", R"([{"get": "q", "into": "m"}, {"read": "data.x", "into": "x"}, {"print": "{m} {x}"}])")},
      R"("files": {"data": {"x": 0}}, "queues": {"q": {}})");
  RunResult r = run_both(s);
  EXPECT_EQ(texts(r), (Lines{"2 go 1"}));
  EXPECT_EQ(find_races(r).total, 0u);
  // Without the message the same accesses race.
  std::string racy = jobs_scenario(
      kTwo,
      {job("W", R"([{"compute": 2}, {"write": "data.x", "value": 1}])"),
       job("R", R"([{"sleep": 3}, {"read": "data.x", "into": "x"}])")},
      R"("files": {"data": {"x": 0}})");
  EXPECT_EQ(find_races(run_both(racy)).total, 1u);
}

// ---------------------------------------------------------------- termination and deadlock

TEST(SyncObjects, ATerminatedWaiterLeavesTheQueue) {
  // Parent P holds m, starts K (which waits for m), terminates it at 1, then
  // releases m: nobody is left to hand m to, so P can take it again.
  RunResult r = run_both(R"({"name": "t", "machine": {"cores": 2, "scheduler": "fcfs"}, "locks": ["m"],
      "programs": {"k": [{"acquire": "m"}],
                   "p": [{"acquire": "m"}, {"spawn": "k", "into": "h"}, {"compute": 1}, {"terminate": "h"},
                         {"release": "m"}, {"acquire": "m", "timeout": 0, "into": "ok"}, {"print": "{ok}"}]},
      "processes": [{"name": "P", "program": "p"}]})");
  EXPECT_EQ(texts(r), (Lines{"1 true"}));
  EXPECT_EQ(by_name(r, "k-3").exit_code, -15);
  EXPECT_EQ(by_name(r, "k-3").blocked_lock, 1);
}

TEST(SyncObjects, AnEmptyQueueNobodyFillsIsADeadlockWithItsReason) {
  RunResult r = run_both(jobs_scenario(kOne, {job("A", R"([{"get": "q"}])")}, R"("queues": {"q": {"capacity": 2}})"));
  EXPECT_TRUE(r.deadlock);
  ASSERT_EQ(r.stuck.size(), 1u);
  EXPECT_EQ(r.stuck[0].reason, BlockReason::Queue);
  EXPECT_EQ(r.stuck[0].waits_for, "a message on queue `q`, which is empty");
}

TEST(SyncObjects, DeclarationsAreCheckedWithClearMessages) {
  EXPECT_EQ(load_errors(jobs_scenario(kOne, {job("A", R"([{"wait": "m"}, {"acquire": "e"}, {"notify": "cc"}])")},
                                      R"("locks": ["m"], "events": ["e"], "conditions": {"c": {"lock": "m"}})")),
            "test.json: /programs/A/0/wait: \"m\" is a lock; expected event, barrier or condition\n"
            "test.json: /programs/A/1/acquire: \"e\" is an event; expected lock, rlock or semaphore\n"
            "test.json: /programs/A/2/notify: unknown condition \"cc\" (did you mean \"c\"?)\n");
  EXPECT_EQ(load_errors(jobs_scenario(kOne, {job("A", R"([{"wait": "b", "timeout": 1}])")},
                                      R"("barriers": {"b": {"partys": 2}}, "conditions": {"c": {"lock": "x"}}, "queues": {"b": {}})")),
            "test.json: /barriers/b/partys: unknown key \"partys\" (did you mean \"parties\"?)\n"
            "test.json: /barriers/b: missing key \"parties\"\n"
            "test.json: /conditions/c/lock: unknown lock \"x\" (the scenario declares none)\n"
            "test.json: /queues/b: duplicate name \"b\": it is already a barrier (object names are shared by all kinds)\n"
            "test.json: /programs/A/0/timeout: a barrier wait takes no timeout (a broken barrier is not modelled)\n");
}

}  // namespace
}  // namespace mpsim::test
