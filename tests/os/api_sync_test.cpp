// The mpsim::os synchronisation objects (include/mpsim/os_sync.hpp) between
// real processes. Children report through exit codes and shared memory; the
// checks are on outcomes, and a time bound is only ever a generous ceiling or
// the floor a timeout guarantees, so a busy machine cannot fail them.
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

#include "mpsim/os_process.hpp"

namespace {

using namespace std::chrono_literals;
using mpsim::os::Barrier;
using mpsim::os::BoundedSemaphore;
using mpsim::os::Event;
using mpsim::os::Process;
using mpsim::os::RLock;
using mpsim::os::Semaphore;

/// Memory shared with the children (fork copies everything else).
template <class T>
T* shared_value() {
  void* m = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return new (m) T{};
}

template <class T>
void unshare(T* p) {
  munmap(p, sizeof(T));
}

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

}  // namespace
