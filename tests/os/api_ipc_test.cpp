// Value, Array and Pipe of the mpsim::os API (include/mpsim/os/ipc.hpp)
// between real processes. Checks are on outcomes; time bounds are generous
// ceilings, so a busy machine cannot fail them.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "mpsim/os/ipc.hpp"
#include "mpsim/os/process.hpp"

namespace {

using namespace std::chrono_literals;
using mpsim::os::Array;
using mpsim::os::EOFError;
using mpsim::os::Pipe;
using mpsim::os::Process;
using mpsim::os::Value;

TEST(OsValue, IncrementsUnderItsLockAreNeverLost) {
  Value<long> counter(0);
  std::vector<Process> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::lock_guard g(counter.get_lock());
        counter.store(counter.load() + 1);
      }
    });
  for (auto& p : workers) p.start();
  for (auto& p : workers) p.join();
  for (auto& p : workers) EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(counter.load(), 8000);
}

TEST(OsArray, WorkersFillTheirElementsAndIndicesAreChecked) {
  Array<int> squares(4, false);
  std::vector<Process> workers;
  for (int i = 0; i < 4; ++i)
    workers.push_back(Process::with_args(
        "w", [&](int k) { squares.set(k, k * k); }, i));
  for (auto& p : workers) p.start();
  for (auto& p : workers) p.join();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(squares.get(i), static_cast<int>(i * i));
  EXPECT_THROW((void)squares.get(4), std::out_of_range);
  EXPECT_THROW(squares.get_lock(), std::logic_error);
  Array<double> init{1.5, 2.5};
  EXPECT_EQ(init.size(), 2u);
  EXPECT_EQ(init.get(1), 2.5);
}

TEST(OsPipe, PingPongThenEndOfFileOnceEveryCopyIsClosed) {
  auto [parent_end, child_end] = Pipe();
  Process child([&] {
    parent_end.close();  // the child's copy of the parent's end
    try {
      for (;;) child_end.send("pong " + child_end.recv());
    } catch (const EOFError&) {
      Process::exit_process(7);  // the expected way out
    }
  });
  child.start();
  child_end.close();  // the parent's copy of the child's end
  for (int i = 0; i < 3; ++i) {
    parent_end.send("ping " + std::to_string(i));
    EXPECT_EQ(parent_end.recv(), "pong ping " + std::to_string(i));
  }
  parent_end.close();
  child.join(20s);
  EXPECT_EQ(child.exitcode(), 7);
  EXPECT_THROW(parent_end.send("x"), std::logic_error);
  parent_end.close();  // twice: nothing happens
}

TEST(OsPipe, OneWayEndsPollAndRefuseTheWrongDirection) {
  auto [r, w] = Pipe(false);
  EXPECT_FALSE(r.poll());
  EXPECT_THROW(r.send("x"), std::logic_error);
  EXPECT_THROW(w.recv(), std::logic_error);
  w.send("");
  w.send("hello");
  EXPECT_TRUE(r.poll(1s));
  EXPECT_EQ(r.recv(), "");
  EXPECT_EQ(r.recv(), "hello");
  w.close();
  EXPECT_TRUE(r.poll());  // end of file counts as ready, as in Python
  EXPECT_THROW(r.recv(), EOFError);
}

TEST(OsPipe, SendingToAClosedPeerIsABrokenPipe) {
  auto [a, b] = Pipe();
  b.close();
  try {
    a.send("x");
    FAIL() << "send to a closed peer succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EPIPE);
  }
}

}  // namespace
