#pragma once
/// The simulated kernel: runs a scenario on N cores with a discrete-time
/// scheduler, following the tick contract of semantics.md §5.
#include <csignal>
#include <cstdint>

#include "mpsim/kernel/chooser.hpp"
#include "mpsim/model/expr.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

class ExternalDriver;  // mpsim/kernel/external.hpp

struct RunOptions {
  /// Jump over ticks in which nothing can change. Results are identical either
  /// way (a property test checks it); only the cost differs.
  bool event_skipping = true;
  /// With event_skipping: under rr, fair and cfs, jump over whole rounds of a
  /// fixed set of computing processes (semantics.md §5, "Round skipping").
  /// Results are identical either way, the event log included (a property
  /// test checks it).
  bool round_skipping = true;
  /// With event_skipping: under rr on one core, apply plain slice changes
  /// (quantum ends, the next in line goes on with its compute) in a tight
  /// loop instead of the general tick loop (semantics.md §5, "Slice
  /// batching"). Results are identical either way, the event log included.
  bool slice_batching = true;
  /// Zero-time operations a process may execute at one boundary before it is
  /// stopped as a runaway loop.
  std::int64_t max_zero_time_ops = 100000;
  /// Keep the event log (needed by timelines and traces; metrics do not need it).
  bool record_events = true;
  /// Asked at every choice point (chooser.hpp); nullptr: the contract's fixed rules.
  Chooser* chooser = nullptr;
  /// Limits that keep a scenario from exhausting the machine (docs/reliability.md).
  /// The run stops at this tick (event skipping never jumps past it), marked
  /// as stopped (RunResult::stopped).
  std::int64_t max_ticks = 1000000000;
  /// Processes one run may have in all, initial ones included: a spawn or
  /// create beyond it is a runtime error of the process that asked.
  std::int64_t max_processes = 1000000;
  /// Lines the whole run may print: a print beyond it is a runtime error.
  std::int64_t max_output_lines = 1000000;
  /// Longest string a process may build (a join with + or a template).
  std::int64_t max_string_bytes = kDefaultMaxStringBytes;
  /// Set (to the signal's number) by a signal handler: the run stops at the
  /// next boundary, marked "interrupted by SIG..." (RunResult::stopped).
  const volatile std::sig_atomic_t* interrupt = nullptr;
  /// Supplies the operations of programs marked `external` (mpsim py); not owned.
  ExternalDriver* external = nullptr;
};

/// Runs `scenario` to completion (or deadlock) and returns everything measured.
RunResult simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace mpsim
