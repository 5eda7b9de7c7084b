// validate on several cores (docs/real-os.md, "mpsim validate"): migrations
// and busy time per core, simulated against real, and the Linux-like
// simulated machine.
#include "validate_cores.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mpsim/scenario/loader.hpp"

namespace mpsim::cli {

namespace {

template <class T>
T median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? T{-1} : v[v.size() / 2];
}

// Core indices of `busy`, busiest first (ties: lower core first).
std::vector<std::size_t> by_rank(const std::vector<Tick>& busy) {
  std::vector<std::size_t> order(busy.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return busy[a] > busy[b]; });
  return order;
}

std::vector<Tick> busy_of(const RunResult& r) {
  std::vector<Tick> b;
  for (const auto& c : r.cores) b.push_back(c.busy);
  return b;
}

}  // namespace

std::map<Pid, std::int64_t> migrations_from_events(const RunResult& r) {
  std::map<Pid, std::int64_t> out;
  std::map<Pid, CoreId> last;
  for (const auto& p : r.processes) out[p.pid] = 0;
  for (const Event& e : r.events) {
    if (e.kind != EventKind::State || static_cast<ProcState>(e.a) != ProcState::Running ||
        e.core < 0)
      continue;
    auto it = last.find(e.pid);
    if (it != last.end() && it->second != e.core) ++out[e.pid];
    last[e.pid] = e.core;
  }
  return out;
}

std::vector<CoreRow> compare_cores(const RunResult& sim, const std::vector<const RunResult*>& reals,
                                   const CoreTolerance& tol, bool affinity) {
  std::vector<CoreRow> rows;
  std::string runs = std::to_string(reals.size()) + " runs";
  auto counted = [&](std::int64_t simv, std::int64_t realv) {
    return std::llabs(realv - simv) <= tol.migrations;
  };
  auto ok_runs = [&](auto&& within_run) {
    int ok = 0;
    for (const RunResult* r : reals) ok += within_run(*r) ? 1 : 0;
    return std::to_string(ok) + "/" + runs + " within";
  };

  // Migrations: in all, then per process.
  std::map<Pid, std::int64_t> sim_moves = migrations_from_events(sim);
  auto real_moves = [](const RunResult& r, Pid pid) {
    const ProcessResult* p = r.process(pid);
    return p ? p->migrations : std::int64_t{0};
  };
  auto real_all = [&](const RunResult& r) {
    std::int64_t n = 0;
    for (const auto& p : r.processes) n += p.migrations;
    return n;
  };
  std::int64_t sim_all = 0;
  for (const auto& [pid, n] : sim_moves) sim_all += n;
  std::vector<std::int64_t> all;
  for (const RunResult* r : reals) all.push_back(real_all(*r));
  std::int64_t m = median(all);
  rows.push_back({"migrations", std::to_string(sim_all), std::to_string(m), counted(sim_all, m),
                  "median; " +
                      ok_runs([&](const RunResult& r) { return counted(sim_all, real_all(r)); }) +
                      " +-" + std::to_string(tol.migrations)});
  for (const auto& p : sim.processes) {
    std::int64_t s = sim_moves[p.pid];
    std::vector<std::int64_t> v;
    for (const RunResult* r : reals) v.push_back(real_moves(*r, p.pid));
    std::int64_t mv = median(v);
    rows.push_back({"migrations " + std::to_string(p.pid) + " " + p.name, std::to_string(s),
                    std::to_string(mv), counted(s, mv),
                    "median; " + ok_runs([&](const RunResult& r) {
                      return counted(s, real_moves(r, p.pid));
                    })});
  }

  // Busy time per core; without affinity each real run's cores are matched
  // to the simulated ones by rank.
  std::vector<Tick> sim_busy = busy_of(sim);
  std::vector<std::size_t> sim_rank = by_rank(sim_busy);
  std::vector<std::vector<Tick>> per_core(sim_busy.size());
  int swapped = 0;
  for (const RunResult* r : reals) {
    std::vector<Tick> b = busy_of(*r);
    b.resize(sim_busy.size(), 0);
    std::vector<Tick> matched = b;
    if (!affinity) {
      std::vector<std::size_t> real_rank = by_rank(b);
      for (std::size_t i = 0; i < b.size(); ++i) matched[sim_rank[i]] = b[real_rank[i]];
      swapped += matched != b ? 1 : 0;
    }
    for (std::size_t k = 0; k < b.size(); ++k) per_core[k].push_back(matched[k]);
  }
  auto within = [&](Tick s, Tick v) {
    return v >= 0 &&
           std::abs(static_cast<double>(v - s)) <=
               tol.busy_pct / 100.0 * static_cast<double>(s) + static_cast<double>(tol.busy_ticks);
  };
  for (std::size_t k = 0; k < sim_busy.size(); ++k) {
    Tick mk = median(per_core[k]);
    int ok = 0;
    for (Tick v : per_core[k]) ok += within(sim_busy[k], v) ? 1 : 0;
    std::string note = "median; " + std::to_string(ok) + "/" + runs + " within";
    if (!affinity)
      note += swapped ? "; cores matched by rank in " + std::to_string(swapped) +
                            " run(s): without affinity which core is which is the kernel's choice"
                      : "; cores matched by rank (no affinity)";
    rows.push_back({"busy core" + std::to_string(k), std::to_string(sim_busy[k]),
                    std::to_string(mk), within(sim_busy[k], mk), note});
  }
  return rows;
}

LinuxDefault apply_linux_default(Scenario& s, bool policy_chosen, bool queues_chosen) {
  LinuxDefault d;
  MachineConfig& m = s.machine;
  if (m.cores < 2) return d;
  if (!policy_chosen && m.scheduler.policy != "cfs") {
    MachineOverrides o;
    o.policy = "cfs";  // as --policy cfs: its parameters at their defaults
    apply_overrides(s, o);
    d.policy = true;
  }
  if (!queues_chosen && m.scheduler.policy == "cfs") {
    m.queues = QueueDesign::PerCore;
    m.per_core.placement = Placement::Last;
    m.per_core.steal_peek = 1;
    m.per_core.balance_interval =
        std::max<Tick>(1, static_cast<Tick>(std::llround(4000.0 / static_cast<double>(m.tick_us))));
    m.per_core.balance_threshold = 1;
    d.queues = true;
  }
  if (d.policy || d.queues)
    d.note = std::string("Linux-like default (the scenario chooses no ") +
             (d.policy ? "scheduler" : "queues") + "): " + (d.policy ? "cfs with " : "") +
             "per-core queues, placement last, stealing every tick, balancing every " +
             std::to_string(m.per_core.balance_interval) + " tick(s) above 1";
  return d;
}

}  // namespace mpsim::cli
