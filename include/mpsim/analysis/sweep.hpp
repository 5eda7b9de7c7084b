#pragma once
/// `mpsim sweep`: one scenario (or generated family) run over a grid, a list
/// or a random sample of parameters, repeated over seeds (docs/sweeps.md).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpsim/analysis/compare.hpp"
#include "mpsim/model/diagnostics.hpp"

namespace mpsim {

/// A bad spec (or a run whose scenario does not load): every problem found.
struct SweepError : std::runtime_error {
  explicit SweepError(std::vector<Diagnostic> d);
  std::vector<Diagnostic> diagnostics;
};

struct SweepParam {
  std::string
      name;  ///< "cores", "policy", "quantum", "context_switch", "/json/pointer" or "gen.NAME"
  std::string value;  ///< the value as compact JSON: 4, "rr"
};

struct SweepRun {
  std::size_t index = 0;  ///< position in grid order: the row number
  std::vector<SweepParam> params;
  std::optional<std::int64_t> seed;  ///< sets the scenario's "seed"; none = as written
};

class SweepPlan {
 public:
  /// Reads and checks the spec in `path` (and the scenario it names).
  static SweepPlan load(const std::string& path);
  /// The same from spec text; `dir` is where relative scenario paths start.
  static SweepPlan parse(const std::string& text, const std::string& source,
                         const std::string& dir);

  [[nodiscard]] const std::vector<std::string>& param_names() const;
  [[nodiscard]] const std::vector<SweepRun>& runs() const;
  [[nodiscard]] bool has_seeds() const;
  /// 16 hex digits of FNV-1a over the spec's and the scenario's bytes.
  [[nodiscard]] const std::string& hash() const;
  /// The run's scenario with its parameters applied; `one_core` replaces the
  /// core count by 1 (the speedup baseline). Throws SweepError.
  [[nodiscard]] Scenario scenario(const SweepRun& run, bool one_core = false) const;
  /// The two steps of scenario(): the scenario file (or family) with the
  /// run's JSON-pointer, gen and seed values, loaded; then the run's machine
  /// settings (cores, policy, quantum, context_switch) applied to it.
  [[nodiscard]] Scenario base_scenario(const SweepRun& run) const;
  [[nodiscard]] Scenario configure(Scenario base, const SweepRun& run, bool one_core = false) const;
  /// The machine configuration of a run, as compare names it.
  [[nodiscard]] CompareConfig config(const Scenario& s) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

/// Runs `todo` (indices into plan.runs()) on up to `threads` threads and calls
/// `done(run, row)` as each finishes, from the worker thread, in any order
/// (the callback must be thread-safe). The speedup baseline of a multi-core
/// run is the 1-core run of the same parameters and seed, simulated once per
/// call. Stops early, without starting new runs, once `stop()` is true.
/// Throws SweepError for a run whose scenario does not load.
void run_sweep(const SweepPlan& plan, const std::vector<std::size_t>& todo, int threads,
               const std::function<void(const SweepRun&, const CompareRow&)>& done,
               const std::function<bool()>& stop = {}, const RunOptions& options = {});

}  // namespace mpsim
