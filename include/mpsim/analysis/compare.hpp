#pragma once
/// Running one scenario under several machine configurations and comparing:
/// concurrency vs parallelism in numbers.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/analysis/work_span.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

struct CompareConfig {
  // A constructor rather than an aggregate, so that a configuration written
  // as {cores, policy, quantum} needs no value for the later members.
  CompareConfig(std::int32_t c = 1, std::string p = "", std::optional<Tick> q = std::nullopt, std::string d = "")
      : cores(c), policy(std::move(p)), quantum(q), queues(std::move(d)) {}
  std::int32_t cores = 1;
  std::string policy;              ///< "" = the scenario's
  std::optional<Tick> quantum;     ///< for rr/mlfq
  std::string queues;              ///< "global", "per_core"; "" = the scenario's
};

/// Every combination, policies outermost and cores innermost (the row order
/// of `mpsim compare`); empty `policies` or `quanta` mean the scenario's own.
std::vector<CompareConfig> config_grid(const std::vector<std::int32_t>& cores,
                                       const std::vector<std::string>& policies,
                                       const std::vector<Tick>& quanta,
                                       const std::vector<std::string>& queues = {});

struct CompareRow {
  CompareConfig config;
  std::string policy_description;
  RunResult result;
  WorkSpan work_span;
  Tick baseline_makespan = 0;  ///< the 1-core run of the same policy and quantum
  [[nodiscard]] double speedup() const;
  [[nodiscard]] double efficiency() const { return speedup() / config.cores; }
  [[nodiscard]] double utilisation() const;  ///< busy ticks over cores x makespan
  [[nodiscard]] double bound() const { return work_span.bound(config.cores); }
};

/// Runs every configuration (and the 1-core baselines they need), on up to
/// `threads` threads; rows come back in the order of `configs` whatever the
/// thread count. `progress(done, total)` is called after each run.
/// Throws std::invalid_argument for a configuration the scenario cannot take.
/// Every run gets `options` (the limits a command was given).
std::vector<CompareRow> run_compare(const Scenario& s, const std::vector<CompareConfig>& configs, int threads,
                                    const std::function<void(std::size_t, std::size_t)>& progress = {},
                                    const RunOptions& options = {});

/// One row from a finished run and the makespan of its 1-core baseline (what
/// run_compare does for each configuration; `mpsim sweep` does it per run).
CompareRow make_compare_row(const CompareConfig& config, RunResult result, Tick baseline_makespan);

/// Table, bound and plain-words explanation.
std::string format_compare_text(const std::vector<CompareRow>& rows);
std::string format_compare_csv(const std::vector<CompareRow>& rows);
std::string format_compare_json(const std::vector<CompareRow>& rows);
/// The CSV header cells of format_compare_csv, and one row's cells.
std::vector<std::string> compare_csv_columns();
std::vector<std::string> compare_csv_cells(const CompareRow& row);
/// One row as format_compare_json writes it, on one line.
std::string compare_json_line(const CompareRow& row);

}  // namespace mpsim
