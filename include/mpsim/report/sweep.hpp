#pragma once
/// The outputs of `mpsim sweep` (docs/sweeps.md): one row per run as CSV and
/// JSON Lines, and a summary with 95 % confidence intervals over seeds.
#include <string>
#include <vector>

#include "mpsim/analysis/sweep.hpp"

namespace mpsim {

/// "run,<parameters>,seed,<every column of mpsim compare --format csv>".
std::string sweep_csv_header(const SweepPlan& plan);
/// One run's CSV row (no line break); string parameters unquoted.
std::string sweep_csv_row(const SweepPlan& plan, const SweepRun& run, const CompareRow& row);
/// {"run": i, "params": {...}, "seed": s or null, "metrics": {compare's JSON row}} on one line.
std::string sweep_json_line(const SweepRun& run, const CompareRow& row);

/// Runs grouped by parameters (first appearance order; seeds pooled): per
/// group the run count, and for every numeric metric its mean and 95 %
/// half-width (mpsim::mean_ci). `json_lines` are sweep_json_line outputs in
/// run order.
std::string sweep_summary_csv(const std::vector<std::string>& json_lines);
/// The same for a person: makespan, speedup, mean turnaround and response, as mean ± half-width.
std::string sweep_summary_text(const std::vector<std::string>& json_lines);

}  // namespace mpsim
