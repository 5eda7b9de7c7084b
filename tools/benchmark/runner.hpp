#pragma once
// One benchmark case: a workload at one size on one machine, run several
// times in a child process of its own.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads.hpp"

namespace mpsim::bench {

struct Case {
  const Workload* workload = nullptr;
  WorkloadSize size;
  MachineSpec machine;
  bool record_events = true;  ///< RunOptions::record_events (keep the event log)
  bool round_skipping = true;  ///< RunOptions::round_skipping (mpsim run --no-round-skip)
  bool whole_process = false;  ///< also time `mpsim run FILE --format json` as a process
};

struct CaseResult {
  Case spec;
  bool ok = false;
  std::string failure;
  std::vector<double> seconds;  ///< wall time of simulate() per repetition
  double load_seconds = 0;      ///< load_scenario_text alone, median of the runs (at least 3)
  std::int64_t events = 0;      ///< RunResult::scheduling_events (the same every repetition)
  std::int64_t makespan = 0;
  std::int64_t peak_rss_kb =
      0;  ///< child's peak up to the end of the first run (what one run costs)
  std::int64_t peak_all_kb = 0;   ///< child's peak over every run (heap fragmentation adds to it)
  std::int64_t start_rss_kb = 0;  ///< the child before loading anything
  std::vector<double> process_seconds;  ///< whole `mpsim run` processes (Case::whole_process)
  std::vector<double> process_cpu_seconds;  ///< their CPU time (user + system)

  [[nodiscard]] double median_seconds() const;
  [[nodiscard]] double min_seconds() const;
  [[nodiscard]] double events_per_second() const;  ///< at the median time
  [[nodiscard]] double median_process_seconds() const;  ///< 0 without whole-process runs
  [[nodiscard]] double median_process_cpu_seconds() const;
};

struct RunSettings {
  int reps = 5;
  std::uint64_t seed = 1;
  int timeout_s = 600;  ///< 0: no limit
  bool fork = true;     ///< false: run in this process (for profilers)
};

/// Runs `c` `reps` times in a fresh child killed after `timeout_s` seconds.
CaseResult run_case(const Case& c, const RunSettings& how);

/// Median of `v` (0 when empty).
double median_of(std::vector<double> v);

}  // namespace mpsim::bench
