#pragma once
// The kernel's invariants, checked on a finished run (the structure-aware
// fuzz target): one process per core, legal states and transitions, CPU time
// conserved. Each check returns "" or what it found broken.
#include <string>

#include "mpsim/model/result.hpp"

namespace mpsim::fuzz {

/// Replays the event log tick by tick: event ticks never go back; every core
/// is idle or serves one process whose state agrees with the core's status;
/// the running processes are exactly those on running cores; each process
/// moves only along the lifecycle of semantics.md §4.
std::string check_event_log(const RunResult& r);

/// The metrics: per-process time adds up (ready + running + blocked =
/// turnaround), the cores' busy time equals the processes' cpu time, switch
/// overhead matches, every started process ends reaped unless the run
/// deadlocked, and `deadlock` agrees with the stuck list.
std::string check_metrics(const RunResult& r);

}  // namespace mpsim::fuzz
