// mpsim py SCRIPT.py [ARGS...]: a Python multiprocessing program on the
// simulated machine (docs/python.md); the same report as `mpsim run`.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/python/py_run.hpp"
#include "mpsim/report/report.hpp"

#ifndef MPSIM_PYTHON_DIR
#define MPSIM_PYTHON_DIR ""
#endif

namespace mpsim::cli {

namespace {

struct PyArgs {
  python::PyOptions py;
  MachineOptions machine;
  LimitOptions limits;
  std::string format = "text";
  bool timeline = false;
  bool events = false;
  bool program_output = false;
  std::string out;
  std::string trace;
  std::string gantt;
  std::string dot;
  std::string tree;
  bool force = false;
  double wall_limit_s = 60;
  std::string backend = "sim";
};

void on_signal(int signo) {
  python::interrupt_python_run(signo);
}

// Ctrl-C and friends stop the run between two operations; the run then
// kills and reaps every Python process before mpsim exits.
void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a waiting poll returns at once
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
}

// --backend real: plain CPython's output and its wall-clock makespan.
int report_real(const PyArgs& a) {
  python::RealPyRun real;
  try {
    real = python::run_python_real(a.py, a.machine.cores.value_or(1));
  } catch (const python::PyError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code;
  }
  std::string cpus;
  for (int c : real.cpus) cpus += (cpus.empty() ? "" : " ") + std::to_string(c);
  std::string text;
  if (a.program_output) {
    text = real.output;
  } else if (a.format == "json") {
    nlohmann::json j = {{"backend", "real"},           {"script", a.py.script},
                        {"cpus", real.cpus},           {"makespan_us", real.makespan_us},
                        {"exit_code", real.exit_code}, {"output", real.output}};
    text = j.dump(2) + "\n";
  } else {
    char ms[64];
    std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(real.makespan_us) / 1000.0);
    text = "backend   real: " + a.py.python + " on CPUs " + cpus + " (no simulation, real time)\n" +
           "makespan  " + ms + " ms (until the main process ended)\nexit      " +
           std::to_string(real.exit_code) + "\n\noutput\n" + real.output;
  }
  return write_output(a.out, text, a.force) ? kExitOk : kExitBadInput;
}

std::string program_lines(const RunResult& r) {
  std::string s;
  for (const auto& line : r.prints) s += line.text + "\n";
  return s;
}

}  // namespace

Command add_py(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "py", "run a Python multiprocessing program on the simulated machine (docs/python.md)");
  auto a = std::make_shared<PyArgs>();
  cmd->add_option("SCRIPT", a->py.script, "the Python program")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("ARGS", a->py.args, "its arguments (after --, if one starts with -)");
  a->machine.add_to(*cmd);
  cmd->add_option("--lines-per-tick", a->py.lines_per_tick,
                  "executed Python lines that make one tick of CPU time")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  cmd->add_option("--chunk", a->py.chunk_ticks,
                  "a computing process reports its work at least every N ticks")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
  cmd->add_option("--wall-limit", a->wall_limit_s,
                  "stop the run after this many real seconds (default 60)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--python", a->py.python, "the interpreter (default Debian's /usr/bin/python3)");
  cmd->add_option("--cwd", a->py.cwd, "working directory of the program (default: the current one)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option(
         "--backend", a->backend,
         "sim (default) or real: plain CPython pinned to the first --cores CPUs, real time")
      ->check(CLI::IsMember({"sim", "real"}));
  cmd->add_flag("--program-output", a->program_output,
                "print only what the program printed, in simulated order");
  cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--timeline", a->timeline, "add the per-tick table (text format)");
  cmd->add_flag("--events", a->events, "add the event log (json format)");
  cmd->add_option("-o,--output", a->out, "write the report to this file instead of stdout");
  cmd->add_option("--trace", a->trace,
                  "also write a Chrome trace-event JSON file (Perfetto, chrome://tracing)");
  cmd->add_option("--gantt", a->gantt, "also write an SVG Gantt chart");
  cmd->add_option("--dot", a->dot, "after a deadlock, also write the wait-for graph (Graphviz)");
  cmd->add_option("--tree", a->tree, "also write the process tree (Graphviz)");
  cmd->add_flag("--force", a->force, "replace output files if they exist");
  a->limits.add_to(*cmd);
  return [a] {
    a->py.wall_limit_ms = static_cast<std::int64_t>(a->wall_limit_s * 1000);
    const char* rt = std::getenv("MPSIM_PY_RUNTIME");
    a->py.runtime_dir = rt && *rt ? rt : MPSIM_PYTHON_DIR;
    catch_signals();
    if (a->backend == "real") return report_real(*a);
    python::PyRun run;
    a->limits.apply_memory_limit();
    try {
      run = python::run_python(a->py, a->machine.overrides(), a->limits.run);
    } catch (const python::PyError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return e.exit_code;
    }
    const RunResult& r = run.result;
    std::string text;
    if (a->program_output)
      text = program_lines(r);
    else if (a->format == "json")
      text = format_json(r, a->events) + "\n";
    else {
      text = format_text(r) + "\n";
      if (a->timeline) text += "\ntimeline\n" + format_timeline(r);
    }
    if (!a->trace.empty() && !write_output(a->trace, format_trace(r), a->force))
      return kExitBadInput;
    if (!a->gantt.empty() &&
        !write_output(a->gantt, format_gantt_svg({&r}, {run.scenario.name}), a->force))
      return kExitBadInput;
    if (!a->tree.empty() && !write_output(a->tree, process_tree_dot(r), a->force))
      return kExitBadInput;
    if (!a->dot.empty() && r.deadlock && !write_output(a->dot, analyse_deadlock(r).dot, a->force))
      return kExitBadInput;
    if (!write_output(a->out, text, a->force)) return kExitBadInput;
    return r.deadlock ? kExitDeadlock : kExitOk;
  };
}

}  // namespace mpsim::cli
