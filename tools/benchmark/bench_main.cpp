// mpsim-bench: builds the list of cases (workload x size x machine x event
// log on/off), runs each in its own child process and reports medians.
// Run it through tools/bench, which builds it first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "report.hpp"
#include "runner.hpp"
#include "simgrid.hpp"
#include "workloads.hpp"

namespace mpsim::bench {

namespace {

struct Options {
  bool quick = false;
  bool json = false;
  bool list = false;
  bool no_fork = false;
  bool simgrid = false;
  bool scaling = false;
  bool curve = false;
  std::string rounds = "on";
  int reps = 0;  // 0: 5, or 3 with --quick
  double floor_mevs = -1;  // -1: 1 with --quick, else off
  std::uint64_t seed = 1;
  int timeout_s = 600;
  std::vector<std::string> workloads;
  std::vector<std::string> sizes;  // "MxK"
  std::vector<std::string> policies;
  std::vector<std::int32_t> cores;
  std::string log = "both";
  std::string queues = "global";
  bool cache = false;
};

template <typename T>
bool wanted(const std::vector<T>& filter, const T& v) {
  return filter.empty() || std::find(filter.begin(), filter.end(), v) != filter.end();
}

// "MxK" or "M" (K from the workload's default size).
WorkloadSize parse_size(const std::string& text, const WorkloadSize& base) {
  WorkloadSize s = base;
  auto x = text.find('x');
  std::size_t used = 0, used_k = 0;
  try {
    s.processes = std::stoll(text.substr(0, x), &used);
    if (x != std::string::npos) s.bursts = std::stoll(text.substr(x + 1), &used_k);
  } catch (const std::logic_error&) {
    used = 0;  // stoll's own message names no option: report ours below
  }
  bool whole =
      used == std::min(x, text.size()) && (x == std::string::npos || used_k == text.size() - x - 1);
  if (!whole || s.processes < 1 || s.bursts < 0)
    throw std::invalid_argument("bad --size '" + text + "': expected M or MxK, e.g. 1000x100");
  return s;
}

std::vector<WorkloadSize> sizes_for(const Workload& w, const Options& o) {
  const auto& defaults = o.quick ? w.quick_sizes : w.full_sizes;
  if (o.sizes.empty()) return defaults;
  std::vector<WorkloadSize> out;
  for (const auto& text : o.sizes) out.push_back(parse_size(text, defaults.front()));
  return out;
}

std::vector<bool> log_modes(const std::string& log) {
  if (log == "on") return {true};
  if (log == "off") return {false};
  return {true, false};
}

std::vector<Case> plan(const Options& o) {
  std::vector<Case> cases;
  for (const Workload& w : workloads()) {
    if (!wanted(o.workloads, w.name)) continue;
    for (const WorkloadSize& size : sizes_for(w, o))
      for (const MachineSpec& m : w.machines) {
        if (!wanted(o.policies, m.policy) || !wanted(o.cores, m.cores)) continue;
        // The whole process only without the log: `mpsim run --format json` keeps none.
        MachineSpec mq = m;
        mq.per_core = o.queues == "per_core";
        mq.cache = o.cache;
        for (bool record : log_modes(o.log))
          cases.push_back(Case{&w, size, mq, record, o.rounds == "on", !record && !o.no_fork});
      }
  }
  return cases;
}

void add_options(CLI::App& app, Options& o) {
  app.add_flag("--quick", o.quick,
               "seconds-long smoke version (small sizes, 3 runs each), for CI: fails below --floor");
  app.add_option("--floor", o.floor_mevs,
                 "exit 1 if a case of at least 100000 events runs below this many M events/s "
                 "(default 1 with --quick, else off)");
  app.add_flag("--json", o.json, "print JSON on stdout (the table goes to stderr as progress)");
  app.add_flag("--list", o.list, "list the workloads and exit");
  app.add_flag("--scaling", o.scaling,
               "bursts M x 10 for M = 10^3 ... 10^6 under rr q4 on 1 core, log off: time and memory "
               "against M (--size replaces the sizes)");
  app.add_flag(
      "--simgrid", o.simgrid,
      "bursts in mpsim (rr, fair) and SimGrid side by side (default 1000x100, 1 core, 3 runs);"
      " with --workload long-bursts, issue 18's workload under rr q10");
  app.add_flag("--curve", o.curve,
               "workload rounds, 1000 processes, T = 10^2 ... 10^6: cost against makespan with and"
               " without round skipping (--policy filters rr q1, fair, cfs)");
  app.add_option("--rounds", o.rounds, "round skipping on or off (RunOptions::round_skipping)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_flag("--no-fork", o.no_fork,
               "run cases in this process, for profilers (peak MB is then cumulative)");
  app.add_option("--reps", o.reps,
                 "runs per case; the median is reported (default 5, 3 with --quick)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seed", o.seed, "seed of the jitter")->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "seconds before a case is killed (0: never)")
      ->capture_default_str();
  app.add_option("--workload", o.workloads, "only these workloads (repeatable)");
  app.add_option("--size", o.sizes,
                 "replace the sizes: M processes x K bursts, e.g. 1000x100 (repeatable)");
  app.add_option("--policy", o.policies, "only machines with these policies (repeatable)");
  app.add_option("--cores", o.cores, "only machines with these core counts (repeatable)");
  app.add_option("--queues", o.queues, "global (default) or per_core run queues")
      ->check(CLI::IsMember({"global", "per_core"}));
  app.add_flag("--cache", o.cache, "the cache model on (machine.cache defaults; bursts: working sets 30)");
  app.add_option("--log", o.log, "event log kept (on), dropped (off) or both")
      ->check(CLI::IsMember({"on", "off", "both"}))
      ->capture_default_str();
}

void list_workloads(std::ostream& out) {
  for (const Workload& w : workloads()) out << w.name << ": " << w.summary << "\n";
}

int run_simgrid(const Options& o) {
  SimgridSettings s;
  const Workload* w = find_workload("bursts");
  for (const auto& text : o.sizes) s.sizes.push_back(parse_size(text, w->full_sizes.front()));
  if (s.sizes.empty()) s.sizes.push_back(WorkloadSize{1000, 100, 0});
  s.cores = o.cores.empty() ? std::vector<std::int32_t>{1} : o.cores;
  s.reps = o.reps ? o.reps : 3;
  s.seed = o.seed;
  s.timeout_s = o.timeout_s;
  s.long_bursts = wanted(o.workloads, std::string("long-bursts")) && !o.workloads.empty();
  return compare_with_simgrid(std::cout, s);
}

// How time and memory grow with M. K stays fixed, so events grow with M and
// a linear engine shows a time ratio of 10 per decade (2 per doubling).
int run_scaling(const Options& o) {
  const Workload* w = find_workload("bursts");
  std::vector<WorkloadSize> sizes;
  for (const auto& text : o.sizes) sizes.push_back(parse_size(text, WorkloadSize{1000, 10, 0}));
  if (sizes.empty())
    for (std::int64_t m : {1000, 10000, 100000, 500000, 1000000}) sizes.push_back({m, 10, 0});
  int reps = o.reps ? o.reps : 3;
  RunSettings how{reps, o.seed, o.timeout_s, !o.no_fork};
  RunInfo info{describe_host(), reps, o.seed, false};
  std::cout << "scaling: bursts M x K under rr q4 on 1 core, event log "
            << (o.log == "on" ? "on" : "off") << ", median of " << reps << " runs\n"
            << "host: " << info.host.cpu << ", " << info.host.logical_cpus << " logical CPUs, "
            << info.host.memory_mb << " MB; build " << info.host.build_type << ", "
            << info.host.compiler << "\n\n";
  std::printf("%9s %4s %11s %10s %8s %9s %9s %12s %14s\n", "M", "K", "events", "median ms", "Mev/s",
              "peak MB", "load ms", "time ratio", "per doubling");
  std::fflush(stdout);
  int status = 0;
  double prev_s = 0;
  std::int64_t prev_m = 0;
  for (const WorkloadSize& size : sizes) {
    CaseResult r = run_case(Case{w, size, MachineSpec{"rr", 4, 1}, o.log == "on"}, how);
    if (!r.ok) {
      std::printf("%9lld %4lld FAILED: %s\n", static_cast<long long>(size.processes),
                  static_cast<long long>(size.bursts), r.failure.c_str());
      status = 1;
      continue;
    }
    double t = r.median_seconds();
    std::string ratio = "-", doubling = "-";
    if (prev_m > 0 && prev_s > 0) {
      double growth = static_cast<double>(size.processes) / static_cast<double>(prev_m);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f (x%.0f M)", t / prev_s, growth);
      ratio = buf;
      // the same growth per doubling of M: ratio^(1 / log2(growth))
      std::snprintf(buf, sizeof buf, "%.2f", std::pow(t / prev_s, 1.0 / std::log2(growth)));
      doubling = buf;
    }
    std::printf("%9lld %4lld %11lld %10.1f %8.2f %9.1f %9.1f %12s %14s\n",
                static_cast<long long>(size.processes), static_cast<long long>(size.bursts),
                static_cast<long long>(r.events), t * 1e3, r.events_per_second() / 1e6,
                static_cast<double>(r.peak_rss_kb) / 1024, r.load_seconds * 1e3, ratio.c_str(),
                doubling.c_str());
    std::fflush(stdout);
    prev_s = t;
    prev_m = size.processes;
  }
  std::printf("\npeak MB: the child's peak RSS by the end of its first run (scenario, kernel state,\n"
              "result); time ratio: median time against the row above; per doubling: the same\n"
              "growth expressed per doubling of M (2.00 = linear)\n");
  return status;
}

// Round skipping's promise: with the ready set changing 2M times (M arrivals,
// M exits), the cost stays about the same as T, and so the makespan (about
// M T), grows. Without round skipping it grows with the makespan / quantum.
int run_curve(const Options& o) {
  const Workload* w = find_workload("rounds");
  std::int64_t m = 1000;
  for (const auto& text : o.sizes) m = parse_size(text, WorkloadSize{1000, 1, 0}).processes;
  int reps = o.reps ? o.reps : 3;
  RunSettings how{reps, o.seed, o.timeout_s, !o.no_fork};
  std::cout << "rounds: " << m
            << " processes, each one compute of T/2..3T/2 ticks, 1 core, log off,"
            << " median of " << reps << " runs; set changes = 2 M (arrivals and exits)\n\n";
  std::printf("%-8s %9s %13s %12s %12s %12s %12s %9s\n", "policy", "T", "makespan", "sim ms",
              "process ms", "no-skip ms", "ratio", "us/change");
  int status = 0;
  for (const MachineSpec& spec :
       {MachineSpec{"rr", 1, 1}, MachineSpec{"fair", 1, 1}, MachineSpec{"cfs", 1, 1}}) {
    if (!wanted(o.policies, spec.policy)) continue;
    for (std::int64_t t : {100, 1000, 10000, 100000, 1000000}) {
      WorkloadSize size{m, 1, t};
      CaseResult on = run_case(Case{w, size, spec, false, true, !o.no_fork}, how);
      // Without round skipping every slice is simulated: only while that stays within seconds.
      bool slices = m * t <= 20000000;
      CaseResult off =
          slices ? run_case(Case{w, size, spec, false, false, false}, how) : CaseResult{};
      if (!on.ok || (slices && !off.ok)) {
        std::printf("%-8s %9lld FAILED: %s\n", policy_label(spec).c_str(),
                    static_cast<long long>(t), (on.ok ? off.failure : on.failure).c_str());
        status = 1;
        continue;
      }
      std::string off_ms = slices ? std::to_string(off.median_seconds() * 1e3).substr(0, 9) : "-";
      std::string ratio =
          slices ? std::to_string(off.median_seconds() / on.median_seconds()).substr(0, 7) : "-";
      std::printf("%-8s %9lld %13lld %12.2f %12.2f %12s %12s %9.2f\n", policy_label(spec).c_str(),
                  static_cast<long long>(t), static_cast<long long>(on.makespan),
                  on.median_seconds() * 1e3, on.median_process_seconds() * 1e3, off_ms.c_str(),
                  ratio.c_str(), on.median_seconds() * 1e6 / static_cast<double>(2 * m));
      std::fflush(stdout);
    }
  }
  std::printf(
      "\nsim ms: simulate() alone, round skipping on; process ms: the whole `mpsim run FILE"
      " --format json`;\nno-skip ms: simulate() with round skipping off (only up to 2x10^7"
      " ticks); us/change: sim time per change of the ready set\n");
  return status;
}

int run(const Options& o) {
  if (o.simgrid) return run_simgrid(o);
  if (o.curve) return run_curve(o);
  if (o.scaling) return run_scaling(o);
  for (const auto& name : o.workloads)
    if (!find_workload(name))
      throw std::invalid_argument("unknown workload " + name + " (see --list)");
  std::vector<Case> cases = plan(o);  // first: a bad option fails before any output
  RunInfo info{describe_host(), o.reps ? o.reps : (o.quick ? 3 : 5), o.seed, o.quick};
  RunSettings how{info.reps, o.seed, o.timeout_s, !o.no_fork};
  std::ostream& table = o.json ? std::cerr : std::cout;
  print_header(table, info);
  std::vector<CaseResult> results;
  for (const Case& c : cases) {
    results.push_back(run_case(c, how));
    print_row(table, results.back());
  }
  print_footer(table, results);
  if (o.json) std::cout << to_json(info, results) << "\n";
  bool all_ok =
      std::all_of(results.begin(), results.end(), [](const CaseResult& r) { return r.ok; });
  // The smoke test's point: a generous floor that only a real regression
  // (or a broken build type) falls below. Tiny cases are too noisy to judge.
  double floor = o.floor_mevs >= 0 ? o.floor_mevs : (o.quick ? 1.0 : 0.0);
  for (const CaseResult& r : results) {
    if (!r.ok || floor <= 0 || r.events < 100000 || r.events_per_second() >= floor * 1e6) continue;
    std::cerr << "mpsim-bench: " << r.spec.workload->name << " "
              << r.spec.workload->size_label(r.spec.size) << " " << policy_label(r.spec.machine)
              << " on " << r.spec.machine.cores << " core(s), log "
              << (r.spec.record_events ? "on" : "off") << ": " << r.events_per_second() / 1e6
              << " M events/s, below the floor of " << floor << " M events/s\n";
    all_ok = false;
  }
  return all_ok ? 0 : 1;
}

}  // namespace

}  // namespace mpsim::bench

int main(int argc, char** argv) {
  CLI::App app{"mpsim-bench: simulator throughput (scheduling events/s) and peak memory"};
  mpsim::bench::Options o;
  mpsim::bench::add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  try {
    if (o.list) {
      mpsim::bench::list_workloads(std::cout);
      return 0;
    }
    return mpsim::bench::run(o);
  } catch (const std::exception& e) {
    std::cerr << "mpsim-bench: " << e.what() << "\n";
    return 2;
  }
}
