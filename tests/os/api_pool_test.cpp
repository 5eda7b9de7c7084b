// The mpsim::os Pool (include/mpsim/os/pool.hpp): seed lesson 6 with real
// forked workers called from C++ -- synchronous and asynchronous submission,
// map, a failing task, callbacks, close/join and terminate, the measured
// metrics, and no worker left behind; then maxtasksperchild, the
// initializer (and its failure), imap and imap_unordered.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mpsim/os/pool.hpp"

namespace {

using namespace std::chrono_literals;
using mpsim::os::Pool;

long square(const int& x) {
  if (x < 0) throw std::domain_error("negative");
  return long{x} * x;
}

// No child of this process is left (every worker was reaped).
bool no_children_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(OsPool, SyncAsyncAndMap) {
  {
    Pool<int, long> pool(2, square);
    std::vector<pid_t> workers = pool.worker_pids();
    ASSERT_EQ(workers.size(), 2u);
    for (pid_t w : workers) EXPECT_NE(w, ::getpid());
    EXPECT_EQ(pool.apply(3), 9);  // synchronous
    long seen = 0;
    auto h = pool.apply_async(4, [&](const long& r) { seen = r; });  // asynchronous
    EXPECT_EQ(pool.get(h), 16);
    EXPECT_EQ(seen, 16);  // the callback ran in this process when the result was collected
    EXPECT_EQ(pool.map({1, 2, 3, 4, 5}), (std::vector<long>{1, 4, 9, 16, 25}));
    auto bad = pool.apply_async(-1);
    EXPECT_THROW(pool.get(bad), std::runtime_error);  // the task failed ...
    EXPECT_EQ(pool.apply(6), 36);                     // ... its worker goes on
    pool.close();
    EXPECT_THROW(pool.apply_async(1), std::logic_error);
    pool.join();
    std::vector<mpsim::os::PoolTaskRecord> rs = pool.records();
    ASSERT_EQ(rs.size(), 9u);
    for (const auto& r : rs) {
      EXPECT_TRUE(std::find(workers.begin(), workers.end(), r.worker) != workers.end()) << r.id;
      EXPECT_LE(r.submitted_ns, r.started_ns);
      EXPECT_LE(r.started_ns, r.finished_ns);
    }
    EXPECT_FALSE(rs[7].ok);  // task 8 is the failing one
    double u = pool.utilisation();
    EXPECT_GE(u, 0.0);
    EXPECT_LE(u, 1.0);
  }
  EXPECT_TRUE(no_children_left());
}

TEST(OsPool, AsyncRunsInParallelWithTheCaller) {
  // Two 300 ms tasks on two workers, submitted asynchronously, run at the
  // same time (the real counterpart of the seed scenario): each starts before
  // the other finishes. No wall-clock bound: the machine may be loaded.
  auto slow = [](const int& ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  };
  {
    Pool<int, int> pool(2, slow);
    auto a = pool.apply_async(300);
    auto b = pool.apply_async(300);
    EXPECT_EQ(pool.get(a) + pool.get(b), 600);
    auto rs = pool.records();
    EXPECT_NE(rs[0].worker, rs[1].worker);
    EXPECT_LT(std::max(rs[0].started_ns, rs[1].started_ns),
              std::min(rs[0].finished_ns, rs[1].finished_ns));
    pool.close();
    pool.join();
  }
  EXPECT_TRUE(no_children_left());
}

TEST(OsPool, TerminateAndDestructorLeaveNothingBehind) {
  auto forever = [](const int&) {
    for (;;) ::pause();
    return 0;
  };
  {
    Pool<int, int> pool(2, forever);
    auto h = pool.apply_async(1);
    EXPECT_FALSE(pool.wait(h, 50ms));  // a timeout, like AsyncResult.wait
    EXPECT_THROW(pool.get(h, 10ms), std::runtime_error);
    pool.terminate();
  }
  { Pool<int, int> pool(3, forever); }  // never joined: the destructor terminates the workers
  EXPECT_TRUE(no_children_left());
}

// Worker state (each worker has its own copy after the fork): how often the
// initializer ran in this process and how many tasks it served.
int g_inits = 0;
int g_served = 0;
void count_init() {
  ++g_inits;
}
// A task's answer: inits * 100 + its rank among this worker's tasks.
int worker_state(const int&) {
  return g_inits * 100 + ++g_served;
}

// Anonymous shared mappings of this process (a Queue's ring shows as
// "/dev/zero (deleted)") plus anything mapped from /dev/shm.
int shared_mappings() {
  std::ifstream maps("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);)
    if (line.find("/dev/zero") != std::string::npos || line.find("/dev/shm") != std::string::npos)
      ++n;
  return n;
}

TEST(OsPool, MaxTasksPerChildReplacesTheWorker) {
  int before = shared_mappings();
  {
    // One worker, 2 tasks each, 5 tasks: pids p1 p1 p2 p2 p3, each worker
    // ran the initializer once and counts its own tasks from 1 again.
    Pool<int, int> pool(1, worker_state, {.initializer = count_init, .maxtasksperchild = 2});
    std::vector<int> got;
    for (int i = 0; i < 5; ++i) got.push_back(pool.apply(i));
    EXPECT_EQ(got, (std::vector<int>{101, 102, 101, 102, 101}));
    pool.close();
    pool.join();
    auto rs = pool.records();
    ASSERT_EQ(rs.size(), 5u);
    EXPECT_EQ(rs[0].worker, rs[1].worker);
    EXPECT_EQ(rs[2].worker, rs[3].worker);
    std::set<pid_t> pids;
    for (const auto& r : rs) pids.insert(r.worker);
    EXPECT_EQ(pids.size(), 3u);
    EXPECT_EQ(pids.count(::getpid()), 0u);
  }
  {
    // Two workers, one task each, map of 4: four different pids.
    Pool<int, int> pool(2, worker_state, {.initializer = count_init, .maxtasksperchild = 1});
    EXPECT_EQ(pool.map({0, 0, 0, 0}), (std::vector<int>{101, 101, 101, 101}));
    pool.close();
    pool.join();
    std::set<pid_t> pids;
    for (const auto& r : pool.records()) pids.insert(r.worker);
    EXPECT_EQ(pids.size(), 4u);
  }
  EXPECT_EQ(g_inits, 0);  // the initializer never ran in the creator
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(shared_mappings(), before);  // both queues unmapped, nothing in /dev/shm
}

TEST(OsPool, InitializerRunsOncePerWorker) {
  {
    // Without maxtasksperchild a worker keeps its state: 6 tasks on 2
    // workers give ranks 1.. per worker, each with one initializer run.
    Pool<int, int> pool(2, worker_state, {.initializer = count_init});
    std::vector<int> got = pool.map({0, 0, 0, 0, 0, 0});
    std::map<pid_t, int> per_worker;
    auto rs = pool.records();
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i] / 100, 1) << i;                      // one initializer run
      EXPECT_EQ(got[i] % 100, ++per_worker[rs[i].worker]);  // ranks in submission order
    }
    pool.close();
    pool.join();
  }
  EXPECT_TRUE(no_children_left());
}

