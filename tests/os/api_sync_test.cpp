// The mpsim::os synchronisation objects (include/mpsim/os/sync.hpp) between
// real processes. Children report through exit codes and shared memory; the
// checks are on outcomes, and a time bound is only ever a generous ceiling or
// the floor a timeout guarantees, so a busy machine cannot fail them.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mpsim/os/process.hpp"
#include "shared_value.hpp"

namespace {

using namespace std::chrono_literals;
using mpsim::os::Barrier;
using mpsim::os::BoundedSemaphore;
using mpsim::os::Condition;
using mpsim::os::Event;
using mpsim::os::Lock;
using mpsim::os::Process;
using mpsim::os::RLock;
using mpsim::os::Semaphore;

using mpsim::test::shared_value;
using mpsim::test::unshare;


/// Polls `ready` every millisecond for at most 20 s (a wait that should take
/// milliseconds; the ceiling only stops a broken build from hanging).
template <class F>
bool eventually(F ready) {
  auto end = std::chrono::steady_clock::now() + 20s;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Shared by a condition's sleepers and the test: how many reached wait()
/// (counted under the lock) and how many it has woken.
struct WaitCount {
  int waiting;
  std::atomic<int> woken;
};

/// Every child was joined: the test leaves no zombie behind.
void expect_no_children() {
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

void join_all(std::vector<Process>& ps) {
  for (auto& p : ps) p.join();
  for (auto& p : ps) EXPECT_EQ(p.exitcode(), 0) << p.name();
}

std::chrono::nanoseconds since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::steady_clock::now() - t0;
}

// --- RLock ---

TEST(OsApiSync, RLockReentersAndFreesOnlyAfterTheLastRelease) {
  RLock rlock;
  auto* entered = shared_value<std::atomic<int>>();
  rlock.acquire();
  EXPECT_TRUE(rlock.acquire(0ns));  // re-entry never waits
  EXPECT_TRUE(rlock.try_lock());    // depth 3
  Process other(
      [&rlock, entered] {
        std::lock_guard guard(rlock);
        entered->store(1);
      },
      "other");
  other.start();
  rlock.release();
  rlock.release();  // depth 1: still held
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(entered->load(), 0);
  rlock.release();
  other.join();
  EXPECT_EQ(other.exitcode(), 0);
  EXPECT_EQ(entered->load(), 1);
  EXPECT_THROW(rlock.release(), std::logic_error);  // a fourth release
  unshare(entered);
  expect_no_children();
}

TEST(OsApiSync, RLockReleaseByANonOwnerThrows) {
  RLock rlock;
  EXPECT_THROW(rlock.release(), std::logic_error);  // free
  rlock.acquire();
  Process intruder([&rlock] {
    if (rlock.acquire(20ms)) Process::exit_process(1);  // owned by the parent
    try {
      rlock.release();
    } catch (const std::logic_error&) {
      Process::exit_process(7);
    }
  });
  intruder.start();
  intruder.join();
  EXPECT_EQ(intruder.exitcode(), 7);
  rlock.release();  // still the parent's, at depth 1
  EXPECT_THROW(rlock.release(), std::logic_error);
  expect_no_children();
}

// --- Semaphore ---

TEST(OsApiSync, SemaphoreLetsAtMostTwoOfFiveIn) {
  struct Room {
    std::atomic<int> inside, most, entered, done;
  };
  auto* room = shared_value<Room>();
  Semaphore sem(2);
  std::vector<Process> guests;
  for (int i = 0; i < 5; ++i)
    guests.emplace_back(
        [&sem, room] {
          std::lock_guard guard(sem);
          int now = room->inside.fetch_add(1) + 1;
          int most = room->most.load();
          while (now > most && !room->most.compare_exchange_weak(most, now)) {
          }
          room->entered.fetch_add(1);
          // Stay until a second guest is in (or nobody is left to come), so the
          // room is full at least once, however the children are scheduled;
          // then a little longer, so a third would be seen if it got in.
          if (!eventually([room] { return room->inside.load() >= 2 || room->entered.load() == 5; }))
            Process::exit_process(9);
          std::this_thread::sleep_for(20ms);
          room->inside.fetch_sub(1);
          room->done.fetch_add(1);
        },
        "guest");
  for (auto& g : guests) g.start();
  join_all(guests);
  EXPECT_EQ(room->most.load(), 2);
  EXPECT_EQ(room->done.load(), 5);
  EXPECT_EQ(sem.get_value(), 2);
  unshare(room);
  expect_no_children();
}

TEST(OsApiSync, SemaphoreTimeoutAndAReleaseFromAnotherProcess) {
  Semaphore sem(0);
  EXPECT_FALSE(sem.acquire(0ns));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(sem.acquire(30ms));
  EXPECT_GE(since(t0), 30ms);  // a timeout never ends early
  Process giver([&sem] {
    std::this_thread::sleep_for(20ms);
    sem.release();
  });
  giver.start();
  EXPECT_TRUE(sem.acquire(20s));
  giver.join();
  EXPECT_EQ(giver.exitcode(), 0);
  EXPECT_EQ(sem.get_value(), 0);
  sem.release();
  sem.release();  // an unbounded semaphore may go above its initial value
  EXPECT_EQ(sem.get_value(), 2);
  EXPECT_THROW(Semaphore(-1), std::invalid_argument);
  expect_no_children();
}

TEST(OsApiSync, SemaphoreWaiterKilledWhileWaitingBlocksNobody) {
  Semaphore sem(0);
  Process doomed([&sem] { sem.acquire(); }, "doomed");
  doomed.start();
  std::this_thread::sleep_for(50ms);  // most likely waiting by now; either way is fine
  doomed.kill();
  doomed.join();
  EXPECT_EQ(doomed.exitcode(), -9);
  for (int round = 0; round < 3; ++round) {
    Process taker([&sem] { Process::exit_process(sem.acquire(20s) ? 0 : 9); }, "taker");
    taker.start();
    std::this_thread::sleep_for(50ms);
    sem.release();  // must reach the live waiter, not the dead one
    taker.join();
    EXPECT_EQ(taker.exitcode(), 0) << "round " << round;
  }
  EXPECT_EQ(sem.get_value(), 0);
  expect_no_children();
}

TEST(OsApiSync, BoundedSemaphoreOverReleaseThrows) {
  BoundedSemaphore sem(2);
  EXPECT_THROW(sem.release(), std::logic_error);
  sem.acquire();
  Process helper([&sem] {
    sem.release();  // back to 2: allowed from any process
    try {
      sem.release();
    } catch (const std::logic_error&) {
      Process::exit_process(7);
    }
  });
  helper.start();
  helper.join();
  EXPECT_EQ(helper.exitcode(), 7);
  EXPECT_EQ(sem.get_value(), 2);
  Semaphore& plain = sem;  // still bounded through the base class
  EXPECT_THROW(plain.release(), std::logic_error);
  expect_no_children();
}

// --- Event ---

TEST(OsApiSync, EventHoldsWaitersUntilItIsSet) {
  Event ev;
  auto* set_done = shared_value<std::atomic<int>>();
  auto* passed = shared_value<std::atomic<int>>();
  std::vector<Process> waiters;
  for (int i = 0; i < 3; ++i)
    waiters.emplace_back(
        [&ev, set_done, passed] {
          ev.wait();
          if (set_done->load() != 1) Process::exit_process(9);  // passed before the set
          passed->fetch_add(1);
        },
        "waiter");
  for (auto& w : waiters) w.start();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(passed->load(), 0);
  EXPECT_FALSE(ev.is_set());
  set_done->store(1);
  ev.set();
  join_all(waiters);
  EXPECT_EQ(passed->load(), 3);
  EXPECT_TRUE(ev.is_set());
  EXPECT_TRUE(ev.wait(0ns));
  ev.clear();
  EXPECT_FALSE(ev.is_set());
  unshare(set_done);
  unshare(passed);
  expect_no_children();
}

TEST(OsApiSync, EventWaitTimesOutWhenNeverSet) {
  Event ev;
  Process child([&ev] {
    auto t0 = std::chrono::steady_clock::now();
    bool set = ev.wait(30ms);
    if (set) Process::exit_process(1);
    Process::exit_process(since(t0) >= 30ms ? 7 : 2);
  });
  child.start();
  child.join();
  EXPECT_EQ(child.exitcode(), 7);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(ev.wait(30ms));
  EXPECT_GE(since(t0), 30ms);
  EXPECT_LT(since(t0), 10s);
  expect_no_children();
}

// --- Barrier ---

TEST(OsApiSync, BarrierReleasesAllThreeTogetherTwice) {
  struct Log {
    std::atomic<int> arrived[2];
    std::atomic<int> index[2][3];
  };
  auto* log = shared_value<Log>();
  Barrier barrier(3);
  EXPECT_EQ(barrier.parties(), 3);
  std::vector<Process> parties;
  for (int i = 0; i < 3; ++i)
    parties.emplace_back(
        [&barrier, log, i] {
          for (int gen = 0; gen < 2; ++gen) {
            log->arrived[gen].fetch_add(1);
            log->index[gen][i].store(barrier.wait());
            if (log->arrived[gen].load() != 3) Process::exit_process(9);  // passed too early
          }
        },
        "party");
  parties[0].start();
  parties[1].start();
  EXPECT_TRUE(eventually([&] { return barrier.n_waiting() == 2; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(barrier.n_waiting(), 2);  // nobody passes while one is missing
  parties[2].start();
  join_all(parties);
  for (int gen = 0; gen < 2; ++gen) {
    std::array<int, 3> got{};
    for (int i = 0; i < 3; ++i) got[i] = log->index[gen][i].load();
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::array<int, 3>{0, 1, 2})) << "generation " << gen;
  }
  EXPECT_EQ(barrier.n_waiting(), 0);
  EXPECT_THROW(Barrier(0), std::invalid_argument);
  unshare(log);
  expect_no_children();
}

// --- Condition ---

TEST(OsApiSync, ConditionHandsValuesOverInOrder) {
  struct Slot {
    bool full;
    int value;
  };
  auto* slot = shared_value<Slot>();
  auto* sum = shared_value<std::atomic<int>>();
  Condition cond;  // its own RLock
  Process producer(
      [&cond, slot] {
        for (int i = 1; i <= 20; ++i) {
          std::lock_guard guard(cond);
          cond.wait_for([slot] { return !slot->full; });
          *slot = {true, i};
          cond.notify();
        }
      },
      "producer");
  Process consumer(
      [&cond, slot, sum] {
        for (int expected = 1; expected <= 20; ++expected) {
          std::lock_guard guard(cond);
          cond.wait_for([slot] { return slot->full; });
          if (slot->value != expected) Process::exit_process(9);
          sum->fetch_add(slot->value);
          slot->full = false;
          cond.notify();
        }
      },
      "consumer");
  consumer.start();
  producer.start();
  producer.join();
  consumer.join();
  EXPECT_EQ(producer.exitcode(), 0);
  EXPECT_EQ(consumer.exitcode(), 0);
  EXPECT_EQ(sum->load(), 210);
  EXPECT_FALSE(slot->full);
  unshare(slot);
  unshare(sum);
  expect_no_children();
}

TEST(OsApiSync, ConditionNotifyWakesOneAndNotifyAllTheRest) {
  auto* count = shared_value<WaitCount>();
  Lock lock;
  Condition cond(lock);
  std::vector<Process> sleepers;
  for (int i = 0; i < 3; ++i)
    sleepers.emplace_back(
        [&cond, count] {
          std::lock_guard guard(cond);
          ++count->waiting;
          cond.wait();
          count->woken.fetch_add(1);
        },
        "sleeper");
  for (auto& s : sleepers) s.start();
  // `waiting` changes under the lock just before wait(): 3 seen under the
  // lock means all three wait on the condition.
  EXPECT_TRUE(eventually([&] {
    std::lock_guard guard(cond);
    return count->waiting == 3;
  }));
  {
    std::lock_guard guard(cond);
    cond.notify();
  }
  EXPECT_TRUE(eventually([&] { return count->woken.load() >= 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(count->woken.load(), 1);
  {
    std::lock_guard guard(cond);
    cond.notify_all();
  }
  join_all(sleepers);
  EXPECT_EQ(count->woken.load(), 3);
  unshare(count);
  expect_no_children();
}

TEST(OsApiSync, ConditionNotifyDoesNotWakeALaterWaiter) {
  auto* count = shared_value<WaitCount>();
  Lock lock;
  Condition cond(lock);
  lock.acquire();
  cond.notify();  // nobody waits: it is lost, as in Python
  EXPECT_FALSE(cond.wait(20ms));
  lock.release();
  Process sleeper([&cond, count] {
    std::lock_guard guard(cond);
    ++count->waiting;
    cond.wait();
    count->woken.fetch_add(1);
  });
  sleeper.start();
  EXPECT_TRUE(eventually([&] {
    std::lock_guard guard(cond);
    return count->waiting == 1;
  }));
  // Stopped, the sleeper cannot take its wake-up before this later waiter
  // looks for one, however the two are scheduled.
  ::kill(sleeper.pid(), SIGSTOP);
  int status = 0;
  EXPECT_EQ(waitpid(sleeper.pid(), &status, WUNTRACED), sleeper.pid());
  EXPECT_TRUE(WIFSTOPPED(status));
  {
    std::lock_guard guard(cond);
    cond.notify();                  // meant for the sleeper
    EXPECT_FALSE(cond.wait(50ms));  // a waiter that came after it cannot take it
  }
  ::kill(sleeper.pid(), SIGCONT);
  sleeper.join(20s);
  if (sleeper.is_alive()) sleeper.kill();  // its wake-up was stolen
  sleeper.join();
  EXPECT_EQ(sleeper.exitcode(), 0);
  EXPECT_EQ(count->woken.load(), 1);
  unshare(count);
  expect_no_children();
}

TEST(OsApiSync, ConditionMisuseAndTimeout) {
  Condition cond;
  EXPECT_THROW(cond.wait(), std::logic_error);
  EXPECT_THROW(cond.wait(10ms), std::logic_error);
  EXPECT_THROW(cond.notify(), std::logic_error);
  EXPECT_THROW(cond.notify_all(), std::logic_error);
  std::lock_guard guard(cond);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(cond.wait(30ms));
  EXPECT_GE(since(t0), 30ms);
  EXPECT_LT(since(t0), 10s);
  EXPECT_FALSE(cond.wait_for([] { return false; }, 20ms));
  cond.notify();  // held again after the timeouts
  Process child([&cond] {
    try {
      cond.notify();  // the parent holds the lock, not this process
    } catch (const std::logic_error&) {
      Process::exit_process(7);
    }
  });
  child.start();
  child.join();
  EXPECT_EQ(child.exitcode(), 7);
  expect_no_children();
}

TEST(OsApiSync, ConditionWaitFreesAnRLockAtAnyDepthAndRestoresIt) {
  RLock rlock;
  Condition cond(rlock);
  auto* flag = shared_value<std::atomic<int>>();
  rlock.acquire();
  rlock.acquire();  // depth 2
  Process setter([&cond, &rlock, flag] {
    if (!rlock.acquire(20s)) Process::exit_process(9);  // free only if wait freed both levels
    flag->store(1);
    cond.notify();
    rlock.release();
  });
  setter.start();
  EXPECT_TRUE(cond.wait_for([flag] { return flag->load() == 1; }, 20s));
  setter.join();
  EXPECT_EQ(setter.exitcode(), 0);
  rlock.release();
  rlock.release();  // depth 2 again after the wait
  EXPECT_THROW(rlock.release(), std::logic_error);
  unshare(flag);
  expect_no_children();
}

}  // namespace
