// mpsim compare FILE --cores 1,2,4 --policy rr,fcfs: every combination, side by side.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "commands.hpp"
#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"
#include "py_options.hpp"

namespace mpsim::cli {

namespace {

struct CompareArgs {
  std::string file;
  std::vector<std::int32_t> cores = {1, 2, 4};
  std::vector<std::string> policies;
  std::vector<std::int64_t> quanta;
  std::vector<std::string> queues;
  std::string format = "text";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string out;
  std::string gantt;
  bool force = false;
  PyCliOptions py;  // FILE.py: a Python program (py_compare.cpp)
  LimitOptions limits;
};

// A one-line progress bar, only for a person watching a terminal.
void progress(std::size_t done, std::size_t total) {
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
            << std::string(static_cast<std::size_t>(kWidth - filled), ' ') << "] " << done << "/" << total
            << (done == total ? "\r\033[K" : "") << std::flush;
}

std::string stacked_gantt(const std::vector<CompareRow>& rows) {
  std::vector<const RunResult*> runs;
  std::vector<std::string> labels;
  for (const auto& r : rows) {
    runs.push_back(&r.result);
    labels.push_back(std::to_string(r.config.cores) + " core(s), " + r.policy_description);
  }
  return format_gantt_svg(runs, labels);
}

}  // namespace

Command add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare",
                                 "run a scenario (or a Python program, FILE.py) on several core "
                                 "counts and policies, side by side");
  auto a = std::make_shared<CompareArgs>();
  cmd->add_option("FILE", a->file, "scenario file, or a Python program (.py)")->required();
  cmd->add_option("--cores", a->cores, "core counts, e.g. 1,2,4")->delimiter(',')->check(CLI::Range(1, 1024));
  cmd->add_option("--policy", a->policies, "policies, e.g. rr,fcfs (default: the scenario's)")->delimiter(',');
  cmd->add_option("--quantum", a->quanta, "quanta for rr/mlfq, e.g. 1,4")->delimiter(',')->check(CLI::PositiveNumber);
  cmd->add_option("--queues", a->queues, "queue designs, e.g. global,per_core (default: the scenario's)")
      ->delimiter(',')
      ->check(CLI::IsMember({"global", "per_core"}));
  cmd->add_option("--format", a->format, "text, json or csv")->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->add_option("--threads", a->threads, "runs at once (results do not depend on it)")->check(CLI::Range(1, 256));
  cmd->add_option("-o,--output", a->out, "write to this file instead of stdout");
  cmd->add_option("--gantt", a->gantt, "also write one SVG with every configuration on one time axis");
  cmd->add_flag("--force", a->force, "replace output files if they exist");
  a->py.add_to(*cmd);
  a->limits.add_to(*cmd);
  return [a] {
    if (is_python_script(a->file))
      return compare_python(
          a->py, a->file,
          {a->cores, a->policies, a->quanta, a->queues, a->format, a->out, a->gantt, a->force});
    MachineOverrides none;
    auto s = load_or_report(a->file, none);
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    std::vector<CompareRow> rows;
    try {
      bool tty = isatty(STDERR_FILENO) != 0;
      rows = run_compare(*s, config_grid(a->cores, a->policies, a->quanta, a->queues), a->threads,
                         tty ? progress : std::function<void(std::size_t, std::size_t)>{},
                         a->limits.run);
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
    std::string text = a->format == "json"  ? format_compare_json(rows) + "\n"
                       : a->format == "csv" ? format_compare_csv(rows)
                                            : format_compare_text(rows);
    if (!a->gantt.empty() && !write_output(a->gantt, stacked_gantt(rows), a->force)) return kExitBadInput;
    return write_output(a->out, text, a->force) ? kExitOk : kExitBadInput;
  };
}

}  // namespace mpsim::cli
