#pragma once
// Whole-process timing: what a user waits for. `mpsim run FILE --format json`
// is started as its own process (load, simulate, analyse, write the report),
// and so is the SimGrid program, and the wall time from fork to exit is taken.
#include <string>
#include <vector>

namespace mpsim::bench {

/// The mpsim CLI next to this benchmark's build directory (build/tools/mpsim).
std::string mpsim_program();

/// Wall seconds of running `argv` to its end, its standard output into
/// `out_path` (created or emptied), standard error discarded; a negative
/// value when it could not start, was killed after `timeout_s` seconds or
/// exited with a status not in `ok_status`.
double time_process(const std::vector<std::string>& argv, const std::string& out_path,
                    int timeout_s, const std::vector<int>& ok_status = {0},
                    double* cpu_seconds = nullptr);

/// CPU seconds (user + system) of this process's waited-for children so far:
/// the difference across one run is that run's CPU time, which a shared host
/// inflates far less than its wall time (time spent waiting for a core).
double children_cpu_seconds();

/// `reps` timings of `mpsim run FILE --format json` on `scenario` (written to
/// a temporary file that is removed after), plus `extra` arguments. Empty
/// when a run failed; `failure` then says why.
/// `cpu`, when given, receives each run's CPU seconds.
std::vector<double> time_mpsim_run(const std::string& scenario, int reps, int timeout_s,
                                   const std::vector<std::string>& extra, std::string& failure,
                                   std::vector<double>* cpu = nullptr);

}  // namespace mpsim::bench
