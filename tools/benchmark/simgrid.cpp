// Runs mpsim (rr and fair, event log off, each case in a fresh child) and the
// SimGrid program (a child process of its own) on identical parameters and
// prints both, the ratios, and both makespans. The SimGrid program is found
// next to this binary; it exists only when CMake found SimGrid.
#include "simgrid.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "jitter.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/scenario/loader.hpp"
#include "process_time.hpp"
#include "runner.hpp"

namespace mpsim::bench {

namespace {

namespace fs = std::filesystem;

fs::path simgrid_program() {
  return fs::read_symlink("/proc/self/exe").parent_path() / "mpsim-bursts-s4u";
}

struct SimgridRun {
  std::vector<double> seconds;
  std::vector<double> process_seconds;  ///< the whole process, from start to exit
  std::vector<double> process_cpu_seconds;  ///< its CPU time (user + system)
  double makespan = 0;
  std::int64_t actions = 0;
  std::int64_t peak_kb = 0;
  std::string failure;
};

double median(const std::vector<double>& v) {
  return median_of(v);
}

BurstRanges ranges_of(const SimgridSettings& s) {
  return s.long_bursts ? kLongBursts : BurstRanges{};
}

SimgridRun run_simgrid(const WorkloadSize& size, std::int32_t cores, const SimgridSettings& s) {
  SimgridRun r;
  // Small stacks: the actors only call execute and sleep_for, and the default
  // 8 MiB mapping per actor runs into vm.max_map_count above ~65k actors.
  std::string cmd =
      "timeout " + std::to_string(s.timeout_s) + " '" + simgrid_program().string() + "' " +
      std::to_string(size.processes) + " " + std::to_string(size.bursts) + " " +
      std::to_string(cores) + " " + std::to_string(s.seed) + " " +
      std::to_string(ranges_of(s).cpu_lo) + " " + std::to_string(ranges_of(s).cpu_hi) + " " +
      std::to_string(ranges_of(s).wait_lo) + " " + std::to_string(ranges_of(s).wait_hi) +
      " --cfg=contexts/stack-size:64 --log=root.thres:critical 2>&1";
  for (int i = 0; i < s.reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_before = children_cpu_seconds();
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) {
      r.failure = "cannot start " + simgrid_program().string();
      return r;
    }
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, f)) out += buf;
    int status = pclose(f);
    r.process_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    r.process_cpu_seconds.push_back(children_cpu_seconds() - cpu_before);
    auto brace = out.rfind("{\"actors\"");
    if (status != 0 || brace == std::string::npos) {
      r.failure = "SimGrid run failed (status " + std::to_string(status) + "): " + out.substr(0, 300);
      return r;
    }
    auto j = nlohmann::json::parse(out.substr(brace));
    r.seconds.push_back(j["wall_s"].get<double>());
    r.makespan = j["makespan"].get<double>();
    r.actions = j["actions"].get<std::int64_t>();
    r.peak_kb = std::max<std::int64_t>(r.peak_kb, j["peak_kb"].get<std::int64_t>());
  }
  return r;
}

