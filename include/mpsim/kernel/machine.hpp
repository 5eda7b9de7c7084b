#pragma once
/// The simulated kernel: runs a scenario on N cores with a discrete-time
/// scheduler, following the tick contract of semantics.md §5.
#include <cstdint>

#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

class ExternalDriver;  // mpsim/kernel/external.hpp

struct RunOptions {
  /// Jump over ticks in which nothing can change. Results are identical either
  /// way (a property test checks it); only the cost differs.
  bool event_skipping = true;
  /// Zero-time operations a process may execute at one boundary before it is
  /// stopped as a runaway loop.
  std::int64_t max_zero_time_ops = 100000;
  /// Keep the event log (needed by timelines and traces; metrics do not need it).
  bool record_events = true;
  /// Supplies the operations of programs marked `external` (mpsim py); not owned.
  ExternalDriver* external = nullptr;
};

/// Runs `scenario` to completion (or deadlock) and returns everything measured.
RunResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace mpsim
