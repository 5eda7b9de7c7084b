// Running a sweep: each run builds its scenario from the spec (a copy of the
// scenario JSON with the run's values set), simulates it, and hands the row to
// the caller. Runs are independent and deterministic, so the rows do not
// depend on the number of threads or the order they finish in.
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "analysis/sweep_impl.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/scenario/gen.hpp"
#include "mpsim/scenario/loader.hpp"

namespace mpsim {

using detail::json;

namespace {

std::string describe_run(const SweepRun& run) {
  std::string out = "run " + std::to_string(run.index) + " (";
  for (std::size_t i = 0; i < run.params.size(); ++i)
    out += (i ? ", " : "") + run.params[i].name + "=" + run.params[i].value;
  if (run.seed)
    out += std::string(run.params.empty() ? "" : ", ") + "seed=" + std::to_string(*run.seed);
  return out + ")";
}

std::int64_t as_int(const std::string& v) {
  return json::parse(v).get<std::int64_t>();
}

}  // namespace

Scenario SweepPlan::base_scenario(const SweepRun& run) const {
  const Impl& p = *impl_;
  const std::string source = p.source + " " + describe_run(run);
  json doc;
  if (!p.family.empty()) {
    auto gp = p.gen_params;
    for (const auto& prm : run.params)
      if (prm.name.rfind("gen.", 0) == 0) gp[prm.name.substr(4)] = as_int(prm.value);
    try {
      doc = json::parse(generate(p.family, gp));
    } catch (const std::invalid_argument& e) {
      throw SweepError({Diagnostic{source, "", e.what()}});
    }
  } else {
    doc = p.base_doc;
  }
  for (const auto& prm : run.params) {
    if (prm.name.empty() || prm.name[0] != '/') continue;
    json::json_pointer ptr(prm.name);
    if (!doc.contains(ptr) &&
        !(doc.contains(ptr.parent_pointer()) && doc[ptr.parent_pointer()].is_object()))
      throw SweepError({Diagnostic{source, prm.name, "points at nothing in the scenario"}});
    doc[ptr] = json::parse(prm.value);
  }
  if (run.seed) doc["seed"] = *run.seed;
  LoadResult r = load_scenario_text(doc.dump(), source);
  if (!r.errors.empty()) throw SweepError(r.errors);
  return std::move(*r.scenario);
}

Scenario SweepPlan::configure(Scenario s, const SweepRun& run, bool one_core) const {
  MachineOverrides o;
  for (const auto& prm : run.params) {
    if (prm.name == "cores") o.cores = static_cast<std::int32_t>(as_int(prm.value));
    if (prm.name == "quantum") o.quantum = as_int(prm.value);
    if (prm.name == "context_switch") o.context_switch = as_int(prm.value);
    if (prm.name == "policy") o.policy = json::parse(prm.value).get<std::string>();
  }
  if (one_core) o.cores = 1;
  auto errors = apply_overrides(s, o);
  if (!errors.empty()) {
    for (auto& d : errors) d.file = impl_->source + " " + describe_run(run);
    throw SweepError(errors);
  }
  return s;
}

Scenario SweepPlan::scenario(const SweepRun& run, bool one_core) const {
  return configure(base_scenario(run), run, one_core);
}

CompareConfig SweepPlan::config(const Scenario& s) const {
  return CompareConfig{s.machine.cores, s.machine.scheduler.policy, std::nullopt};
}

namespace {

// Loaded scenarios by everything but the machine settings: runs that differ
// only in cores or policy load the file once. Bounded: cleared when full.
class ScenarioCache {
 public:
  Scenario get(const SweepPlan& plan, const SweepRun& run) {
    std::string k;
    for (const auto& p : run.params)
      if (p.name[0] == '/' || p.name.rfind("gen.", 0) == 0) k += p.name + "=" + p.value + "\n";
    k += "seed=" + (run.seed ? std::to_string(*run.seed) : "-");
    std::shared_ptr<const Scenario> hit;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = map_.find(k);
      if (it != map_.end()) hit = it->second;
    }
    if (hit) return *hit;  // copied outside the lock: other workers need not wait for it
    auto s = std::make_shared<const Scenario>(plan.base_scenario(run));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (map_.size() >= kMaxEntries) map_.clear();
      map_.emplace(k, s);
    }
    return *s;
  }

 private:
  static constexpr std::size_t kMaxEntries = 1024;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Scenario>> map_;
};

// The 1-core makespans, computed once per parameters-and-seed (cores aside)
// however many runs need them; a run on 1 core provides its own.
class Baselines {
 public:
  Tick get(const SweepPlan& plan, ScenarioCache& cache, const SweepRun& run,
           const RunOptions& options) {
    std::string k = key(run);
    std::promise<Tick> mine;
    std::shared_future<Tick> f;
    bool compute = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = map_.find(k);
      if (it != map_.end()) {
        f = it->second;
      } else {
        f = mine.get_future().share();
        map_.emplace(k, f);
        compute = true;
      }
    }
    if (!compute) return f.get();  // may wait for another worker, without the lock
    try {
      mine.set_value(simulate(plan.configure(cache.get(plan, run), run, true), options).makespan);
    } catch (...) {
      mine.set_exception(std::current_exception());
    }
    return f.get();
  }
  void offer(const SweepRun& run, Tick makespan) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string k = key(run);
    if (map_.count(k)) return;
    std::promise<Tick> p;
    p.set_value(makespan);
    map_.emplace(k, p.get_future().share());
  }

 private:
  static std::string key(const SweepRun& run) {
    std::string k;
    for (const auto& p : run.params)
      if (p.name != "cores") k += p.name + "=" + p.value + "\n";
    return k + "seed=" + (run.seed ? std::to_string(*run.seed) : "-");
  }
  std::mutex mutex_;
  std::map<std::string, std::shared_future<Tick>> map_;
};

}  // namespace

void run_sweep(const SweepPlan& plan, const std::vector<std::size_t>& todo, int threads,
               const std::function<void(const SweepRun&, const CompareRow&)>& done,
               const std::function<bool()>& stop, const RunOptions& options) {
  Baselines baselines;
  ScenarioCache cache;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<std::pair<std::size_t, SweepError>>
      first_error;  // the lowest failing run, for a stable message
  auto worker = [&] {
    for (std::size_t i; !failed && (i = next++) < todo.size();) {
      if (stop && stop()) return;
      const SweepRun& run = plan.runs().at(todo[i]);
      try {
        Scenario s = plan.configure(cache.get(plan, run), run);
        RunResult result = simulate(s, options);
        Tick base = result.makespan;
        if (s.machine.cores == 1)
          baselines.offer(run, base);
        else
          base = baselines.get(plan, cache, run, options);
        done(run, make_compare_row(plan.config(s), std::move(result), base));
      } catch (const SweepError& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error || first_error->first > run.index) first_error.emplace(run.index, e);
        failed = true;
      } catch (const std::exception& e) {  // anything else must not end the process from a thread
        std::lock_guard<std::mutex> lock(error_mutex);
        SweepError err(
            {Diagnostic{"sweep", "", "run " + std::to_string(run.index) + ": " + e.what()}});
        if (!first_error || first_error->first > run.index) first_error.emplace(run.index, err);
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  int n = std::max(1, std::min<int>(threads, static_cast<int>(todo.size())));
  for (int t = 0; t < n; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (first_error) throw first_error->second;
}

}  // namespace mpsim
