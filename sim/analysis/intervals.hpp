#pragma once
// Replays the event log into intervals: what each core and each process was
// doing from when to when. Traces and Gantt charts are drawn from these.
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim::detail {

struct CoreInterval {
  Tick start, end;
  CoreStatus status;  // never Idle: idle time is the gaps
  Pid pid;
};

struct ProcInterval {
  Tick start, end;
  ProcState state;  // Ready, Running, Blocked or Zombie
  BlockReason reason;
  CoreId core;
};

struct Intervals {
  std::vector<std::vector<CoreInterval>> cores;   // by core id
  std::vector<std::vector<ProcInterval>> procs;   // by index in RunResult::processes
};

/// The intervals of `r` (which must have its event log), clipped to [0, makespan).
Intervals replay(const RunResult& r);

}  // namespace mpsim::detail
