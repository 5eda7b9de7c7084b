#pragma once
// Private to sim/python: the records python/mpsim_rt/observe.py writes.
#include <string>

#include "mpsim/python/py_run.hpp"

namespace mpsim::python::detail {

/// Reads the records file of an observed real run into `run.processes` and
/// `run.script_us`. The main process's exit code is `run.exit_code`.
void read_observations(const std::string& path, RealPyRun& run);

}  // namespace mpsim::python::detail
