// mpsim::Ring against std::deque: the same operations give the same order,
// across growth, wrap-around and erasure from either half.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "mpsim/kernel/ring.hpp"

namespace mpsim {
namespace {

std::vector<int> contents(const Ring<int>& r) {
  return {r.begin(), r.end()};
}

TEST(Ring, PushPopAndEraseKeepDequeOrder) {
  Ring<int> r;
  std::deque<int> d;
  // A fixed pseudo-random mix of every operation, past several growths.
  unsigned x = 12345;
  for (int step = 0; step < 5000; ++step) {
    x = x * 1103515245 + 12345;
    unsigned op = (x >> 16) % 6;
    if (op <= 1 || d.empty()) {
      r.push_back(step);
      d.push_back(step);
    } else if (op == 2) {
      r.push_front(step);
      d.push_front(step);
    } else if (op == 3) {
      EXPECT_EQ(r.front(), d.front());
      r.pop_front();
      d.pop_front();
    } else if (op == 4) {
      EXPECT_EQ(r.back(), d.back());
      r.pop_back();
      d.pop_back();
    } else {
      auto i = static_cast<std::ptrdiff_t>((x >> 8) % d.size());
      auto next = r.erase(r.begin() + i);
      d.erase(d.begin() + i);
      EXPECT_EQ(next - r.begin(), i);
    }
    ASSERT_EQ(r.size(), d.size());
  }
  EXPECT_EQ(contents(r), std::vector<int>(d.begin(), d.end()));
}

TEST(Ring, RotationWrapsWithoutGrowing) {
  Ring<int> r;
  for (int i = 0; i < 5; ++i) r.push_back(i);
  for (int turn = 0; turn < 23; ++turn) {  // 23 rotations of five: starts at 23 % 5 = 3
    int head = r.front();
    r.pop_front();
    r.push_back(head);
  }
  EXPECT_EQ(contents(r), (std::vector<int>{3, 4, 0, 1, 2}));
  EXPECT_EQ(r[1], 4);
  EXPECT_EQ(*std::find(r.begin(), r.end(), 1), 1);
  r.clear();
  EXPECT_TRUE(r.empty());
}

// front_to_back(v) is pop_front() then push_back(v), also when the ring is
// full (16 of its first capacity of 16: v takes the front's slot) and when
// it is not.
TEST(Ring, FrontToBackIsAPopThenAPush) {
  for (int n : {16, 17, 3}) {
    Ring<int> r;
    std::deque<int> d;
    for (int i = 0; i < n; ++i) {
      r.push_back(i);
      d.push_back(i);
    }
    for (int turn = 0; turn < 40; ++turn) {
      int v = 100 + turn;
      r.front_to_back(v);
      d.pop_front();
      d.push_back(v);
      ASSERT_EQ(contents(r), std::vector<int>(d.begin(), d.end())) << n << " " << turn;
    }
    r.push_back(7);  // still a ring that grows correctly afterwards
    d.push_back(7);
    EXPECT_EQ(contents(r), std::vector<int>(d.begin(), d.end())) << n;
  }
}

}  // namespace
}  // namespace mpsim
