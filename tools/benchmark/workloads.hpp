#pragma once
// Generated workloads. Each one writes scenario JSON text, so that a benchmark
// goes through the real loader and measures what a user's file would cost.
// To add a workload, add an entry to the table in workloads.cpp: its scenario
// generator, the sizes of the full and quick runs and the machines to run on.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::bench {

/// How big a generated workload is. Each workload documents the fields it reads.
struct WorkloadSize {
  std::int64_t processes = 1;  ///< M
  std::int64_t bursts = 1;     ///< K: compute/io pairs per process
  std::int64_t ticks = 0;      ///< length of one compute, for workloads with a fixed one
};

/// The simulated machine of a case (becomes the scenario's `machine`).
struct MachineSpec {
  std::string policy = "rr";
  std::int64_t quantum = 4;  ///< written only for policies that take a quantum
  std::int32_t cores = 1;
  bool per_core = false;     ///< machine.queues "per_core" (bench --queues per_core)
  bool cache = false;        ///< machine.cache at its defaults (bench --cache); bursts: working sets 30
};

struct Workload {
  std::string name;
  std::string summary;
  /// Scenario JSON for `size` on `machine`; `seed` picks the jitter.
  std::function<std::string(const WorkloadSize&, const MachineSpec&, std::uint64_t seed)> scenario;
  /// How tables show a size, e.g. "1000x100" (M x K).
  std::function<std::string(const WorkloadSize&)> size_label;
  std::vector<WorkloadSize> full_sizes;
  std::vector<WorkloadSize> quick_sizes;
  std::vector<MachineSpec> machines;
  std::string note;  ///< printed under the table, e.g. why K shrinks for large M
};

/// Every workload, in the order reports list them.
const std::vector<Workload>& workloads();
/// The workload called `name`, or nullptr.
const Workload* find_workload(std::string_view name);
/// "rr q4", "fcfs": how tables name a machine's policy.
std::string policy_label(const MachineSpec& m);

}  // namespace mpsim::bench
