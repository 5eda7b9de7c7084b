#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"

namespace mpsim::cli {

void MachineOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--cores", cores, "number of cores (overrides machine.cores)");
  cmd.add_option("--policy", policy, "scheduling policy (overrides machine.scheduler.policy)");
  cmd.add_option("--quantum", quantum, "quantum in ticks for rr and mlfq");
  cmd.add_option("--context-switch", context_switch, "ticks a core spends switching processes");
}

std::optional<Scenario> load_or_report(const std::string& path, const MachineOverrides& o) {
  LoadResult r = load_scenario_file(path);
  if (r.errors.empty()) r.errors = apply_overrides(*r.scenario, o);
  for (const auto& d : r.errors) std::cerr << "error: " << d.format() << "\n";
  if (!r.errors.empty()) return std::nullopt;
  return std::move(r.scenario);
}

bool write_output(const std::string& out, const std::string& text, bool force) {
  if (out.empty() || out == "-") {
    std::cout << text;
    return true;
  }
  if (!force && std::filesystem::exists(out)) {
    std::cerr << "error: " << out << " already exists; pass --force to replace it\n";
    return false;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) {
    std::cerr << "error: cannot write " << out << "\n";
    return false;
  }
  return true;
}

}  // namespace mpsim::cli
