#include "report_options.hpp"

#include "commands.hpp"
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/report/report.hpp"

namespace mpsim::cli {

void ReportOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd.add_flag("--timeline", timeline, "add the per-tick table (text format)");
  cmd.add_flag("--events", events, "add the event log (json format)");
  cmd.add_option("-o,--output", out, "write the report to this file instead of stdout");
  cmd.add_option("--trace", trace,
                 "also write a Chrome trace-event JSON file (Perfetto, chrome://tracing)");
  cmd.add_option("--gantt", gantt, "also write an SVG Gantt chart");
  cmd.add_option("--dot", dot, "after a deadlock, also write the wait-for graph (Graphviz)");
  cmd.add_option("--tree", tree, "also write the process tree (Graphviz)");
  cmd.add_flag("--force", force, "replace output files if they exist");
}

bool ReportOptions::write_files(const RunResult& r, const std::string& name) const {
  if (!trace.empty() && !write_output(trace, format_trace(r), force)) return false;
  if (!gantt.empty() && !write_output(gantt, format_gantt_svg({&r}, {name}), force)) return false;
  if (!tree.empty() && !write_output(tree, process_tree_dot(r), force)) return false;
  if (!dot.empty() && r.deadlock && !write_output(dot, analyse_deadlock(r).dot, force))
    return false;
  return true;
}

}  // namespace mpsim::cli
