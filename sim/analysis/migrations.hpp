#pragma once
// The migrations of a run, read back from its event log: each time a process
// is given a core (running or switching to it) other than the one it had
// last. The Gantt chart and the trace mark them; every queue design has them.
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim::detail {

struct Migration {
  Tick tick;
  Pid pid;
  CoreId from, to;
};

/// In log order (ticks ascending); empty without the event log.
std::vector<Migration> migrations(const RunResult& r);

}  // namespace mpsim::detail
