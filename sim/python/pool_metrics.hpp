#pragma once
// Private to sim/python: the pools a Python program reported (pool_report
// messages of python/mpsim_rt/pool.py) as the model's PoolResult and
// TaskResult records, so `mpsim py` reports them as a JSON scenario's pools
// (semantics.md §13, docs/python.md#pool-metrics).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim::python::detail {

class PoolMetrics {
 public:
  /// One pool_report message from its creator `creator`, the pool named
  /// `name`. Task ids and handles continue the run's count (1, 2, ...).
  void add(const nlohmann::json& m, const std::string& name, Pid creator);
  /// Fills r.pools and r.tasks: the totals need the run's end (workers'
  /// exits, makespan).
  void finish(RunResult& r) const;

 private:
  std::vector<PoolResult> pools_;
  std::vector<TaskResult> tasks_;
  std::int64_t handles_ = 0;  ///< submissions of the pools reported so far
};

}  // namespace mpsim::python::detail
