// Compare runs configurations in parallel threads. Each run is independent and
// deterministic, so the rows do not depend on the number of threads.
#include "mpsim/analysis/compare.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "mpsim/scenario/loader.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/kernel/policy.hpp"

namespace mpsim {

double CompareRow::speedup() const {
  return result.makespan == 0 ? 0.0 : static_cast<double>(baseline_makespan) / static_cast<double>(result.makespan);
}

double CompareRow::utilisation() const {
  Tick busy = 0;
  for (const auto& c : result.cores) busy += c.busy;
  Tick capacity = result.makespan * static_cast<Tick>(result.cores.size());
  return capacity == 0 ? 0.0 : static_cast<double>(busy) / static_cast<double>(capacity);
}

namespace {

Scenario configure(const Scenario& base, const CompareConfig& c) {
  Scenario s = base;
  MachineOverrides o;
  o.cores = c.cores;
  if (!c.policy.empty()) o.policy = c.policy;
  o.quantum = c.quantum;
  if (!c.queues.empty()) o.queues = c.queues;
  auto errs = apply_overrides(s, o);
  if (!errs.empty()) throw std::invalid_argument(errs.front().format());
  return s;
}

std::string key(const CompareConfig& c) {
  return c.policy + "/" + (c.quantum ? std::to_string(*c.quantum) : "-") + "/" + c.queues + "/" +
         std::to_string(c.cores);
}

}  // namespace

std::vector<CompareConfig> config_grid(const std::vector<std::int32_t>& cores,
                                       const std::vector<std::string>& policies,
                                       const std::vector<Tick>& quanta,
                                       const std::vector<std::string>& queues) {
  std::vector<std::string> ps = policies.empty() ? std::vector<std::string>{""} : policies;
  std::vector<std::optional<Tick>> qs(quanta.begin(), quanta.end());
  if (qs.empty()) qs.emplace_back(std::nullopt);
  std::vector<std::string> ds = queues.empty() ? std::vector<std::string>{""} : queues;
  std::vector<CompareConfig> out;
  for (const auto& p : ps)
    for (const auto& q : qs)
      for (const auto& d : ds)
        for (auto c : cores) out.push_back(CompareConfig{c, p, q, d});
  return out;
}

std::vector<CompareRow> run_compare(const Scenario& s, const std::vector<CompareConfig>& configs, int threads,
                                    const std::function<void(std::size_t, std::size_t)>& progress,
                                    const RunOptions& options) {
  // The runs to make: every configuration plus its 1-core baseline, once each.
  std::vector<CompareConfig> runs;
  std::map<std::string, std::size_t> index;
  auto want = [&](const CompareConfig& c) {
    if (index.emplace(key(c), runs.size()).second) runs.push_back(c);
  };
  for (const auto& c : configs) {
    want(c);
    want(CompareConfig{1, c.policy, c.quantum, c.queues});
  }
  std::vector<Scenario> scenarios;
  for (const auto& c : runs) scenarios.push_back(configure(s, c));  // errors before any thread starts
  std::vector<RunResult> results(runs.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < runs.size();) {
      results[i] = simulate(scenarios[i], options);
      std::size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(d, runs.size());
      }
    }
  };
  std::vector<std::thread> pool;
  int n = std::max(1, std::min<int>(threads, static_cast<int>(runs.size())));
  for (int t = 0; t < n; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  std::vector<CompareRow> rows;
  for (const auto& c : configs)
    rows.push_back(make_compare_row(
        c, results[index[key(c)]],
        results[index[key(CompareConfig{1, c.policy, c.quantum, c.queues})]].makespan));
  return rows;
}

CompareRow make_compare_row(const CompareConfig& config, RunResult result, Tick baseline_makespan) {
  CompareRow row;
  row.config = config;
  row.result = std::move(result);
  row.policy_description =
      find_policy(row.result.machine.scheduler.policy)->make(row.result.machine)->describe();
  if (row.result.machine.queues == QueueDesign::PerCore) row.policy_description += " per-core";
  row.work_span = work_span(row.result);
  row.baseline_makespan = baseline_makespan;
  return row;
}

}  // namespace mpsim
