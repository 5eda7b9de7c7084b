// mpsim validate SCRIPT.py: the Python program simulated, then observed under
// plain CPython, compared row by row (docs/python.md, "validate" states the
// rules). Processes are matched by name: CPython and the simulation name
// them alike (MainProcess, Process-1, Process-1:2, ForkPoolWorker-1).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "mpsim/analysis/races.hpp"
#include "mpsim/report/report.hpp"
#include "py_options.hpp"

namespace mpsim::cli {

namespace {

/// Real time no simulation counts: a fixed part, and per process a fork, the
/// child's first steps and its end (atexit, flushing, the parent's join).
constexpr double kSlackMs = 50;
constexpr double kSlackPerProcessMs = 10;
/// CPU time: the lines the simulation counts against the CPU a process
/// really used (its share of forks and pickling is not counted).
constexpr double kCpuSlackMs = 10;
/// A fork costs its parent CPU time (copying the page tables) too.
constexpr double kCpuPerChildMs = 2;

struct Row {
  std::string section;
  std::string name;
  std::string sim;
  std::string real;
  bool pass = true;
  std::string note;
};

const python::RealPyProcess* find(const python::RealPyRun& r, const std::string& name) {
  for (const auto& p : r.processes)
    if (p.name == name) return &p;
  return nullptr;
}

std::string ms(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// A traceback's frames name files and lines of multiprocessing itself in
// CPython and not in the simulation: they are left out on both sides.
bool traceback_frame(const std::string& line) {
  return line.rfind("  File \"", 0) == 0 || line.rfind("    ", 0) == 0;
}

std::multiset<std::string> line_set(const std::vector<std::string>& lines, bool mask) {
  static const std::regex digits("[0-9]+");
  std::multiset<std::string> m;
  for (const auto& l : lines)
    if (!traceback_frame(l)) m.insert(mask ? std::regex_replace(l, digits, "#") : l);
  return m;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// A daemon the simulation terminated at its parent's end (-15) may really
// have finished first (a pool worker that took its sentinel: 0).
bool same_exit(const ProcessResult& p, std::optional<int> real) {
  if (!real) return false;
  return *real == p.exit_code || (p.daemon && p.exit_code == -15 && *real == 0);
}

template <class T>
T median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string render_text(const std::string& script, const RunResult& sim,
                        const python::RealPyRun& r0, const PyValidateRequest& req, bool racy,
                        const std::vector<Row>& rows, std::size_t failed) {
  std::ostringstream out;
  out << "validate  " << script << ": " << req.runs << " real run(s) under CPython, tolerance "
      << req.tolerance_pct << "%; makespan + " << kSlackMs << " ms + " << kSlackPerProcessMs
      << " ms per process, cpu + " << kCpuSlackMs << " ms + " << kCpuPerChildMs
      << " ms per child\n";
  out << "simulated " << describe_machine(sim.machine) << "\n";
  out << "real      plain CPython (Linux's scheduler) on CPUs";
  for (int c : r0.cpus) out << " " << c;
  out << "; times from the script's first line\n";
  if (racy)
    out << "racy      the race detector reports data races: printed lines are compared only for "
           "information\n";
  out << "\n";
  std::size_t w = 3, ws = 9, wr = 4;
  for (const auto& r : rows) {
    w = std::max(w, r.name.size());
    ws = std::max(ws, r.sim.size());
    wr = std::max(wr, r.real.size());
  }
  auto pad = [](const std::string& x, std::size_t n) {
    return x + std::string(n > x.size() ? n - x.size() : 0, ' ');
  };
  std::string section;
  for (const auto& r : rows) {
    if (r.section != section) {
      section = r.section;
      out << section << "\n  " << pad("row", w) << "  " << pad("simulated", ws) << "  "
          << pad("real", wr) << "  verdict  note\n";
    }
    out << "  " << pad(r.name, w) << "  " << pad(r.sim, ws) << "  " << pad(r.real, wr) << "  "
        << pad(r.pass ? "ok" : "FAIL", 7) << "  " << r.note << "\n";
  }
  out << "\n"
      << (failed == 0 ? "PASS" : "FAIL") << ": " << rows.size() - failed << " of " << rows.size()
      << " rows agree\n";
  return out.str();
}

}  // namespace

int validate_python(const PyCliOptions& py, const std::string& script,
                    const PyValidateRequest& req) {
  python::PyOptions o = py.resolved(script);
  catch_python_signals();
  RunResult sim;
  std::vector<python::RealPyRun> reals;
  try {
    sim = python::run_python(o, req.machine, RunOptions{}).result;
    if (sim.deadlock) {
      std::cerr << "error: " << script
                << ": the simulated run deadlocks (mpsim py explains it); a real run would hang, "
                   "so it is "
                   "not validated\n";
      return kExitDeadlock;
    }
    for (int i = 0; i < req.runs; ++i)
      reals.push_back(python::run_python_real(o, sim.machine.cores, true));
  } catch (const python::PyError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code;
  }
  const auto runs = reals.size();
  const double tick_ms = static_cast<double>(sim.machine.tick_us) / 1000.0;
  bool racy = find_races(sim, 1).total > 0;
  const python::RealPyRun& r0 = reals.front();
  auto count_note = [&](std::size_t ok) {
    return std::to_string(ok) + "/" + std::to_string(runs) + " runs";
  };
  std::vector<Row> rows;

  // Outcome: every process's exit code, by name, in every run.
  for (const auto& p : sim.processes) {
    std::size_t ok = 0;
    for (const auto& r : reals)
      if (const auto* q = find(r, p.name)) ok += same_exit(p, q->exit_code) ? 1 : 0;
    const auto* q0 = find(r0, p.name);
    std::string real = !q0             ? "no such process"
                       : q0->exit_code ? std::to_string(*q0->exit_code)
                                       : "?";
    std::string note = count_note(ok);
    if (p.daemon && p.exit_code == -15)
      note += "; a daemon terminated at the end may have ended first (0)";
    rows.push_back({"outcome", "exit code " + p.name,
                    p.finish >= 0 ? std::to_string(p.exit_code) : "-", real, ok == runs, note});
  }
  for (const auto& q : r0.processes)
    if (std::none_of(sim.processes.begin(), sim.processes.end(),
                     [&](const auto& p) { return p.name == q.name; }))
      rows.push_back(
          {"outcome", "process " + q.name, "-", "started", false, "not in the simulated run"});

  // Outcome: the printed lines, as a multiset (the real order is the real
  // scheduler's); with digits masked when only numbers differ.
  {
    std::vector<std::string> sim_lines;
    for (const auto& l : sim.prints) sim_lines.push_back(l.text);
    std::size_t exact = 0, masked = 0;
    for (const auto& r : reals) {
      auto got = split_lines(r.output);
      exact += line_set(got, false) == line_set(sim_lines, false) ? 1 : 0;
      masked += line_set(got, true) == line_set(sim_lines, true) ? 1 : 0;
    }
    std::string note = count_note(exact) + " equal";
    if (masked > exact)
      note += ", " + count_note(masked) + " equal with numbers masked (pids, times, counts)";
    if (racy) note += "; racy: may legitimately differ";
    rows.push_back(
        {"outcome", "printed lines (multiset)", std::to_string(sim_lines.size()) + " lines",
         std::to_string(split_lines(r0.output).size()) + " lines", racy || masked == runs, note});
    // What the first real run printed that the simulation did not (and the
    // reverse), so a reader can judge a difference the masking let pass.
    auto want = line_set(sim_lines, false), got = line_set(split_lines(r0.output), false);
    std::vector<std::string> real_only, sim_only;
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(real_only));
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(sim_only));
    constexpr std::size_t kShown = 5;
    for (std::size_t k = 0; k < std::min(kShown, sim_only.size()); ++k)
      rows.push_back({"outcome", "  only simulated", sim_only[k], "", true, "(information)"});
    for (std::size_t k = 0; k < std::min(kShown, real_only.size()); ++k)
      rows.push_back({"outcome", "  only real", "", real_only[k], true, "(information)"});
  }

