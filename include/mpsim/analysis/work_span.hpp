#pragma once
/// Analyses of a finished run built on its event log with Boost.Graph.
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim {

/// One step of a critical path: `ticks` of `what` ("compute", "io", "sleep",
/// "join timeout") by process `pid`, or a zero-length spawn/join hand-over.
struct PathStep {
  Pid pid;
  std::string what;
  Tick ticks;
};

/// Work and span of a run's happens-before DAG (program order, spawn -> child
/// start, child exit -> join). Work is the total compute; span is the longest
/// chain of compute and inherent waits (io service, sleep, join timeouts) that
/// must happen one after another. On p cores no schedule can finish before
/// max(work / p, span).
struct WorkSpan {
  Tick work = 0;
  Tick span = 0;
  std::vector<PathStep> critical_path;
  /// The lower bound on the makespan with `cores` cores.
  [[nodiscard]] double bound(int cores) const;
};

/// Builds the happens-before DAG from `r.events` (needs record_events) and
/// measures it.
WorkSpan work_span(const RunResult& r);

}  // namespace mpsim
