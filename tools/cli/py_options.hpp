#pragma once
// What `mpsim py`, `mpsim compare` and `mpsim validate` share for Python
// programs (docs/python.md): the interpreter options and the .py dispatch.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mpsim/python/py_run.hpp"

namespace mpsim::cli {

/// --lines-per-tick, --chunk, --wall-limit, --python, --cwd.
struct PyCliOptions {
  python::PyOptions py;
  double wall_limit_s = 60;
  void add_to(CLI::App& cmd);
  /// The options with the wall limit and the runtime folder filled in, for `script`.
  [[nodiscard]] python::PyOptions resolved(const std::string& script) const;
};

/// A FILE that compare and validate hand to the Python front end: it ends in ".py".
bool is_python_script(const std::string& file);

/// Ctrl-C, SIGTERM and SIGHUP stop a Python run between two operations (it
/// then kills and reaps every Python process before mpsim exits).
void catch_python_signals();

/// What `mpsim compare` was asked, for a Python program.
struct PyCompareRequest {
  std::vector<std::int32_t> cores;
  std::vector<std::string> policies;
  std::vector<std::int64_t> quanta;
  std::vector<std::string> queues;
  std::string format;
  std::string out;
  std::string gantt;
  bool force = false;
};
int compare_python(const PyCliOptions& py, const std::string& script, const PyCompareRequest& req);

/// What `mpsim validate` was asked, for a Python program.
struct PyValidateRequest {
  MachineOverrides machine;
  int runs = 3;
  double tolerance_pct = 5;
  std::string format;
};
int validate_python(const PyCliOptions& py, const std::string& script,
                    const PyValidateRequest& req);

}  // namespace mpsim::cli
