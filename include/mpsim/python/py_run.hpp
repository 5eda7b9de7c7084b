#pragma once
/// `mpsim py`: an unmodified Python program that uses multiprocessing, run on
/// the simulated machine (docs/python.md). Every Python process is a real
/// process, but only those the simulated scheduler has put on a core run, and
/// CPU time is counted in executed lines, so the result is deterministic.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpsim/kernel/machine.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"
#include "mpsim/scenario/loader.hpp"

namespace mpsim::python {

struct PyOptions {
  std::string script;
  std::vector<std::string> args;
  std::string python = "/usr/bin/python3";  ///< Debian's CPython 3.11
  std::string runtime_dir;                  ///< folder holding the mpsim_rt package
  std::string cwd;                          ///< working directory of the program ("" = mpsim's)
  std::int64_t lines_per_tick = 10000;      ///< executed lines that make one tick of CPU time
  std::int64_t chunk_ticks = 10;            ///< a computing process reports at least this often
  std::int64_t wall_limit_ms = 60000;       ///< the whole run, in real time
};

/// The run could not be completed as a simulation: an unsupported call (the
/// message names it and the line), a broken runtime, a limit, an interrupt.
class PyError : public std::runtime_error {
 public:
  PyError(const std::string& what, int exit_code)
      : std::runtime_error(what), exit_code(exit_code) {}
  int exit_code;
};

struct PyRun {
  Scenario scenario;  ///< the machine it ran on (one external program, "py")
  RunResult result;   ///< with `pools` and `tasks` from the program's Pools (docs/python.md)
};

/// The scenario a Python run uses: `machine` settings (after overrides) and
/// the main process. Errors name the option.
std::vector<Diagnostic> python_scenario(const PyOptions& o, const MachineOverrides& m,
                                        Scenario& out);

/// Runs the program; throws PyError. No Python process outlives the call.
PyRun run_python(const PyOptions& o, const MachineOverrides& m, RunOptions run);

/// Stops a run in progress (from a signal handler): the run throws PyError
/// with exit code 128 + signo and cleans up.
void interrupt_python_run(int signo);

}  // namespace mpsim::python

namespace mpsim::python {

/// One process of an observed real run (`observe`), matched to the
/// simulation by name (CPython names processes the way the simulation does).
struct RealPyProcess {
  std::string name;  ///< MainProcess, Process-1, ForkPoolWorker-2 ...
  int real_pid = 0;
  std::optional<int> exit_code;  ///< as Process.exitcode; unset if never known
  std::int64_t cpu_us = -1;      ///< its own CPU time; -1 if killed before recording it
  std::int64_t end_us = -1;      ///< when it ended, from the script's start
};

/// `mpsim py --backend real`: the same program under plain CPython (no
/// runtime, real time), pinned to the first `cores` CPUs.
struct RealPyRun {
  std::vector<int> cpus;  ///< the CPUs it was pinned to
  std::int64_t makespan_us =
      0;               ///< from start until the main process ended (its children joined by then)
  int exit_code = 0;   ///< of the main process; 128+N when killed by signal N
  std::string output;  ///< stdout and stderr, as a terminal would show them
  /// Observed runs only: every process, MainProcess first, then in start order.
  std::vector<RealPyProcess> processes;
  /// Observed runs only: from the script's first line to the main process's
  /// end (the interpreter's own start-up left out); -1 when not recorded.
  std::int64_t script_us = -1;
};

/// Throws PyError (bad options, the wall limit, an interrupt). No process
/// outlives the call. With `observe`, the program runs under
/// `mpsim_rt.observe` (o.runtime_dir): nothing is simulated or patched but
/// line-buffered output, and every process's exit code, CPU time and end
/// are recorded (docs/python.md, "validate").
RealPyRun run_python_real(const PyOptions& o, std::int32_t cores, bool observe = false);

}  // namespace mpsim::python
