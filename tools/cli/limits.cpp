// The limits a run may raise on the command line (docs/reliability.md): each
// keeps a scenario from exhausting the machine, and each has a default that
// no lesson comes near.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iostream>

#include "commands.hpp"

namespace mpsim::cli {

namespace {

// Bytes of address space this process has mapped (VmSize), 0 if unknown.
std::uint64_t address_space_in_use() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(f >> pages)) return 0;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

void LimitOptions::add_to(CLI::App& cmd) {
  auto positive = CLI::Range(std::int64_t{1}, INT64_MAX);
  cmd.add_option("--max-ticks", run.max_ticks,
                 "stop the simulation at this tick (marked as stopped)")
      ->capture_default_str()
      ->check(positive);
  cmd.add_option("--max-processes", run.max_processes,
                 "most processes a simulation may create, initial ones included")
      ->capture_default_str()
      ->check(positive);
  cmd.add_option("--max-zero-time-ops", run.max_zero_time_ops,
                 "zero-time operations a process may run at one tick before it is stopped as a "
                 "runaway loop")
      ->capture_default_str()
      ->check(positive);
  cmd.add_option("--max-output-lines", run.max_output_lines, "most lines a run may print")
      ->capture_default_str()
      ->check(positive);
  cmd.add_option("--max-string-bytes", run.max_string_bytes, "longest string a process may build")
      ->capture_default_str()
      ->check(positive);
  cmd.add_option("--max-memory-mb", memory_mb,
                 "address space mpsim may add to what it has at start, in MiB")
      ->capture_default_str()
      ->check(positive);
}

void LimitOptions::apply_memory_limit() const {
  std::uint64_t in_use = address_space_in_use();
  if (in_use == 0) return;
  rlim_t limit = in_use + static_cast<std::uint64_t>(memory_mb) * 1024 * 1024;
  rlimit cur{};
  if (getrlimit(RLIMIT_AS, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < limit)
    limit = cur.rlim_max;
  rlimit mem{limit, cur.rlim_max};
  setrlimit(RLIMIT_AS, &mem);
}

bool LimitOptions::check(const Scenario& s) const {
  std::int64_t initial = 0;
  for (const auto& p : s.processes) initial += p.count;
  if (initial > run.max_processes) {
    std::cerr << "error: " << s.source << ": the scenario starts " << initial
              << " processes, above the limit of " << run.max_processes << " (--max-processes)\n";
    return false;
  }
  return true;
}

bool LimitOptions::admit(const Scenario& s) const {
  if (!check(s)) return false;
  apply_memory_limit();
  return true;
}

}  // namespace mpsim::cli
