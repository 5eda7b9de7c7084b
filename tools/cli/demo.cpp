// mpsim demo [FILE]: the main job of tools/mpsim without arguments. Runs one
// scenario on 1 core and on 2 cores and says, with numbers, what differs:
// concurrency (interleaving on one core) versus parallelism (several cores).
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/report/report.hpp"

namespace mpsim::cli {

namespace {

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string explain(const RunResult& one, const RunResult& many, std::int32_t cores) {
  std::ostringstream out;
  double speedup = many.makespan ? static_cast<double>(one.makespan) / static_cast<double>(many.makespan) : 0;
  out << "On 1 core up to " << one.max_concurrency << " processes were in progress at once (concurrency), "
      << "but never more than " << one.max_parallelism << " ran at once.\n";
  out << "On " << cores << " cores up to " << many.max_parallelism << " ran at once (parallelism): "
      << "makespan " << one.makespan << " -> " << many.makespan << " ticks, speedup " << fixed2(speedup)
      << " of a possible " << cores << ".\n";
  return out.str();
}

}  // namespace

Command add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "run a scenario on 1 core and on N cores, side by side");
  auto file = std::make_shared<std::string>("scenarios/seed/concurrency_vs_parallelism.json");
  auto cores = std::make_shared<std::int32_t>(2);
  cmd->add_option("FILE", *file, "scenario file")->capture_default_str();
  cmd->add_option("--cores", *cores, "cores of the parallel run")->capture_default_str()->check(CLI::Range(2, 1024));
  auto limits = std::make_shared<LimitOptions>();
  limits->add_to(*cmd);
  return [file, cores, limits] {
    MachineOverrides one_core;
    one_core.cores = 1;
    auto s1 = load_or_report(*file, one_core);
    MachineOverrides n_cores;
    n_cores.cores = *cores;
    auto sn = load_or_report(*file, n_cores);
    if (!s1 || !sn || !limits->admit(*s1)) return kExitBadInput;
    RunResult r1 = simulate(*s1, limits->run);
    RunResult rn = simulate(*sn, limits->run);
    std::cout << "mpsim demo: " << *file << "\n";
    if (!s1->description.empty()) std::cout << s1->description << "\n";
    std::cout << "\n=== 1 core ===\n" << format_text(r1) << "\n\n=== " << *cores << " cores ===\n"
              << format_text(rn) << "\n\n" << explain(r1, rn, *cores);
    return kExitOk;
  };
}

}  // namespace mpsim::cli
