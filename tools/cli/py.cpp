// mpsim py SCRIPT.py [ARGS...]: a Python multiprocessing program on the
// simulated machine (docs/python.md); the same report as `mpsim run`.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/python/py_run.hpp"
#include "mpsim/report/report.hpp"
#include "py_options.hpp"
#include "report_options.hpp"

namespace mpsim::cli {

namespace {

struct PyArgs {
  PyCliOptions py_cli;
  python::PyOptions py;
  MachineOptions machine;
  ReportOptions report;
  LimitOptions limits;
  bool program_output = false;
  std::string backend = "sim";
};

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
  } else if (a.report.format == "json") {
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
  return write_output(a.report.out, text, a.report.force) ? kExitOk : kExitBadInput;
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
  cmd->add_option("SCRIPT", a->py_cli.py.script, "the Python program")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("ARGS", a->py_cli.py.args, "its arguments (after --, if one starts with -)");
  a->machine.add_to(*cmd);
  a->py_cli.add_to(*cmd);
  cmd->add_option(
         "--backend", a->backend,
         "sim (default) or real: plain CPython pinned to the first --cores CPUs, real time")
      ->check(CLI::IsMember({"sim", "real"}));
  cmd->add_flag("--program-output", a->program_output,
                "print only what the program printed, in simulated order");
  a->report.add_to(*cmd);
  a->limits.add_to(*cmd);
  return [a] {
    a->py = a->py_cli.resolved(a->py_cli.py.script);
    catch_python_signals();
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
    TextProducer produce = [&text](const TextSink& sink) { sink(text); };
    if (a->program_output) {
      text = program_lines(r);
    } else if (a->report.format == "json") {
      // Pools and tasks as for a scenario, streamed as `mpsim run` does.
      produce = json_output(r, a->report.events);
    } else {
      text = format_text(r) + "\n";
      if (a->report.timeline) text += "\ntimeline\n" + format_timeline(r);
    }
    if (!a->report.write_files(r, run.scenario.name)) return kExitBadInput;
    if (!write_output(a->report.out, produce, a->report.force)) return kExitBadInput;
    return r.deadlock ? kExitDeadlock : kExitOk;
  };
}

}  // namespace mpsim::cli
