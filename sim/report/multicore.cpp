// Reports of per-core run queues: migrations, stealing, balancing and how
// the load was spread over the cores (semantics.md §12, §9), and of the
// cache model (§12.1): cold starts, cache-cold and warm ticks, evictions.
#include "report/multicore.hpp"

#include "report/text_table.hpp"

namespace mpsim::detail {

namespace {

std::string per_core_ticks(const std::vector<Tick>& ticks) {
  Tick all = 0;
  std::string cores;
  for (std::size_t k = 0; k < ticks.size(); ++k) {
    all += ticks[k];
    cores += (k ? "  " : "") + std::string("core") + std::to_string(k) + " " + std::to_string(ticks[k]);
  }
  return std::to_string(all) + " (" + cores + ")";
}

void cache_rows(Table& t, const MultiCoreResult& mc) {
  t.add({"cold starts", std::to_string(mc.cold_starts)});
  t.add({"cache-cold ticks", per_core_ticks(mc.cold_ticks)});
  t.add({"warm ticks", per_core_ticks(mc.warm_ticks)});
  t.add({"evictions", std::to_string(mc.evictions)});
}

double mean(Tick sum, Tick over) {
  return over ? static_cast<double>(sum) / static_cast<double>(over) : 0.0;
}

}  // namespace

// The cache model and multi.py's rules, as the machine line names them.
std::string describe_cache(const MachineConfig& m) {
  std::string d;
  if (m.cache)
    d += ", cache " + std::to_string(m.cache->size) + " (warm-up " + std::to_string(m.cache->warmup) +
         ", warm rate " + std::to_string(m.cache->warm_rate) + ")";
  if (m.multi_ostep) d += ", multi.py rules";
  return d;
}

std::string describe_queues(const MachineConfig& m) {
  if (m.queues != QueueDesign::PerCore) return describe_cache(m);
  const PerCoreConfig& c = m.per_core;
  std::string d = ", per-core queues (placement ";
  d += c.placement == Placement::Last ? "last" : "least_loaded";
  if (c.balance_interval > 0)
    d += ", balance every " + std::to_string(c.balance_interval) + " above " +
         std::to_string(c.balance_threshold);
  if (c.steal_peek > 0) d += ", steal every " + std::to_string(c.steal_peek);
  if (m.multi_ostep && c.seed != 0) d += ", seed " + std::to_string(c.seed);
  return d + ")" + describe_cache(m);
}

void multicore_text(std::ostringstream& out, const RunResult& r) {
  if (!r.multicore) return;
  const MultiCoreResult& mc = *r.multicore;
  out << "multi-core\n";
  bool per_core = r.machine.queues == QueueDesign::PerCore;
  Table t({"migrations", std::to_string(mc.migrations)});
  if (per_core) {
    t.add({"stolen", std::to_string(mc.stolen)});
    t.add({"balanced", std::to_string(mc.balanced)});
    std::string loads;
    for (std::size_t k = 0; k < mc.load_ticks.size(); ++k)
      loads += (k ? "  " : "") + std::string("core") + std::to_string(k) + " " +
               fixed(mean(mc.load_ticks[k], r.makespan), 2);
    t.add({"mean load", loads});
    t.add({"imbalance", "mean " + fixed(mean(mc.imbalance_ticks, r.makespan), 2) + ", max " +
                            std::to_string(mc.max_imbalance) + " (highest - lowest load)"});
  }
  if (r.machine.cache) cache_rows(t, mc);
  std::string per;
  for (const auto& p : r.processes)
    if (p.migrations > 0)
      per += (per.empty() ? "" : "  ") + p.name + " " + std::to_string(p.migrations);
  t.add({"migrated", per.empty() ? "none" : per});
  out << t.render("  ");
  if (per_core) out << "  (load = processes queued on a core + the one it runs)\n";
  out << "\n";
}

void add_queues_json(nlohmann::ordered_json& machine, const MachineConfig& m) {
  if (m.cache)
    machine["cache"] = {{"size", m.cache->size}, {"warmup", m.cache->warmup}, {"warm_rate", m.cache->warm_rate}};
  if (m.multi_ostep) machine["multi_ostep"] = true;
  if (m.queues != QueueDesign::PerCore) return;
  const PerCoreConfig& c = m.per_core;
  machine["queues"] = "per_core";
  machine["per_core"] = {{"placement", c.placement == Placement::Last ? "last" : "least_loaded"},
                         {"balance_interval", c.balance_interval},
                         {"balance_threshold", c.balance_threshold},
                         {"steal_peek", c.steal_peek}};
  if (m.multi_ostep) machine["per_core"]["seed"] = c.seed;
}

nlohmann::ordered_json multicore_json(const RunResult& r) {
  const MultiCoreResult& mc = *r.multicore;
  nlohmann::ordered_json series = nlohmann::ordered_json::array();
  for (const auto& s : mc.load_series) series.push_back({{"tick", s.tick}, {"loads", s.loads}});
  nlohmann::ordered_json j = {{"migrations", mc.migrations}};
  if (r.machine.queues == QueueDesign::PerCore) {
    j["stolen"] = mc.stolen;
    j["balanced"] = mc.balanced;
    j["load_ticks"] = mc.load_ticks;
    j["imbalance_ticks"] = mc.imbalance_ticks;
    j["max_imbalance"] = mc.max_imbalance;
    j["load_series"] = series;
  }
  if (r.machine.cache) {
    j["cold_starts"] = mc.cold_starts;
    j["cold_ticks"] = mc.cold_ticks;
    j["warm_ticks"] = mc.warm_ticks;
    j["evictions"] = mc.evictions;
  }
  return j;
}

}  // namespace mpsim::detail
