// mpsim-bench: builds the list of cases (workload x size x machine x event
// log on/off), runs each in its own child process and reports medians.
// Run it through tools/bench, which builds it first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "report.hpp"
#include "runner.hpp"
#include "workloads.hpp"

namespace mpsim::bench {

namespace {

struct Options {
  bool quick = false;
  bool json = false;
  bool list = false;
  bool no_fork = false;
  int reps = 0;  // 0: 5, or 1 with --quick
  std::uint64_t seed = 1;
  int timeout_s = 600;
  std::vector<std::string> workloads;
  std::vector<std::string> sizes;  // "MxK"
  std::vector<std::string> policies;
  std::vector<std::int32_t> cores;
  std::string log = "both";
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
        for (bool record : log_modes(o.log)) cases.push_back(Case{&w, size, m, record});
      }
  }
  return cases;
}

void add_options(CLI::App& app, Options& o) {
  app.add_flag("--quick", o.quick, "seconds-long smoke version (small sizes, 1 run each), for CI");
  app.add_flag("--json", o.json, "print JSON on stdout (the table goes to stderr as progress)");
  app.add_flag("--list", o.list, "list the workloads and exit");
  app.add_flag("--no-fork", o.no_fork,
               "run cases in this process, for profilers (peak MB is then cumulative)");
  app.add_option("--reps", o.reps,
                 "runs per case; the median is reported (default 5, 1 with --quick)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seed", o.seed, "seed of the jitter")->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "seconds before a case is killed (0: never)")
      ->capture_default_str();
  app.add_option("--workload", o.workloads, "only these workloads (repeatable)");
  app.add_option("--size", o.sizes,
                 "replace the sizes: M processes x K bursts, e.g. 1000x100 (repeatable)");
  app.add_option("--policy", o.policies, "only machines with these policies (repeatable)");
  app.add_option("--cores", o.cores, "only machines with these core counts (repeatable)");
  app.add_option("--log", o.log, "event log kept (on), dropped (off) or both")
      ->check(CLI::IsMember({"on", "off", "both"}))
      ->capture_default_str();
}

void list_workloads(std::ostream& out) {
  for (const Workload& w : workloads()) out << w.name << ": " << w.summary << "\n";
}

int run(const Options& o) {
  for (const auto& name : o.workloads)
    if (!find_workload(name))
      throw std::invalid_argument("unknown workload " + name + " (see --list)");
  std::vector<Case> cases = plan(o);  // first: a bad option fails before any output
  RunInfo info{describe_host(), o.reps ? o.reps : (o.quick ? 1 : 5), o.seed, o.quick};
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
