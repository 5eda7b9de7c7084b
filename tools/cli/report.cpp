// mpsim report FILE -o report.html: one page with the comparison, charts and tree.
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"

namespace mpsim::cli {

namespace {

struct ReportArgs {
  std::string file;
  std::vector<std::int32_t> cores = {1, 2, 4};
  std::vector<std::string> policies;
  std::string out;
  bool force = false;
  LimitOptions limits;
};

}  // namespace

Command add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "write a self-contained HTML report of a scenario");
  auto a = std::make_shared<ReportArgs>();
  cmd->add_option("FILE", a->file, "scenario file")->required();
  cmd->add_option("-o,--output", a->out, "the HTML file to write")->required();
  cmd->add_option("--cores", a->cores, "core counts to compare, e.g. 1,2,4")->delimiter(',')->check(CLI::Range(1, 1024));
  cmd->add_option("--policy", a->policies, "policies to compare (default: the scenario's)")->delimiter(',');
  cmd->add_flag("--force", a->force, "replace the output file if it exists");
  a->limits.add_to(*cmd);
  return [a] {
    auto s = load_or_report(a->file, MachineOverrides{});
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    std::vector<CompareRow> rows;
    try {
      rows = run_compare(*s, config_grid(a->cores, a->policies, {}),
                         static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), {},
                         a->limits.run);
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
    return write_output(a->out, format_html_report(*s, rows), a->force) ? kExitOk : kExitBadInput;
  };
}

}  // namespace mpsim::cli
