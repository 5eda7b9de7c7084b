#pragma once
// mpsim-bench --simgrid: the bursts workload in mpsim and in SimGrid on the same
// parameters, side by side, with throughput ratios from the same run.
#include <cstdint>
#include <ostream>
#include <vector>

#include "workloads.hpp"

namespace mpsim::bench {

struct SimgridSettings {
  std::vector<WorkloadSize> sizes;  ///< M x K; default 1000x100
  std::vector<std::int32_t> cores;  ///< default 1
  int reps = 3;
  std::uint64_t seed = 1;
  int timeout_s = 600;
  bool long_bursts = false;  ///< workload long-bursts (issue 18) under rr q10, instead of bursts
};

/// Runs the comparison and prints it; returns the exit status (0 ok, 1 a run
/// failed or the two sides disagree on the workload, 2 SimGrid is missing).
int compare_with_simgrid(std::ostream& out, const SimgridSettings& s);

}  // namespace mpsim::bench
