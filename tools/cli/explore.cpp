// mpsim explore FILE: search the schedules of a scenario for one that breaks
// its checks (docs/explore.md).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "mpsim/analysis/explore.hpp"

namespace mpsim::cli {

namespace {

struct ExploreArgs {
  std::string file;
  MachineOptions machine;
  std::string mode = "exhaustive";
  std::vector<std::string> expects;
  std::int32_t bound = 2;
  std::int64_t max_schedules = 100000;
  std::string por = "on";
  bool no_preempt = false;
  Tick jitter = 0;
  std::uint64_t seed = 1;
  std::int32_t depth = 3;
  std::int64_t runs = 1000;
  bool keep_going = false;
  std::string out;
  bool force = false;
  LimitOptions limits;
};

std::string percent(std::int64_t a, std::int64_t b) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2)
    << (b == 0 ? 0.0 : 100.0 * static_cast<double>(a) / static_cast<double>(b)) << "%";
  return s.str();
}

std::string summary(const ExploreArgs& a, const ExploreOptions& o, const ExploreResult& r) {
  const ExploreStats& st = r.stats;
  std::ostringstream s;
  s << "explore   " << a.file << "\n";
  if (o.mode == SearchMode::Exhaustive) {
    s << "search    exhaustive, at most " << o.max_deviations
      << " deviation(s) from the default schedule, reduction " << (st.por_used ? "on" : "off")
      << (st.por_note.empty() ? "" : " (" + st.por_note + ")") << "\n";
  } else {
    s << "search    " << a.mode
      << (o.mode == SearchMode::Pct ? " (depth " + std::to_string(o.pct_depth) + ")" : "")
      << ", seeds " << o.seed << ".."
      << o.seed + static_cast<std::uint64_t>(std::max<std::int64_t>(o.max_schedules, 1)) - 1
      << "\n";
  }
  s << "choices   dispatch, continue, grant" << (o.preempt ? ", preempt" : "")
    << (o.jitter > 0 ? ", delay (0.." + std::to_string(o.jitter) + ")" : "") << "\n";
  s << "checks   ";
  for (const auto& c : o.checks) s << " " << c.source << ";";
  s << " every assert\n";
  std::ostringstream rate;
  rate << std::fixed << std::setprecision(0)
       << (st.seconds > 0 ? static_cast<double>(st.schedules) / st.seconds : 0.0);
  s << "schedules " << st.schedules << " run in " << std::fixed << std::setprecision(3)
    << st.seconds << " s (" << rate.str() << " per second), at most " << st.max_points
    << " choice points in one run\n";
  if (o.mode == SearchMode::Exhaustive && st.por_used)
    s << "reduction " << st.pruned << " of " << st.alternatives << " alternatives left out ("
      << percent(st.pruned, st.alternatives) << ")\n";
  if (o.mode != SearchMode::Exhaustive && o.keep_going)
    s << "violating " << st.violations << " of " << st.schedules << " runs ("
      << percent(st.violations, st.schedules) << ")\n";
  return s.str();
}

}  // namespace

Command add_explore(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "explore",
      "search the schedules a real machine could take for one that breaks the scenario's checks");
  auto a = std::make_shared<ExploreArgs>();
  cmd->add_option("FILE", a->file, "scenario file")->required();
  a->machine.add_to(*cmd);
  cmd->add_option("--mode", a->mode, "exhaustive (default), pct or random")
      ->check(CLI::IsMember({"exhaustive", "pct", "random"}));
  cmd->add_option("--expect", a->expects, "an extra check, as a scenario's `expect` (repeatable)");
  cmd->add_option("--bound", a->bound,
                  "exhaustive: most deviations from the default schedule (default 2)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--max-schedules", a->max_schedules,
                  "exhaustive: stop after this many runs (default 100000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}));
  cmd->add_option("--por", a->por, "exhaustive: on (default) or off (plain enumeration)")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_flag("--no-preempt", a->no_preempt, "do not explore preemption at slice ends");
  cmd->add_option("--jitter", a->jitter, "also explore io and sleep taking 0..N ticks longer")
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  cmd->add_option("--seed", a->seed,
                  "pct, random: the first seed (run i uses seed + i; default 1)");
  cmd->add_option("--depth", a->depth, "pct: bug depth d (default 3)")->check(CLI::Range(1, 64));
  cmd->add_option("--runs", a->runs, "pct, random: runs (default 1000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}));
  cmd->add_flag("--keep-going", a->keep_going,
                "pct, random: do all runs and count the violating ones");
  cmd->add_option("-o,--output", a->out,
                  "write the failing schedule here (replay: mpsim run FILE --schedule it)");
  cmd->add_flag("--force", a->force, "replace the schedule file if it exists");
  a->limits.add_to(*cmd);
  return [a] {
    auto s = load_or_report(a->file, a->machine.overrides());
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    std::vector<Expectation> extra;
    std::vector<Diagnostic> errors;
    for (const auto& e : a->expects)
      if (auto x = parse_expect(e, "--expect", errors)) extra.push_back(std::move(*x));
    if (!errors.empty()) {
      for (const auto& d : errors) std::cerr << "error: " << d.file << ": " << d.message << "\n";
      return kExitBadInput;
    }
    ExploreOptions o;
    o.mode = a->mode == "pct"      ? SearchMode::Pct
             : a->mode == "random" ? SearchMode::Random
                                   : SearchMode::Exhaustive;
    o.checks = checks_for(*s, extra);
    o.max_deviations = a->bound;
    o.max_schedules = o.mode == SearchMode::Exhaustive ? a->max_schedules : a->runs;
    o.por = a->por == "on";
    o.preempt = !a->no_preempt;
    o.jitter = a->jitter;
    o.seed = a->seed;
    o.pct_depth = a->depth;
    o.keep_going = a->keep_going;
    o.limits = a->limits.run;
    ExploreResult r = explore(*s, o);
    std::cout << summary(*a, o, r);
    if (!r.found) {
      if (o.mode == SearchMode::Exhaustive && !r.stats.complete) {
        std::cout << "\nINCOMPLETE: stopped at --max-schedules " << a->max_schedules
                  << " before covering bound " << a->bound << "\n";
        return kExitIncomplete;
      }
      if (o.mode == SearchMode::Exhaustive)
        std::cout << "\nno violation within bound " << a->bound << ": every schedule with at most "
                  << a->bound
                  << " deviation(s) passes (docs/explore.md says exactly what that covers)\n";
      else
        std::cout << "\nno violation in " << r.stats.schedules
                  << " runs (no guarantee beyond those runs)\n";
      return kExitOk;
    }
    std::cout << "\nVIOLATION found at run " << r.stats.first_violation + 1
              << "; shortest failing schedule: " << r.schedule.deviations.size()
              << " deviation(s)\n"
              << explain_violation(r);
    if (!a->out.empty()) {
      if (!write_output(a->out, schedule_json(r.schedule, *s), a->force)) return kExitBadInput;
      std::cout << "schedule written to " << a->out << "; replay: mpsim run " << a->file
                << " --schedule " << a->out << "\n";
    }
    return kExitViolation;
  };
}

}  // namespace mpsim::cli