// Both sides must simulate the same bursts: run mpsim on M x 1 and check that
// process i computed and waited exactly what jitter.hpp gives SimGrid's actor i.
std::string check_same_bursts(const WorkloadSize& size, const SimgridSettings& s) {
  std::uint64_t seed = s.seed;
  const Workload* w = find_workload(s.long_bursts ? "long-bursts" : "bursts");
  WorkloadSize one{size.processes, 1, 0};
  LoadResult lr = load_scenario_text(w->scenario(one, MachineSpec{"fcfs", 4, 1}, seed), "check");
  if (!lr.scenario) return "the bursts scenario does not load";
  RunOptions o;
  o.record_events = false;
  RunResult r = simulate(*lr.scenario, o);
  BurstJitter j = burst_jitter(seed, ranges_of(s));
  for (std::size_t i = 0; i < r.processes.size(); ++i) {
    const ProcessResult& p = r.processes[i];
    auto index = static_cast<std::int64_t>(i);
    if (p.cpu != j.cpu.at(index) || p.blocked_io != j.wait.at(index))
      return "process " + std::to_string(i) + " computes " + std::to_string(p.cpu) + " and waits " +
             std::to_string(p.blocked_io) + " in mpsim, but " + std::to_string(j.cpu.at(index)) +
             " and " + std::to_string(j.wait.at(index)) + " in SimGrid";
  }
  return "";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int compare_with_simgrid(std::ostream& out, const SimgridSettings& s) {
  if (!fs::exists(simgrid_program())) {
    out << "mpsim-bench --simgrid: " << simgrid_program().string()
        << " was not built: install SimGrid (Debian: apt-get install libsimgrid-dev), then\n"
           "reconfigure (cmake -S . -B build) and build again\n";
    return 2;
  }
  const Workload* w = find_workload(s.long_bursts ? "long-bursts" : "bursts");
  BurstRanges rg = ranges_of(s);
  // bursts: rr q4 and fair (processor sharing, SimGrid's model); long-bursts:
  // rr q10, issue 18's case (fair q1 there is a decision per tick of 1.5x10^7).
  std::vector<MachineSpec> machines = s.long_bursts
                                          ? std::vector<MachineSpec>{{"rr", 10, 1}}
                                          : std::vector<MachineSpec>{{"rr", 4, 1}, {"fair", 1, 1}};
  int status = 0;
  out << w->name << " workload in mpsim and SimGrid (S4U): M processes/actors x K iterations of\n"
      << "{compute/execute X_i; io/sleep_for Y_i}, X_i in " << rg.cpu_lo << ".." << rg.cpu_hi
      << ", Y_i in " << rg.wait_lo << ".." << rg.wait_hi
      << " ticks (= seconds at\n"
         "1 flop/s per core), the same lengths on both sides (tools/benchmark/jitter.hpp, "
         "checked),\n"
         "seed "
      << s.seed << ", median of " << s.reps << " runs (mpsim: " << std::max(s.reps, 9)
      << "); sim ms: the simulation alone (mpsim: simulate(), log off; SimGrid: Engine::run);\n"
         "process ms: the whole process (mpsim run FILE --format json; the SimGrid program from "
         "start\n"
         "to exit); actions = executions + sleeps = 2 M K on both sides, per second of the whole "
         "process\n\n";
  char line[256];
  const char* row = "%-10s %5s %-22s %10s %11s %12s %12s %12s %9s\n";
  std::snprintf(line, sizeof line, row, "size", "cores", "simulator", "sim ms", "process ms",
                "actions/s", "events/s", "makespan", "peak MB");
  out << line;
  for (const WorkloadSize& size : s.sizes) {
    std::string label = w->size_label(size);
    if (std::string why = check_same_bursts(size, s); !why.empty()) {
      out << label << ": the two sides would not simulate the same workload: " << why << "\n";
      return 1;
    }
    for (std::int32_t cores : s.cores) {
      auto actions = static_cast<double>(2 * size.processes * size.bursts);
      // mpsim runs cost milliseconds: more of them steady its median on a shared host
      RunSettings how{std::max(s.reps, 9), s.seed, s.timeout_s, true};
      std::vector<CaseResult> mp;
      for (MachineSpec m : machines) {
        m.cores = cores;
        mp.push_back(run_case(Case{w, size, m, false, true, true}, how));
      }
      SimgridRun sg = run_simgrid(size, cores, s);
      auto print = [&](const std::string& who, double sec, double process, double events,
                       double makespan, double peak_kb) {
        std::snprintf(line, sizeof line, row, label.c_str(), std::to_string(cores).c_str(),
                      who.c_str(), fmt("%.1f", sec * 1e3).c_str(),
                      fmt("%.1f", process * 1e3).c_str(), fmt("%.4g", actions / process).c_str(),
                      events > 0 ? fmt("%.4g", events / sec).c_str() : "-",
                      fmt("%.10g", makespan).c_str(), fmt("%.1f", peak_kb / 1024).c_str());
        out << line;
      };
      bool all_ok = true;
      for (const CaseResult& c : mp) {
        if (!c.ok) {
          out << label << " mpsim " << policy_label(c.spec.machine) << " FAILED: " << c.failure
              << "\n";
          status = 1;
          all_ok = false;
          continue;
        }
        print("mpsim " + policy_label(c.spec.machine), c.median_seconds(),
              c.median_process_seconds(), static_cast<double>(c.events),
              static_cast<double>(c.makespan), static_cast<double>(c.peak_rss_kb));
      }
      if (!sg.failure.empty()) {
        out << label << " SimGrid FAILED: " << sg.failure << "\n";
        status = 1;
        continue;
      }
      double sg_sec = median(sg.seconds), sg_proc = median(sg.process_seconds);
      print("SimGrid S4U", sg_sec, sg_proc, 0, sg.makespan, static_cast<double>(sg.peak_kb));
      if (!all_ok) continue;
      out << "  ratio mpsim/SimGrid, medians:";
      for (const CaseResult& c : mp)
        out << " " << policy_label(c.spec.machine) << " "
            << fmt("%.0f", sg_proc / c.median_process_seconds()) << "x whole process, "
            << fmt("%.0f", sg_sec / c.median_seconds()) << "x simulation alone;";
      out << "\n  ratio of whole-process CPU time (user + system, medians; a shared host inflates\n"
             "  wall time, mostly the short mpsim runs', by the time spent waiting for a core):";
      for (const CaseResult& c : mp)
        out << " " << policy_label(c.spec.machine) << " "
            << fmt("%.0f", median(sg.process_cpu_seconds) / c.median_process_cpu_seconds())
            << "x (mpsim " << fmt("%.1f", c.median_process_cpu_seconds() * 1e3) << " ms, SimGrid "
            << fmt("%.1f", median(sg.process_cpu_seconds) * 1e3) << " ms);";
      out << "\n";
      for (const CaseResult& c : mp)
        if (c.spec.machine.policy == "fair") {
          double diff = static_cast<double>(c.makespan) - sg.makespan;
          out << "  makespan: SimGrid " << fmt("%.10g", sg.makespan) << ", mpsim fair "
              << c.makespan << ": difference " << fmt("%+.10g", diff) << " ticks ("
              << fmt("%+.3f", 100 * diff / sg.makespan) << "%), rr " << mp.front().makespan << "\n";
        }
    }
  }
  out << "\nfair hands out whole ticks where SimGrid shares continuously: for a batch of n\n"
         "processes on one core a finish moves by at most n - 1 ticks (docs/semantics.md §6);\n"
         "with IO every burst moves by such rounding, so the makespans differ slightly.\n";
  return status;
}

}  // namespace mpsim::bench
