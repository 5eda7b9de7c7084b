// Merges the three kinds of record of an observed run: "start" (the parent
// names a child and its pid), "end" (the child's own exit code and CPU time,
// written as _bootstrap returns) and "reaped" (the parent saw the child's exit
// code: the only record of a child killed by a signal); "main" ends the run.
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "python/observed.hpp"

namespace mpsim::python::detail {

void read_observations(const std::string& path, RealPyRun& run) {
  std::ifstream in(path);
  std::map<int, std::size_t> by_pid;  // real pid -> index in run.processes
  auto process = [&](int pid, const std::string& name) -> RealPyProcess& {
    auto [it, added] = by_pid.emplace(pid, run.processes.size());
    if (added) run.processes.push_back({name, pid, std::nullopt, -1, -1});
    RealPyProcess& p = run.processes[it->second];
    if (p.name.empty()) p.name = name;
    return p;
  };
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;  // a record cut by SIGKILL
    std::string kind = j.value("kind", "");
    int pid = j.value("pid", 0);
    if (kind == "main") {
      RealPyProcess& p = process(pid, "MainProcess");
      p.exit_code = run.exit_code;
      p.cpu_us = j.value("cpu_us", std::int64_t{-1});
      p.end_us = j.value("end_us", std::int64_t{-1});
      run.script_us = p.end_us;
    } else if (kind == "start") {
      process(j.value("child", 0), j.value("name", ""));
    } else if (kind == "end") {
      RealPyProcess& p = process(pid, j.value("name", ""));
      if (j.contains("exit") && j["exit"].is_number_integer()) p.exit_code = j["exit"].get<int>();
      p.cpu_us = j.value("cpu_us", std::int64_t{-1});
      p.end_us = j.value("end_us", std::int64_t{-1});
    } else if (kind == "reaped") {
      RealPyProcess& p = process(j.value("child", 0), "");
      if (j.contains("exit") && j["exit"].is_number_integer()) p.exit_code = j["exit"].get<int>();
      if (p.end_us < 0) p.end_us = j.value("end_us", std::int64_t{-1});
    }
  }
  // MainProcess first, as in the simulation's process table; it has no record
  // when it left by os._exit, but its exit code is known.
  auto main = std::stable_partition(run.processes.begin(), run.processes.end(),
                                    [](const RealPyProcess& p) { return p.name == "MainProcess"; });
  if (main == run.processes.begin())
    run.processes.insert(run.processes.begin(), {"MainProcess", 0, run.exit_code, -1, -1});
}

}  // namespace mpsim::python::detail
