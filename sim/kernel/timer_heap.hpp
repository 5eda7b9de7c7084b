#pragma once
// The machine's pending wake-ups (io and sleep ends, timeouts, arrivals),
// earliest first. A 4-ary min-heap of 16-byte entries: half the levels of a
// binary heap, and a parent's four children share a cache line, so a pop
// moves less and misses less. Every io completion goes through it.
#include <cstdint>
#include <vector>

#include "mpsim/model/types.hpp"

namespace mpsim::detail {

/// A wake-up at `tick`: group 0 = io/sleep/join timeout, group 1 = arrival.
/// Ordered by tick, then group, then pid (semantics.md §5); `gen` tells a
/// stale one (its process was woken early or killed) from a live one.
struct Timer {
  Tick tick;
  std::uint32_t key;  // group << 31 | pid: the order within a tick
  std::uint32_t gen;

  Timer(Tick at, int group, Pid pid, std::uint32_t generation)
      : tick(at),
        key(static_cast<std::uint32_t>(group) << 31 | static_cast<std::uint32_t>(pid)),
        gen(generation) {}
  [[nodiscard]] int group() const { return static_cast<int>(key >> 31); }
  [[nodiscard]] Pid pid() const { return static_cast<Pid>(key & 0x7fffffffu); }
  [[nodiscard]] bool before(const Timer& o) const {
    return tick != o.tick ? tick < o.tick : key < o.key;
  }
};

class TimerHeap {
 public:
  [[nodiscard]] bool empty() const { return h_.empty(); }
  [[nodiscard]] const Timer& top() const { return h_.front(); }

  void push(const Timer& t) {
    std::size_t i = h_.size();
    h_.push_back(t);
    while (i > 0) {
      std::size_t parent = (i - 1) / 4;
      if (!t.before(h_[parent])) break;
      h_[i] = h_[parent];
      i = parent;
    }
    h_[i] = t;
  }

  void pop() {
    Timer last = h_.back();
    h_.pop_back();
    if (h_.empty()) return;
    std::size_t i = 0, n = h_.size();
    for (;;) {
      std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (h_[c].before(h_[best])) best = c;
      if (!h_[best].before(last)) break;
      h_[i] = h_[best];
      i = best;
    }
    h_[i] = last;
  }

 private:
  std::vector<Timer> h_;
};

}  // namespace mpsim::detail
