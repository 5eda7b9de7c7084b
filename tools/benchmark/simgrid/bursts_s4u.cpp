// The `bursts` workload of mpsim-bench in SimGrid (S4U), for a side-by-side
// comparison: M actors on one host of C cores (1 flop/s each, so a flop is a
// tick), each doing K times { execute(cpu_i); sleep_for(wait_i) } with the
// lengths mpsim's scenario gives process i (tools/benchmark/jitter.hpp).
// SimGrid shares the host's cores among running executions as processor
// sharing: n of them progress at min(1, C/n) flop/s each.
//
//   mpsim-bursts-s4u M K C SEED [CPU_LO CPU_HI WAIT_LO WAIT_HI]
// prints one JSON line: actions (executions + sleeps), wall seconds of
// Engine::run alone, the simulated makespan and peak RSS.
// Built only when SimGrid is installed (Debian: libsimgrid-dev).
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "../jitter.hpp"

namespace sg4 = simgrid::s4u;

namespace {

long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);  // consumes --cfg=... and --log=... arguments
  if (argc != 5 && argc != 9) {
    std::fprintf(stderr, "usage: %s M K CORES SEED [CPU_LO CPU_HI WAIT_LO WAIT_HI] [--cfg=...]\n",
                 argv[0]);
    return 2;
  }
  mpsim::bench::BurstRanges ranges;
  if (argc == 9)
    ranges = {std::atol(argv[5]), std::atol(argv[6]), std::atol(argv[7]), std::atol(argv[8])};
  long m = std::atol(argv[1]), k = std::atol(argv[2]);
  int cores = std::atoi(argv[3]);
  auto seed = static_cast<std::uint64_t>(std::strtoull(argv[4], nullptr, 10));
  if (m < 1 || k < 0 || cores < 1) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }

  auto* zone = sg4::create_full_zone("zone");
  sg4::Host* host = zone->create_host("host", 1.0)->set_core_count(cores)->seal();
  zone->seal();

  mpsim::bench::BurstJitter j = mpsim::bench::burst_jitter(seed, ranges);
  for (long i = 0; i < m; ++i) {
    double cpu = static_cast<double>(j.cpu.at(i));
    double wait = static_cast<double>(j.wait.at(i));
    sg4::Actor::create("w" + std::to_string(i), host, [cpu, wait, k] {
      for (long it = 0; it < k; ++it) {
        sg4::this_actor::execute(cpu);
        sg4::this_actor::sleep_for(wait);
      }
    });
  }

  auto start = std::chrono::steady_clock::now();
  engine.run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"actors\": %ld, \"iterations\": %ld, \"cores\": %d, \"actions\": %ld, \"wall_s\": %.6f, "
      "\"makespan\": %.6f, \"peak_kb\": %ld}\n",
      m, k, cores, 2 * m * k, wall, sg4::Engine::get_clock(), peak_rss_kb());
  return 0;
}
