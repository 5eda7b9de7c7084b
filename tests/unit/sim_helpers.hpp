#pragma once
// Helpers shared by the unit tests: load a scenario from JSON text and run it.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "mpsim/scenario/loader.hpp"
#include "mpsim/kernel/machine.hpp"

namespace mpsim::test {

/// Loads `json`; throws with every diagnostic when it does not load.
inline Scenario load(const std::string& json) {
  LoadResult r = load_scenario_text(json, "test.json");
  if (!r.scenario) {
    std::string all;
    for (const auto& d : r.errors) all += d.format() + "\n";
    throw std::invalid_argument(all);
  }
  return std::move(*r.scenario);
}

/// Loads and simulates `json`.
inline RunResult run(const std::string& json, RunOptions opts = {}) { return simulate(load(json), opts); }

/// The messages `json` produces when loaded ("" when it loads).
inline std::string load_errors(const std::string& json) {
  std::string all;
  for (const auto& d : load_scenario_text(json, "test.json").errors) all += d.format() + "\n";
  return all;
}

inline const ProcessResult& by_name(const RunResult& r, const std::string& name) {
  for (const auto& p : r.processes)
    if (p.name == name) return p;
  throw std::invalid_argument("no process " + name);
}

}  // namespace mpsim::test