  // Timing: the median real value against the simulated one, in ms.
  const double slack = kSlackMs + kSlackPerProcessMs * static_cast<double>(sim.processes.size());
  auto timing = [&](const std::string& name, double simv, std::vector<double> realv,
                    double slack_ms, const std::string& extra) {
    if (realv.empty()) {
      rows.push_back({"timing", name, ms(simv), "-", true, "not recorded (killed)" + extra});
      return -1.0;
    }
    double m = median(realv);
    bool ok = std::abs(m - simv) <= req.tolerance_pct / 100.0 * simv + slack_ms;
    rows.push_back(
        {"timing", name, ms(simv), ms(m), ok, "median of " + std::to_string(realv.size()) + extra});
    return m;
  };
  {
    std::vector<double> real_ms;
    for (const auto& r : reals) real_ms.push_back(static_cast<double>(r.script_us) / 1000.0);
    std::vector<double> startup;
    for (const auto& r : reals)
      startup.push_back(static_cast<double>(r.makespan_us - r.script_us) / 1000.0);
    timing("makespan (ms)", static_cast<double>(sim.makespan) * tick_ms, real_ms, slack,
           "; interpreter start-up, not counted: " + ms(median(startup)) + " ms");
  }
  for (const auto& p : sim.processes) {
    std::vector<double> cpu;
    for (const auto& r : reals)
      if (const auto* q = find(r, p.name); q && q->cpu_us >= 0)
        cpu.push_back(static_cast<double>(q->cpu_us) / 1000.0);
    auto children =
        std::count_if(sim.processes.begin(), sim.processes.end(),
                      [&](const ProcessResult& c) { return c.original_parent == p.pid; });
    double real = timing("cpu (ms) " + p.name, static_cast<double>(p.cpu) * tick_ms, cpu,
                         kCpuSlackMs + kCpuPerChildMs * static_cast<double>(children), "");
    // The rate at which this machine ran the lines the simulation counted.
    if (p.cpu >= 10 && real > 0) {
      double lines = static_cast<double>(p.cpu * o.lines_per_tick);
      rows.back().note += "; really about " +
                          std::to_string(std::llround(lines / (real / tick_ms))) +
                          " lines per tick (--lines-per-tick)";
    }
  }
  std::size_t failed = static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.pass; }));

  if (req.format == "json") {
    nlohmann::json j;
    j["script"] = script;
    j["runs"] = req.runs;
    j["tolerance_pct"] = req.tolerance_pct;
    j["slack_ms"] = kSlackMs;
    j["slack_per_process_ms"] = kSlackPerProcessMs;
    j["cpu_slack_ms"] = kCpuSlackMs;
    j["cpu_slack_per_child_ms"] = kCpuPerChildMs;
    j["racy"] = racy;
    j["cpus"] = r0.cpus;
    j["rows"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["rows"].push_back({{"section", r.section},
                           {"row", r.name},
                           {"simulated", r.sim},
                           {"real", r.real},
                           {"pass", r.pass},
                           {"note", r.note}});
    j["pass"] = failed == 0;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << render_text(script, sim, r0, req, racy, rows, failed);
  }
  return failed == 0 ? kExitOk : kExitMismatch;
}

}  // namespace mpsim::cli
