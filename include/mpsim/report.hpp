#pragma once
/// Human and machine renderings of a run, all built from the RunResult.
#include <string>

#include "mpsim/result.hpp"
#include "mpsim/scenario.hpp"

namespace mpsim {

/// One-line description of the machine: cores, policy, switch cost, options.
std::string describe_machine(const MachineConfig& m);

/// The default text report: summary, per-process table, printed lines,
/// errors, final files and, when it happened, the deadlock.
std::string format_text(const RunResult& r);

/// The whole result as JSON (docs/json-output.md); with `events`, the event log too.
std::string format_json(const RunResult& r, bool events);

/// OSTEP-style table with one row per tick (needs the event log).
std::string format_timeline(const RunResult& r);

/// Nearest-rank percentile (p in 0..100) of `values`; 0 for an empty list.
double percentile(std::vector<double> values, double p);

}  // namespace mpsim
