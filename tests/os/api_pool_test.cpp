// The mpsim::os Pool (include/mpsim/os/pool.hpp): seed lesson 6 with real
// forked workers called from C++ -- synchronous and asynchronous submission,
// map, a failing task, callbacks, close/join and terminate, the measured
// metrics, and no worker left behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
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

}  // namespace
