#pragma once
/// Reading scenario files: JSON -> validated, compiled Scenario, or every
/// problem found, each with file, JSON path and what was expected.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/model/diagnostics.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

/// Limits the loader enforces (and scenarios/schema.json repeats).
inline constexpr std::int32_t kMaxCores = 1024;
/// Replicas of one `processes` entry, and initial processes in all.
inline constexpr std::int32_t kMaxProcesses = 1000000;
/// Largest duration written as a constant (compute, io, sleep, arrival, join
/// timeout, quantum...): 10^12 ticks, about 31 years of 1 ms ticks. It keeps
/// sums of durations far from int64 overflow.
inline constexpr std::int64_t kMaxTicks = 1000000000000;
/// Most MLFQ levels: each is a queue the policy scans on every pick.
inline constexpr std::int64_t kMaxLevels = 64;

struct LoadResult {
  std::optional<Scenario> scenario;  ///< set only when there are no diagnostics
  std::vector<Diagnostic> errors;
};

/// Loads and checks the scenario in `path`.
LoadResult load_scenario_file(const std::string& path);
/// Loads and checks scenario JSON `text`; `source` names it in messages.
LoadResult load_scenario_text(const std::string& text, const std::string& source);

/// One `expect` expression given outside a file (`mpsim explore --expect`);
/// problems go to `errors`, named by `where`.
std::optional<Expectation> parse_expect(const std::string& src, const std::string& where,
                                        std::vector<Diagnostic>& errors);

/// Names reserved for built-in variables (cannot be assigned).
const std::vector<std::string>& builtin_variables();
/// Functions expressions may call.
const std::vector<std::string>& builtin_functions();

}  // namespace mpsim

namespace mpsim {

/// Command-line values that replace the scenario's `machine` settings.
struct MachineOverrides {
  std::optional<std::int32_t> cores;
  std::optional<std::string> policy;
  std::optional<std::int64_t> quantum;
  std::optional<std::int64_t> context_switch;
  std::optional<std::string> queues;  ///< "global" or "per_core"
};

/// Applies `o` to `s` and re-checks what they affect (e.g. affinity against a
/// smaller core count). Errors name the option, as "--cores".
std::vector<Diagnostic> apply_overrides(Scenario& s, const MachineOverrides& o);

/// True for mlfq with `"variant": "ostep"`. That variant keeps every process,
/// the running ones too, in its level lists as mlfq.py does for its one CPU;
/// per-core instances that hand processes to each other cannot share those
/// lists, so the two are refused together (semantics.md §12).
bool mlfq_ostep(const SchedulerConfig& sc);
inline constexpr const char* kOstepPerCore =
    "mlfq's ostep variant models mlfq.py's single set of queues and cannot run with per-core "
    "queues; use \"queues\": \"global\" or the default mlfq variant";
/// machine.multi_ostep reproduces multi.py, whose only policy is round robin.
inline const std::string kMultiOstepRr =
    "multi_ostep reproduces OSTEP's multi.py, which schedules round robin: it needs policy rr";

}  // namespace mpsim
