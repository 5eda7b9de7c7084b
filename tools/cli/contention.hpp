#pragma once
// Which simulated facts a real run on several CPUs may legitimately order
// differently: validate's timing rows need to know (tools/cli/validate.cpp).
#include <optional>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim::cli {

/// Processes that reached the same lock or semaphore wait (or acquired one)
/// at the same tick.
struct SameTickContention {
  Tick tick = 0;
  std::vector<Pid> pids;
};

/// The first tick at which two or more processes of a run on several cores
/// contended for locks or semaphores at once. The simulator serves them in
/// core order (semantics.md §5); on real CPUs the one whose atomic operation
/// lands first wins, so which of them gets the lock, and so who finishes
/// when, is a race that the model cannot predict. nullopt on one core or
/// without such a tick.
std::optional<SameTickContention> same_tick_contention(const RunResult& sim);

}  // namespace mpsim::cli
