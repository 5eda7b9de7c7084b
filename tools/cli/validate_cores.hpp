#pragma once
// `mpsim validate` on several cores (docs/real-os.md, "mpsim validate"):
// where the processes ran in the simulation against where they ran for
// real (migrations, busy time per core), and the Linux-like machine the
// simulated side takes when the scenario chooses neither scheduler nor queues.
#include <map>
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::cli {

/// Migrations per process from a run's event log: each time it enters
/// Running on another core than the one it last ran on (semantics.md §12's
/// definition). Unlike ProcessResult::migrations it counts under a global
/// queue too. Every process of the result has an entry.
std::map<Pid, std::int64_t> migrations_from_events(const RunResult& r);

/// How far real and simulated may differ (justified in docs/real-os.md).
struct CoreTolerance {
  double busy_pct = 5;          ///< busy per core: as the timing rows,
  Tick busy_ticks = 2;          ///< pct of the simulated value plus ticks
  std::int64_t migrations = 2;  ///< per process and in all: this many either way
};

/// One row of the `cores` section of validate.
struct CoreRow {
  std::string name;
  std::string sim;
  std::string real;
  bool pass = true;
  std::string note;
};

/// The rows comparing `sim` with the real runs (their medians): migrations in
/// all and per process (real: ProcessResult::migrations, seen by the
/// processes themselves; simulated: migrations_from_events), then busy ticks
/// per core. When no process of the scenario has an affinity the cores are
/// interchangeable: each real run's cores are then matched to the simulated
/// ones by rank of busy time (the busiest with the busiest), and the notes say so.
std::vector<CoreRow> compare_cores(const RunResult& sim, const std::vector<const RunResult*>& reals,
                                   const CoreTolerance& tol, bool affinity);

/// What apply_linux_default changed ("" when nothing).
struct LinuxDefault {
  bool policy = false;  ///< the policy became cfs
  bool queues = false;  ///< the queues became per-core, with Linux-like rules
  std::string note;
};

/// On more than one core, the simulated side of validate is Linux-like where
/// the scenario (and the command line) did not choose: no policy chosen ->
/// cfs; cfs with no queues chosen -> per-core queues, placement
/// last, stealing at every tick, balancing every 4 ms (in ticks of
/// the scenario, at least 1) above a difference of 1. On one core: nothing.
LinuxDefault apply_linux_default(Scenario& s, bool policy_chosen, bool queues_chosen);

}  // namespace mpsim::cli
