// The structure-aware target: a generated scenario, run whole, twice.
#include <exception>
#include <string>

#include "checks.hpp"
#include "invariants.hpp"
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/races.hpp"
#include "mpsim/analysis/work_span.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/report/report.hpp"
#include "mpsim/scenario/loader.hpp"
#include "scenario_gen.hpp"

namespace mpsim::fuzz {

namespace {

/// Runs longer than this are not replayed tick by tick (the generator's
/// bounds make them rare): the cost, not the check, is what is bounded.
constexpr Tick kMaxStepTicks = 20000;

std::string check_run(const Scenario& s) {
  RunResult skip = simulate(s, RunOptions{.event_skipping = true});
  if (std::string bad = check_event_log(skip); !bad.empty()) return "event log: " + bad;
  if (std::string bad = check_metrics(skip); !bad.empty()) return "metrics: " + bad;
  std::string json = format_json(skip, true);
  if (skip.makespan <= kMaxStepTicks) {
    // Semantics §5: skipping ticks in which nothing changes changes nothing.
    RunResult step = simulate(s, RunOptions{.event_skipping = false});
    if (format_json(step, true) != json) return "event skipping changed the result";
  }
  // What reports and analyses make of the run must not fail either.
  if (analyse_deadlock(skip).explanations.size() != skip.stuck.size())
    return "a stuck process without an explanation";
  (void)find_races(skip);
  (void)work_span(skip);
  (void)format_text(skip);
  (void)format_timeline(skip);
  return "";
}

}  // namespace

std::string check_scenario(std::string_view bytes) {
  std::string json = generate_scenario(bytes);
  try {
    LoadResult loaded = load_scenario_text(json, "fuzz.json");
    if (!loaded.scenario) return "";  // the generator also makes invalid ones, on purpose
    std::string bad = check_run(*loaded.scenario);
    return bad.empty() ? "" : bad + "\nscenario: " + json;
  } catch (const std::exception& e) {
    return std::string("an exception escaped: ") + e.what() + "\nscenario: " + json;
  }
}

}  // namespace mpsim::fuzz
