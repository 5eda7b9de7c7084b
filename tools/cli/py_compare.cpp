// mpsim compare SCRIPT.py: the Python program on every configuration, one
// simulated run each (docs/python.md, "compare"), in the compare table.
#include <iostream>
#include <map>

#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"
#include "py_options.hpp"

namespace mpsim::cli {

namespace {

std::string config_key(const CompareConfig& c) {
  return c.policy + "/" + (c.quantum ? std::to_string(*c.quantum) : "-") + "/" + c.queues + "/" +
         std::to_string(c.cores);
}

RunResult run_config(const python::PyOptions& o, const CompareConfig& c) {
  MachineOverrides m;
  m.cores = c.cores;
  if (!c.policy.empty()) m.policy = c.policy;
  m.quantum = c.quantum;
  if (!c.queues.empty()) m.queues = c.queues;
  return python::run_python(o, m, RunOptions{}).result;
}

}  // namespace

int compare_python(const PyCliOptions& py, const std::string& script, const PyCompareRequest& req) {
  python::PyOptions o = py.resolved(script);
  catch_python_signals();
  auto configs = config_grid(req.cores, req.policies, req.quanta, req.queues);
  // Every configuration and the 1-core baseline of its policy, each run once,
  // one after the other: a Python run owns mpsim's children while it lasts.
  std::map<std::string, RunResult> results;
  std::vector<CompareRow> rows;
  try {
    for (const auto& c : configs) {
      CompareConfig base{1, c.policy, c.quantum, c.queues};
      for (const auto& k : {base, c})
        if (!results.count(config_key(k))) results.emplace(config_key(k), run_config(o, k));
      rows.push_back(
          make_compare_row(c, results.at(config_key(c)), results.at(config_key(base)).makespan));
    }
  } catch (const python::PyError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code;
  }
  std::string text = req.format == "json"  ? format_compare_json(rows) + "\n"
                     : req.format == "csv" ? format_compare_csv(rows)
                                           : format_compare_text(rows);
  if (!req.gantt.empty()) {
    std::vector<const RunResult*> runs;
    std::vector<std::string> labels;
    for (const auto& r : rows) {
      runs.push_back(&r.result);
      labels.push_back(std::to_string(r.config.cores) + " core(s), " + r.policy_description);
    }
    if (!write_output(req.gantt, format_gantt_svg(runs, labels), req.force)) return kExitBadInput;
  }
  return write_output(req.out, text, req.force) ? kExitOk : kExitBadInput;
}

}  // namespace mpsim::cli
