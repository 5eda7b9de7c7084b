#pragma once
/// The simulated kernel: runs a scenario on N cores with a discrete-time
/// scheduler, following the tick contract of semantics.md §5.
#include <cstdint>

#include "mpsim/kernel/chooser.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

struct RunOptions {
  /// Jump over ticks in which nothing can change. Results are identical either
  /// way (a property test checks it); only the cost differs.
  bool event_skipping = true;
  /// With event_skipping: under rr, fair and cfs, jump over whole rounds of a
  /// fixed set of computing processes (semantics.md §5, "Round skipping").
  /// Results are identical either way, the event log included (a property
  /// test checks it).
  bool round_skipping = true;
  /// Zero-time operations a process may execute at one boundary before it is
  /// stopped as a runaway loop.
  std::int64_t max_zero_time_ops = 100000;
  /// Keep the event log (needed by timelines and traces; metrics do not need it).
  bool record_events = true;
  /// Asked at every choice point (chooser.hpp); nullptr: the contract's fixed rules.
  Chooser* chooser = nullptr;
};

/// Runs `scenario` to completion (or deadlock) and returns everything measured.
RunResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace mpsim
