// Python pools in the model's records. The runtime counts tasks from 0 and
// submissions from 1 in each pool; the run counts both from 1 across pools,
// in the order the pools reported.
#include "python/pool_metrics.hpp"

#include <algorithm>

namespace mpsim::python::detail {

namespace {

Tick tick_or_none(const nlohmann::json& v) {
  return v.is_null() ? Tick{-1} : v.get<Tick>();
}

}  // namespace

void PoolMetrics::add(const nlohmann::json& m, const std::string& name, Pid creator) {
  PoolResult p;
  p.name = name;
  p.processes = m.at("processes").get<std::int32_t>();
  p.maxtasksperchild = m.at("maxtasksperchild").get<std::int64_t>();
  p.creator = creator;
  p.created = m.at("created").get<Tick>();
  p.workers = m.at("workers").get<std::vector<Pid>>();
  std::int64_t last_handle = 0;
  for (const auto& t : m.at("tasks")) {
    TaskResult x;
    x.id = static_cast<std::int64_t>(tasks_.size()) + 1;
    x.pool = name;
    x.job = handles_ + t.at("handle").get<std::int64_t>();
    last_handle = std::max(last_handle, t.at("handle").get<std::int64_t>());
    x.kind = t.at("kind").get<std::string>();
    x.item = t.at("item").get<std::int64_t>();
    x.program = t.at("program").get<std::string>();
    x.submitter = t.at("submitter").get<Pid>();
    x.submitted = tick_or_none(t.at("submitted"));
    x.started = tick_or_none(t.at("started"));
    x.finished = tick_or_none(t.at("finished"));
    x.worker = t.at("worker").is_null() ? kNoPid : t.at("worker").get<Pid>();
    x.ok = t.at("ok").get<bool>();
    x.result = t.at("result").get<std::string>();
    x.error = t.at("error").get<std::string>();
    tasks_.push_back(std::move(x));
  }
  handles_ += last_handle;
  pools_.push_back(std::move(p));
}

void PoolMetrics::finish(RunResult& r) const {
  for (PoolResult p : pools_) {
    // Ended when its last worker did; still running if any worker is.
    for (Pid w : p.workers) {
      const ProcessResult* pr = r.process(w);
      Tick end = pr ? pr->finish : -1;
      if (end < 0) {
        p.ended = -1;
        break;
      }
      p.ended = std::max(p.ended, end);
    }
    for (const TaskResult& t : tasks_) {
      if (t.pool != p.name) continue;
      ++p.tasks;
      if (t.finished >= 0 && !t.ok) ++p.failed;
      if (t.started >= 0) p.busy += (t.finished >= 0 ? t.finished : r.makespan) - t.started;
    }
    r.pools.push_back(std::move(p));
  }
  r.tasks.insert(r.tasks.end(), tasks_.begin(), tasks_.end());
}

}  // namespace mpsim::python::detail
