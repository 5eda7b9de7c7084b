// The per-task metrics of a Python program's pools, in `mpsim py`'s text and
// JSON reports (key "pools", the shape a JSON-scenario Pool reports too).
#include <cmath>
#include <cstdio>

#include "py_options.hpp"

namespace mpsim::cli {

namespace {

std::string tick_text(Tick t) {
  return t < 0 ? "-" : std::to_string(t);
}

nlohmann::ordered_json tick_json(Tick t) {
  return t < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(t);
}

}  // namespace

std::string format_pools_text(const std::vector<python::PoolReport>& pools) {
  std::string s = "pools\n";
  for (const auto& p : pools) {
    std::string pids;
    for (Pid w : p.workers) pids += (pids.empty() ? "" : " ") + std::to_string(w);
    char util[32];
    std::snprintf(util, sizeof util, "%.1f%%", 100.0 * p.utilisation());
    s += "  pool " + p.name + " of pid " + std::to_string(p.owner) + ": " +
         std::to_string(p.processes) + " workers at once (pids " + pids + "), utilisation " + util +
         " from tick " + std::to_string(p.created) + " to " + std::to_string(p.reported) + "\n";
    s += "    task  submitted  started  finished  worker\n";
    for (const auto& t : p.tasks) {
      char line[128];
      std::snprintf(line, sizeof line, "    %-4lld  %-9s  %-7s  %-8s  %s\n",
                    static_cast<long long>(t.id), tick_text(t.submitted).c_str(),
                    tick_text(t.started).c_str(), tick_text(t.finished).c_str(),
                    t.worker == kNoPid ? "-" : std::to_string(t.worker).c_str());
      s += line;
    }
  }
  s += "  (a task is one apply_async call or one chunk of map/starmap/imap; utilisation = ticks "
       "workers spent on "
       "tasks / (workers x the pool's life))\n";
  return s;
}

nlohmann::ordered_json pools_json(const std::vector<python::PoolReport>& pools) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& p : pools) {
    nlohmann::ordered_json tasks = nlohmann::ordered_json::array();
    for (const auto& t : p.tasks)
      tasks.push_back({{"id", t.id},
                       {"submitted", tick_json(t.submitted)},
                       {"started", tick_json(t.started)},
                       {"finished", tick_json(t.finished)},
                       {"worker", t.worker == kNoPid ? nlohmann::ordered_json()
                                                     : nlohmann::ordered_json(t.worker)}});
    list.push_back({{"name", p.name},
                    {"workers", p.workers},
                    {"utilisation", std::round(p.utilisation() * 10000.0) / 10000.0},
                    {"tasks", tasks}});
  }
  return list;
}

}  // namespace mpsim::cli
