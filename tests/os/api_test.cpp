// The mpsim::os Process and Lock API (include/mpsim/os/process.hpp): the
// seed's lessons with real processes, called directly from C++.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "mpsim/os/process.hpp"
#include "shared_value.hpp"

namespace {

using namespace std::chrono_literals;
using mpsim::os::Lock;
using mpsim::os::Process;

using mpsim::test::shared_value;
using mpsim::test::unshare;

class Worker : public Process {
 public:
  explicit Worker(int code) : Process("worker"), code_(code) {}

 protected:
  void run() override { exit_process(code_); }

 private:
  int code_;
};

TEST(OsApi, TwoWaysToStartAndIsolation) {
  int n = 100;
  auto* seen = shared_value<std::atomic<int>>();
  Process p = Process::with_args("adder", [&n, seen](int k) {
    n += k;  // the child's copy
    seen->store(n);
  }, 5);
  EXPECT_EQ(p.pid(), 0);
  p.start();
  EXPECT_GT(p.pid(), 0);
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(seen->load(), 105);
  EXPECT_EQ(n, 100);  // isolation: the parent's n is untouched
  EXPECT_EQ(p.name(), "adder");

  Worker w(3);
  w.start();
  w.join();
  EXPECT_EQ(w.exitcode(), 3);
  EXPECT_FALSE(w.is_alive());
  EXPECT_THROW(w.start(), std::logic_error);
  unshare(seen);
}

TEST(OsApi, JoinTimeoutTerminateKillAndDaemon) {
  Process sleeper([] { std::this_thread::sleep_for(5s); }, "sleeper");
  sleeper.start();
  auto t0 = std::chrono::steady_clock::now();
  sleeper.join(50ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(sleeper.is_alive());
  EXPECT_EQ(sleeper.exitcode(), std::nullopt);
  sleeper.terminate();
  sleeper.join();
  EXPECT_EQ(sleeper.exitcode(), -15);

  Process victim([] { std::this_thread::sleep_for(5s); });
  victim.start();
  victim.kill();
  victim.join();
  EXPECT_EQ(victim.exitcode(), -9);

  pid_t daemon_pid = 0;
  {
    Process d([] { std::this_thread::sleep_for(5s); }, "daemon");
    d.set_daemon(true);
    d.start();
    EXPECT_THROW(d.set_daemon(false), std::logic_error);  // Python: only before start
    daemon_pid = d.pid();
  }  // the destructor terminates a daemon and reaps it
  EXPECT_EQ(waitpid(daemon_pid, nullptr, WNOHANG), -1);  // already reaped: no such child
}

TEST(OsApi, TicketWithALockSellsOneTicket) {
  struct Office {
    int tickets = 1;
    int sold = 0;
  };
  auto* office = shared_value<Office>();
  Lock lock;
  std::vector<Process> buyers;
  for (int i = 0; i < 10; ++i)
    buyers.emplace_back([&lock, office] {
      std::lock_guard guard(lock);
      int left = office->tickets;  // search, then buy: the window of the race
      std::this_thread::sleep_for(200us);
      if (left > 0) {
        office->tickets = left - 1;
        ++office->sold;
      }
    });
  for (auto& b : buyers) b.start();
  for (auto& b : buyers) b.join();
  for (auto& b : buyers) EXPECT_EQ(b.exitcode(), 0);
  EXPECT_EQ(office->sold, 1);
  EXPECT_EQ(office->tickets, 0);
  unshare(office);
}

TEST(OsApi, LockTimeoutAndReleaseByANonHolder) {
  Lock lock;
  EXPECT_THROW(lock.release(), std::logic_error);
  lock.acquire();
  Process other([&lock] {
    bool got = lock.acquire(20ms);      // held by the parent: gives up
    Process::exit_process(got ? 1 : 7);
  });
  other.start();
  other.join();
  EXPECT_EQ(other.exitcode(), 7);
  lock.release();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

}  // namespace

namespace {

TEST(OsApi, QueueCarriesMessagesInOrderBetweenProcesses) {
  mpsim::os::Queue<int> q(2);
  EXPECT_EQ(q.get(0ns), std::nullopt);  // empty: a try gives up
  Process producer([&q] {
    for (int i = 1; i <= 6; ++i) q.put(i);  // blocks while 2 are queued
    q.put(-1);
  }, "producer");
  auto* sum = shared_value<std::atomic<int>>();
  Process consumer([&q, sum] {
    int expected = 1;
    for (int v = q.get(); v != -1; v = q.get()) {
      if (v != expected++) Process::exit_process(9);  // FIFO order
      sum->fetch_add(v);
    }
  }, "consumer");
  producer.start();
  consumer.start();
  producer.join();
  consumer.join();
  EXPECT_EQ(producer.exitcode(), 0);
  EXPECT_EQ(consumer.exitcode(), 0);
  EXPECT_EQ(sum->load(), 21);
  EXPECT_EQ(q.qsize(), 0u);
  EXPECT_TRUE(q.put(7, 0ns));
  EXPECT_TRUE(q.put(8, 0ns));
  EXPECT_FALSE(q.put(9, 10ms));  // full: like queue.Full
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_EQ(q.get(), 7);
  unshare(sum);
}

}  // namespace