TEST(OsPool, FailingInitializerIsNotReplaced) {
  int before = shared_mappings();
  {
    Pool<int, int> pool(2, worker_state, {.initializer = [] { throw std::runtime_error("no"); }});
    auto h = pool.apply_async(1);
    EXPECT_THROW(pool.get(h), std::runtime_error);  // both workers gone, none forked again
    EXPECT_TRUE(pool.worker_pids().empty());
    EXPECT_THROW(pool.apply(2), std::runtime_error);  // fails at once, no hang
    pool.close();
    pool.join();
  }
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(shared_mappings(), before);
}

TEST(OsPool, ImapOrderVersusImapUnordered) {
  // Three workers, tasks of 150, 10 and 70 ms, taken in that order: imap gives
  // item order, imap_unordered finishing order (10, 70, 150; robust to
  // up to 80 ms of start-up skew on a loaded machine).
  auto sleep_ms = [](const int& ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  };
  {
    Pool<int, int> pool(3, sleep_ms);
    std::vector<int> ordered;
    for (int r : pool.imap({150, 10, 70})) ordered.push_back(r);
    EXPECT_EQ(ordered, (std::vector<int>{150, 10, 70}));
    auto it = pool.imap_unordered({150, 10, 70});
    std::vector<int> unordered;
    while (auto r = it.next(std::chrono::seconds(10))) unordered.push_back(*r);
    EXPECT_EQ(unordered, (std::vector<int>{10, 70, 150}));
    EXPECT_FALSE(it.next().has_value());  // StopIteration
    // next() with a timeout shorter than the task: Python's TimeoutError.
    auto slow = pool.imap({200});
    EXPECT_THROW(slow.next(std::chrono::milliseconds(5)), std::runtime_error);
    EXPECT_EQ(slow.next(), 200);
    pool.close();
    pool.join();
  }
  EXPECT_TRUE(no_children_left());
}

}  // namespace
