// EventLog stores events in 16 bytes with ticks relative to a chunk base;
// what comes out must be exactly what went in, whatever the ticks.
#include <gtest/gtest.h>

#include <vector>

#include "mpsim/scenario/loader.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim {
namespace {

Event make(Tick t, std::int64_t i) {
  return Event{t, static_cast<Pid>(1000000 + i), static_cast<std::int16_t>(i % 1024 - 1),
               static_cast<EventKind>(i % 11), static_cast<std::uint8_t>(i % 16),
               static_cast<std::int32_t>(-i * 7)};
}

void expect_same(const Event& a, const Event& b) {
  EXPECT_EQ(a.tick, b.tick);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.core, b.core);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.a, b.a);
  EXPECT_EQ(a.b, b.b);
}

TEST(EventLog, KeepsEveryFieldOverManyChunksAndHugeTicks) {
  std::vector<Event> want;
  EventLog log;
  Tick t = 0;
  for (std::int64_t i = 0; i < 100000; ++i) {
    // Mostly small steps, with jumps of 2^32 - 1, 2^32 and 10^12 (kMaxTicks)
    // and, near the end, ticks far beyond any one duration.
    if (i % 997 == 0) t += kMaxTicks;
    else if (i % 991 == 0) t += (Tick{1} << 32);
    else if (i % 983 == 0) t += (Tick{1} << 32) - 1;
    else t += i % 3;
    if (i == 90000) t = Tick{1} << 61;
    want.push_back(make(t, i));
    log.push_back(want.back());
  }
  ASSERT_EQ(log.size(), want.size());
  std::size_t i = 0;
  for (const Event& e : log) expect_same(e, want[i++]);
  EXPECT_EQ(i, want.size());
  for (std::size_t j : {0UL, 1UL, 16383UL, 16384UL, 50000UL, 89999UL, 90000UL, 99999UL})
    expect_same(log[j], want[j]);
  expect_same(log.back(), want.back());
  expect_same(log.front(), want.front());
}

TEST(EventLog, EmptyAndCopies) {
  EventLog log;
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(log.begin(), log.end());
  log.push_back(make(5, 1));
  EventLog copy = log;
  log.clear();
  EXPECT_TRUE(log.empty());
  ASSERT_EQ(copy.size(), 1U);
  expect_same(copy[0], make(5, 1));
}

}  // namespace
}  // namespace mpsim
