// Reports of per-core run queues: migrations, stealing, balancing and how
// the load was spread over the cores (semantics.md §12, §9).
#include "report/multicore.hpp"

#include "report/text_table.hpp"

namespace mpsim::detail {

namespace {

double mean(Tick sum, Tick over) {
  return over ? static_cast<double>(sum) / static_cast<double>(over) : 0.0;
}

}  // namespace

std::string describe_queues(const MachineConfig& m) {
  if (m.queues != QueueDesign::PerCore) return "";
  const PerCoreConfig& c = m.per_core;
  std::string d = ", per-core queues (placement ";
  d += c.placement == Placement::Last ? "last" : "least_loaded";
  if (c.balance_interval > 0)
    d += ", balance every " + std::to_string(c.balance_interval) + " above " +
         std::to_string(c.balance_threshold);
  if (c.steal_peek > 0) d += ", steal every " + std::to_string(c.steal_peek);
  return d + ")";
}

void multicore_text(std::ostringstream& out, const RunResult& r) {
  if (!r.multicore) return;
  const MultiCoreResult& mc = *r.multicore;
  out << "multi-core\n";
  Table t({"migrations", std::to_string(mc.migrations)});
  t.add({"stolen", std::to_string(mc.stolen)});
  t.add({"balanced", std::to_string(mc.balanced)});
  std::string loads;
  for (std::size_t k = 0; k < mc.load_ticks.size(); ++k)
    loads += (k ? "  " : "") + std::string("core") + std::to_string(k) + " " +
             fixed(mean(mc.load_ticks[k], r.makespan), 2);
  t.add({"mean load", loads});
  t.add({"imbalance", "mean " + fixed(mean(mc.imbalance_ticks, r.makespan), 2) + ", max " +
                          std::to_string(mc.max_imbalance) + " (highest - lowest load)"});
  std::string per;
  for (const auto& p : r.processes)
    if (p.migrations > 0)
      per += (per.empty() ? "" : "  ") + p.name + " " + std::to_string(p.migrations);
  t.add({"migrated", per.empty() ? "none" : per});
  out << t.render("  ") << "  (load = processes queued on a core + the one it runs)\n\n";
}

void add_queues_json(nlohmann::ordered_json& machine, const MachineConfig& m) {
  if (m.queues != QueueDesign::PerCore) return;
  const PerCoreConfig& c = m.per_core;
  machine["queues"] = "per_core";
  machine["per_core"] = {{"placement", c.placement == Placement::Last ? "last" : "least_loaded"},
                         {"balance_interval", c.balance_interval},
                         {"balance_threshold", c.balance_threshold},
                         {"steal_peek", c.steal_peek}};
}

nlohmann::ordered_json multicore_json(const RunResult& r) {
  const MultiCoreResult& mc = *r.multicore;
  nlohmann::ordered_json series = nlohmann::ordered_json::array();
  for (const auto& s : mc.load_series) series.push_back({{"tick", s.tick}, {"loads", s.loads}});
  return {{"migrations", mc.migrations},
          {"stolen", mc.stolen},
          {"balanced", mc.balanced},
          {"load_ticks", mc.load_ticks},
          {"imbalance_ticks", mc.imbalance_ticks},
          {"max_imbalance", mc.max_imbalance},
          {"load_series", series}};
}

}  // namespace mpsim::detail
